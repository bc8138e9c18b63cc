"""The state file: named migrations, owner-only permissions, refusal of a newer schema."""

from __future__ import annotations

import sqlite3
import stat

import pytest

from inboxcoach.errors import StoreError
from inboxcoach.store.database import Store
from inboxcoach.store.migrations import MIGRATIONS, pending
from inboxcoach.vocab import Skip, SkipReason


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


def _older_state_file(path, upto: str) -> sqlite3.Connection:
    """A state file as an inboxcoach that knew migrations up to ``upto`` left it."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT)")
    for name, step in MIGRATIONS:
        step(conn)
        conn.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
        if name == upto:
            return conn
    raise AssertionError(upto)


def test_pending_says_what_would_run_and_changes_nothing(tmp_path):
    path = tmp_path / "s.sqlite3"
    conn = _older_state_file(path, "0008_job_facts")
    before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert pending(conn) == ["0009_skip_codes", "0010_corrections"]
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    assert pending(sqlite3.connect(tmp_path / "new.sqlite3")) == [n for n, _ in MIGRATIONS]


def test_skip_reasons_stored_as_prose_become_codes(tmp_path):
    """Before 0009 a skip was stored as the sentence the user read; rewording one would have
    hidden every recorded skip. The migration turns each sentence into its code and detail."""
    path = tmp_path / "s.sqlite3"
    conn = _older_state_file(path, "0008_job_facts")
    old = ["automated: no one to ask", "you already replied", "older than 30 days",
           "waiting: the Sent folder of work could not be read, so you may have replied "
           "already; the next run decides", "the contact's address is not usable: x@"]
    for i, text in enumerate(old, 1):
        conn.execute("INSERT INTO messages(id, msg_key, raw_sha256, raw_z, raw_size, record, "
                     "parser_version, first_seen) VALUES (?, ?, '', x'', 0, '{}', 1, 'then')",
                     (i, f"k{i}"))
        conn.execute("INSERT INTO draft_skips(message_rowid, reason, decided_at) "
                     "VALUES (?, ?, 'then')", (i, text))
    conn.close()
    with Store.open(path) as store:
        rows = store.conn.execute("SELECT reason, detail FROM draft_skips "
                                  "ORDER BY message_rowid").fetchall()
    assert rows == [("no_contact", None), ("replied", None), ("too_old", "30"),
                    ("sent_unread", "work"),
                    ("cannot_compose", "the contact's address is not usable: x@")]
    assert [str(Skip(SkipReason(r), d)) for r, d in rows] == old
