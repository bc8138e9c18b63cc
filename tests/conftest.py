from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.builders import write_config
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


@pytest.fixture
def config_file(tmp_path: Path):
    def make(accounts: list[dict], **tables: dict) -> Path:
        tables.setdefault("fetch", {"retry_backoff_seconds": 0.01, "timeout_seconds": 5})
        return write_config(tmp_path / "config.toml", accounts, **tables)
    return make
