"""The state file: named migrations, owner-only permissions, refusal of a newer schema."""

from __future__ import annotations

import stat

import pytest

from inboxcoach.errors import StoreError
from inboxcoach.store.database import Store
from inboxcoach.store.migrations import MIGRATIONS


def test_migrations_apply_once_and_are_recorded(tmp_path):
    path = tmp_path / "state" / "s.sqlite3"
    with Store.open(path) as store:
        names = [r[0] for r in store.conn.execute("SELECT name FROM migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Store.open(path) as store:
        assert store.migrate() == []


def test_state_is_private(tmp_path):
    path = tmp_path / "state" / "s.sqlite3"
    Store.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store, store.transaction() as c:
        c.execute("INSERT INTO migrations VALUES ('9999_future', 'x')")
    with pytest.raises(StoreError, match="newer inboxcoach"):
        Store.open(path)


def test_garbage_state_file_is_a_clear_error(tmp_path):
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="cannot open the state file"):
        Store.open(path)


def test_finding_the_users_own_mail_reads_an_index_not_the_whole_table(tmp_path):
    """Every run asks which stored messages the user sent; at 100,000 messages a table scan
    cost 1.4 s, so the plan must use the index."""
    with Store.open(tmp_path / "s.sqlite3") as store:
        plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT record FROM messages "
                                  "WHERE from_addr IN (?, ?)", ("a@b", "c@d")).fetchall()
    assert any("USING INDEX messages_from" in row[-1] for row in plan)
