"""Secrets come from commands (no shell), the environment or files, and never show in errors."""

from __future__ import annotations

import sys

import pytest

from inboxcoach.errors import ConfigError
from inboxcoach.secrets import resolve_secret
from inboxcoach.settings import SecretSpec


def spec(source: str, value, kind: str = "password") -> SecretSpec:
    return SecretSpec(kind, source, value, f"accounts[0].{kind}_{source}")


def test_command_runs_without_a_shell():
    secret = resolve_secret(spec("command", (sys.executable, "-c", "print('pw from cmd; $HOME')")))
    assert secret.reveal() == "pw from cmd; $HOME"
    assert "pw from" not in repr(secret) and "pw from" not in str(secret)


def test_failing_command_does_not_echo_its_output():
    code = "import sys; print('leaked-secret-999'); sys.exit(3)"
    with pytest.raises(ConfigError) as info:
        resolve_secret(spec("command", (sys.executable, "-c", code)))
    assert "exited with status 3" in str(info.value)
    assert "leaked-secret-999" not in str(info.value)


def test_missing_program():
    with pytest.raises(ConfigError, match="was not found"):
        resolve_secret(spec("command", ("/nonexistent/pass",)))


def test_env(monkeypatch):
    monkeypatch.setenv("IC_PW", "from-env")
    assert resolve_secret(spec("env", "IC_PW")).reveal() == "from-env"
    monkeypatch.delenv("IC_PW")
    with pytest.raises(ConfigError, match=r"names \$IC_PW, which is not set"):
        resolve_secret(spec("env", "IC_PW"))


def test_file_first_line_only(tmp_path):
    path = tmp_path / "token"
    path.write_text("tok-123\ncomment\n")
    secret = resolve_secret(spec("file", str(path), kind="oauth2"))
    assert (secret.kind, secret.reveal()) == ("oauth2", "tok-123")


def test_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        resolve_secret(spec("file", str(tmp_path / "missing")))


def test_empty_secret_is_refused(monkeypatch):
    monkeypatch.setenv("IC_PW", "")
    with pytest.raises(ConfigError, match="empty secret"):
        resolve_secret(spec("env", "IC_PW"))


def test_a_password_command_runs_once_per_process(tmp_path):
    from inboxcoach.config import parse_config
    from inboxcoach.fetch.open import mailbox_opener

    counter = tmp_path / "calls"
    script = f"open({str(counter)!r}, 'a').write('x'); print('pw')"
    settings = parse_config({"accounts": [{"host": "h", "username": "u",
                                           "password_command": [sys.executable, "-c", script]}]})
    for _ in range(3):  # fetch, the Sent check and the APPEND each open the account
        mailbox_opener(settings.accounts[0], settings)
    assert counter.read_text() == "x"
