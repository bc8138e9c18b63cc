from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.dovecot import PASSWORD, Dovecot, dovecot_available


@pytest.fixture(autouse=True)
def _isolated_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state dir: nothing ever touches a real user's store."""
    state = tmp_path / "state"
    monkeypatch.setenv("INBOXCOACH_STATE_DIR", str(state))
    monkeypatch.setenv("INBOXCOACH_TEST_PW", PASSWORD)
    monkeypatch.delenv("INBOXCOACH_CONFIG", raising=False)
    return state


@pytest.fixture
def state_dir(_isolated_state: Path) -> Path:
    return _isolated_state


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    if not dovecot_available():
        pytest.skip("dovecot is not installed (bash .ci/run installs it)")
    server = Dovecot().start()
    try:
        yield server
    finally:
        server.cleanup()


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, accounts: list[dict], **tables: dict) -> Path:
    """Write a config file the way a user would (TOML, one [[accounts]] table each)."""
    lines = []
    for name, table in tables.items():
        if name == "top":
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
            continue
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    for account in accounts:
        lines.append("[[accounts]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in account.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def config_file(tmp_path: Path):
    def make(accounts: list[dict], **tables: dict) -> Path:
        tables.setdefault("fetch", {"retry_backoff_seconds": 0.01, "timeout_seconds": 5})
        return write_config(tmp_path / "config.toml", accounts, **tables)
    return make
