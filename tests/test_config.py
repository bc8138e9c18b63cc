"""Config errors name the key and the fix, and exit with code 2."""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config, parse_config
from inboxcoach.errors import ConfigError

IMAP = {"name": "me", "host": "imap.example.com", "username": "me@example.com",
        "password_env": "MAIL_PW"}


def error_of(data: dict) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    return str(info.value)


def test_minimal_imap_account_gets_safe_defaults(state_dir):
    s = parse_config({"accounts": [IMAP]})
    a = s.accounts[0]
    assert (a.kind, a.port, a.security, a.folders) == ("imap", 993, "tls", ("INBOX",))
    assert a.secret.kind == "password" and a.secret.source == "env"
    assert s.state_dir == state_dir  # the environment variable wins
    assert s.fetch.max_message_bytes == 25 * 1024 * 1024


def test_starttls_defaults_to_port_143():
    s = parse_config({"accounts": [IMAP | {"security": "starttls"}]})
    assert s.accounts[0].port == 143


def test_missing_host_names_the_key():
    data = {"accounts": [IMAP, {k: v for k, v in IMAP.items() if k != "host"} | {"name": "b"}]}
    assert error_of(data).startswith("accounts[1].host is missing: add host = ")


@pytest.mark.parametrize(("change", "expected"), [
    ({"security": "none"}, 'accounts[0].security is \'none\': use "tls"'),
    ({"port": "993"}, "accounts[0].port must be an int"),
    ({"port": 70000}, "accounts[0].port is 70000"),
    ({"folders": []}, "accounts[0].folders must be a non-empty list"),
    ({"since": "last year"}, "accounts[0].since is 'last year'"),
    ({"verify_tls": False}, "accounts[0].verify_tls is not a known setting"),
    ({"password": "x"}, "accounts[0] has password and password_env"),
    ({"password_command": "pass show mail"}, "accounts[0] has password_command and password_env"),
    ({"kind": "pop3"}, "accounts[0].kind is 'pop3'"),
    ({"ca_file": "/nonexistent/ca.pem"}, "accounts[0].ca_file names /nonexistent/ca.pem"),
])
def test_bad_account_values_are_named(change, expected):
    assert error_of({"accounts": [IMAP | change]}).startswith(expected)


def test_secret_command_must_be_an_argv_list():
    account = {k: v for k, v in IMAP.items() if k != "password_env"}
    text = error_of({"accounts": [account | {"password_command": "pass show mail"}]})
    assert text.startswith("accounts[0].password_command must be a list of strings")


def test_no_secret_at_all():
    account = {k: v for k, v in IMAP.items() if k != "password_env"}
    assert error_of({"accounts": [account]}).startswith("accounts[0] has no password or token")


def test_unknown_top_level_key_and_fetch_key():
    assert error_of({"accounts": [IMAP], "colour": 1}).startswith("colour is not a known setting")
    text = error_of({"accounts": [IMAP], "fetch": {"batch": 5}})
    assert text.startswith("fetch.batch is not a known setting")


def test_no_accounts():
    assert error_of({}).startswith("accounts is missing")


def test_duplicate_account_names():
    assert "repeats 'me'" in error_of({"accounts": [IMAP, IMAP]})


def test_since_accepts_toml_dates_and_strings():
    assert parse_config({"accounts": [IMAP | {"since": date(2026, 1, 2)}]}).accounts[0].since == \
        date(2026, 1, 2)
    assert parse_config({"accounts": [IMAP | {"since": "2026-01-02"}]}).accounts[0].since == \
        date(2026, 1, 2)


def test_oauth2_token_command():
    account = {k: v for k, v in IMAP.items() if k != "password_env"}
    s = parse_config({"accounts": [account | {"oauth2_token_command": ["tok", "me"]}]})
    assert s.accounts[0].secret.kind == "oauth2"
    assert s.accounts[0].secret.value == ("tok", "me")


def test_local_sources_resolve_relative_to_the_config(tmp_path):
    (tmp_path / "Mail" / "cur").mkdir(parents=True)
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[accounts]]\nname = "md"\nkind = "maildir"\npath = "Mail"\n')
    s = load_config(cfg)
    assert s.accounts[0].path == tmp_path / "Mail"
    # a path that is not there today (an unmounted disk) is the fetch's to report, per account
    assert parse_config({"accounts": [{"kind": "mbox", "path": "/nonexistent.mbox"}]}
                        ).accounts[0].path == Path("/nonexistent.mbox")


def test_world_readable_config_with_a_password_is_warned_about(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[accounts]]\nhost = "h"\nusername = "u"\npassword = "hunter2-secret"\n')
    os.chmod(cfg, 0o644)
    warning = load_config(cfg).warnings[0]
    assert "chmod 600" in warning and "hunter2-secret" not in warning
    os.chmod(cfg, 0o600)
    assert load_config(cfg).warnings == ()


def test_cli_reports_config_errors_with_exit_code_2(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[accounts]]\nusername = "u"\npassword_env = "X"\n')
    assert main(["fetch", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "accounts[0].host is missing" in err and "Traceback" not in err


def test_cli_missing_and_invalid_config_files(tmp_path, capsys):
    assert main(["fetch", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "does not exist" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text("[[accounts]\n")
    assert main(["status", "--config", str(bad)]) == 2
    assert "not valid TOML" in capsys.readouterr().err


def test_state_dir_from_config_when_no_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("INBOXCOACH_STATE_DIR")
    cfg = tmp_path / "c.toml"
    cfg.write_text('state_dir = "st"\n[[accounts]]\nhost = "h"\nusername = "u"\n'
                   'password_env = "X"\n')
    assert load_config(cfg).state_dir == tmp_path / "st"


def test_the_example_config_is_valid():
    example = Path(__file__).parent.parent / "config.example.toml"
    settings = parse_config(tomllib.loads(example.read_text("utf-8")), example)
    assert settings.accounts[0].secret.source == "command"
