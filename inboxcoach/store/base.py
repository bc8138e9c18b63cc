"""The connection every part of the store shares: opening the file, transactions, migrations.

The store's queries are split by table into mixins over this class (``sync``, ``labels``,
``drafts``, ``history``); ``database.Store`` puts them together. Rows come back through
``rows``, as ``sqlite3.Row``, so each query maps its columns to a record by name.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from inboxcoach.errors import StoreError
from inboxcoach.paths import private_dir
from inboxcoach.store.migrations import MIGRATIONS

# Stored dates are ISO with their own offset: compared as instants in SQL.
DATED_AFTER = " AND (m.date IS NULL OR julianday(m.date) > julianday(?))"

# SQLite's default limit on host parameters is far above this; chunks keep statements short.
CHUNK = 500


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def stamp(moment: datetime) -> str:
    """An instant as the store writes it: UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def marks(values: list[Any]) -> str:
    """``?,?,?`` for ``values``: only placeholders are ever formatted into SQL."""
    return ",".join("?" * len(values))


def chunks(values: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Connection:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Self:
        private_dir(path.parent)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        try:
            conn = sqlite3.connect(path, isolation_level=None, timeout=30)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the state file {path}: {exc}") from None
        store = cls(conn, path)
        store.migrate()
        return store

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def rows(self, sql: str, args: Iterable[Any] = ()) -> sqlite3.Cursor:
        """A query whose rows are ``sqlite3.Row``, read by column name. Only this cursor: the
        connection keeps plain tuples for code that reads it directly."""
        cur = self.conn.cursor()
        cur.row_factory = sqlite3.Row
        return cur.execute(sql, tuple(args))

    def count(self, sql: str, args: Iterable[Any] = ()) -> int:
        return int(self.conn.execute(sql, tuple(args)).fetchone()[0] or 0)

    def migrate(self) -> list[str]:
        """Apply the named migrations this file has not had, each in its own transaction."""
        with self.transaction() as c:
            c.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, "
                      "applied_at TEXT)")
        done = {r[0] for r in self.conn.execute("SELECT name FROM migrations")}
        known = {name for name, _ in MIGRATIONS}
        if done - known:
            raise StoreError(
                f"the state file {self.path} was written by a newer inboxcoach "
                f"(migration {sorted(done - known)[-1]}); upgrade inboxcoach"
            )
        applied = []
        for name, step in MIGRATIONS:
            if name in done:
                continue
            with self.transaction() as c:
                step(c)
                c.execute("INSERT INTO migrations VALUES (?, ?)", (name, now()))
            applied.append(name)
        return applied
