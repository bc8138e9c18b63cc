"""Every command and every option is in the README's command table, as in sqlite-utils and llm:
a flag nobody can find does not exist for users."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from inboxcoach.cli import build_parser

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def table_row(name: str) -> str:
    rows = [line for line in README.splitlines()
            if re.match(rf"\| `inboxcoach {name}\b", line)]
    assert rows, f"README's command table has no row for `inboxcoach {name}`"
    return rows[0]


# Options every command takes; the README states them once, under the command table.
COMMON = ("--help", "--config", "--verbose", "--quiet")


def test_every_command_and_option_is_documented():
    missing = [flag for flag in COMMON[1:] if f"`{flag}" not in README]
    for name, parser in commands().items():
        row = table_row(name)
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in COMMON and flag not in row:
                    missing.append(f"{name} {flag}")
    assert not missing, f"options missing from the README's command table: {missing}"


def test_every_command_has_help(capsys):
    """``inboxcoach COMMAND --help`` works for every command and says what it does."""
    from inboxcoach.cli import main

    for name, parser in commands().items():
        try:
            main([name, "--help"])
        except SystemExit as exc:
            assert exc.code == 0, name
        out = capsys.readouterr().out
        assert out.startswith(f"usage: inboxcoach {name}"), name
        assert " ".join(str(parser.description).split()) in " ".join(out.split()), name


SECRET_KEYS = ("password", "password_command", "password_env", "password_file",
               "oauth2_token_command", "oauth2_token_env", "oauth2_token_file")


def readme_config_keys() -> set[str]:
    """The keys of the README's configuration table, with its shorthands spelt out:
    "`accounts[].oauth2_token_command` / `_env`", "`delivery.security` / `port`", and
    "`delivery.username` + one secret key"."""
    section = README[README.index("## Configuration"):]
    section = section[:section.index("\n## ", 5)]
    keys: set[str] = set()
    for row in re.findall(r"^\| (`[^|]+?)\s*\|", section, re.M):
        first, *more = re.findall(r"`([^`]+)`", row)
        table = first.rpartition(".")[0]
        keys.add(first)
        for other in more:
            keys.add(first.rpartition("_")[0] + other if other.startswith("_")
                     else f"{table}.{other}" if table else other)
        if "one secret key" in row:
            keys.update(f"{table}.{k}" for k in SECRET_KEYS)
    return keys


def example_config_keys() -> set[str]:
    """Every key ``config.example.toml`` shows, set or commented out, with its table."""
    example = (Path(__file__).parent.parent / "config.example.toml").read_text("utf-8")
    table, keys = "", set()
    for line in example.splitlines():
        text = line.lstrip("# ").strip()
        if m := re.match(r"^\[\[?([\w.]+)\]\]?$", text):
            table = m.group(1).replace("accounts", "accounts[]")
        elif m := re.match(r"^([a-z_0-9]+)\s*=", text):
            keys.add(f"{table}.{m.group(1)}" if table else m.group(1))
    return keys


def test_every_config_key_in_the_example_is_in_the_readme():
    """The example config (what ``init`` writes) and the README's table describe the same keys
    (the example shows one of delivery's seven secret keys)."""
    assert example_config_keys() - readme_config_keys() == set()
    assert readme_config_keys() - example_config_keys() <= {f"delivery.{k}" for k in SECRET_KEYS}
