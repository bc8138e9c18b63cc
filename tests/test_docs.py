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
