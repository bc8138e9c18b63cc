"""Where each folder's sync stands, and the messages it brought: folders, locations, messages,
failures.

Messages are keyed by Message-ID (or a hash of the bytes), so the same mail seen in two folders,
after a UIDVALIDITY reset or after a crash is stored once. A batch of messages and the folder's
checkpoint are written in the same transaction: a run killed at any point leaves either the
whole batch with its checkpoint or neither, and the next run picks up exactly there.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC

from inboxcoach.records import PARSER_VERSION, Email, RawMessage
from inboxcoach.rows import BatchResult, Checkpoint, Failure, FailureRow, FolderStatus
from inboxcoach.store.base import Connection, chunks, marks, now


class SyncQueries(Connection):
    def checkpoint(self, account: str, folder: str) -> Checkpoint | None:
        row = self.conn.execute(
            "SELECT uidvalidity, last_uid FROM folders WHERE account=? AND folder=?",
            (account, folder),
        ).fetchone()
        return Checkpoint(*row) if row else None

    def start_folder(self, account: str, folder: str, uidvalidity: int) -> Checkpoint:
        """The checkpoint to resume from; a new UIDVALIDITY starts the folder over at UID 0."""
        current = self.checkpoint(account, folder)
        if current and current.uidvalidity == uidvalidity:
            return current
        with self.transaction() as c:
            # Old UIDs mean nothing under a new UIDVALIDITY; the messages themselves stay stored.
            c.execute("DELETE FROM locations WHERE account=? AND folder=? AND uidvalidity!=?",
                      (account, folder, uidvalidity))
            c.execute(
                "INSERT INTO folders(account, folder, uidvalidity, last_uid) VALUES (?,?,?,0) "
                "ON CONFLICT(account, folder) DO UPDATE SET uidvalidity=excluded.uidvalidity, "
                "last_uid=0",
                (account, folder, uidvalidity),
            )
        return Checkpoint(uidvalidity, 0)

    def known_refs(self, account: str, folder: str, uidvalidity: int,
                   candidates: Iterable[str]) -> set[str]:
        """Which of ``candidates`` are already stored or recorded as unreadable here. Asked
        for the candidates only, so a re-run's cost follows what is new, not the mailbox."""
        found: set[str] = set()
        for chunk in chunks(candidates):
            where = (f"WHERE account=? AND folder=? AND uidvalidity=? "
                     f"AND ref IN ({marks(chunk)})")
            for table in ("locations", "failures"):
                found.update(r[0] for r in self.conn.execute(
                    f"SELECT ref FROM {table} {where}",  # noqa: S608
                    (account, folder, uidvalidity, *chunk)))
        return found

    def commit_batch(
        self, account: str, folder: str, uidvalidity: int,
        parsed: Iterable[tuple[RawMessage, Email]], failures: Iterable[Failure], last_uid: int,
    ) -> BatchResult:
        """Store a batch and move the folder's checkpoint, all or nothing."""
        stored = dupes = failed = 0
        stamp = now()
        with self.transaction() as c:
            for raw, mail in parsed:
                message_id, new = _insert_message(c, raw, mail, stamp)
                stored += new
                dupes += not new
                c.execute(
                    "INSERT OR IGNORE INTO locations VALUES (?,?,?,?,?,?,?,?)",
                    (account, folder, uidvalidity, raw.ref.ref, raw.ref.uid, message_id,
                     " ".join(raw.flags), stamp),
                )
            for f in failures:
                failed += 1
                c.execute(
                    "INSERT OR IGNORE INTO failures(account, folder, uidvalidity, ref, reason, "
                    "raw_z, raw_size, recorded_at) VALUES (?,?,?,?,?,?,?,?)",
                    (account, folder, uidvalidity, f.raw.ref.ref, f.reason,
                     zlib.compress(f.raw.raw), len(f.raw.raw), stamp),
                )
            c.execute(
                "UPDATE folders SET last_uid=max(last_uid, ?), last_sync=? "
                "WHERE account=? AND folder=? AND uidvalidity=?",
                (last_uid, stamp, account, folder, uidvalidity),
            )
        return BatchResult(stored, dupes, failed)

    def mark_synced(self, account: str, folder: str) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE folders SET last_sync=?, last_error=NULL, last_error_at=NULL "
                "WHERE account=? AND folder=?", (now(), account, folder),
            )

    def record_error(self, account: str, folder: str, error: str) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO folders(account, folder, uidvalidity, last_error, last_error_at) "
                "VALUES (?,?,0,?,?) ON CONFLICT(account, folder) DO UPDATE SET "
                "last_error=excluded.last_error, last_error_at=excluded.last_error_at",
                (account, folder, error, now()),
            )

    def folder_statuses(self) -> list[FolderStatus]:
        rows = self.rows("""
            SELECT f.account, f.folder,
                   (SELECT count(DISTINCT l.message_rowid) FROM locations l
                     WHERE l.account=f.account AND l.folder=f.folder) AS messages,
                   (SELECT count(*) FROM failures x
                     WHERE x.account=f.account AND x.folder=f.folder) AS failures,
                   f.last_sync, f.last_error, f.last_error_at
            FROM folders f ORDER BY f.account, f.folder
        """)
        return [FolderStatus(**dict(r)) for r in rows]

    def failures(self, account: str | None = None) -> list[FailureRow]:
        sql = "SELECT account, folder, ref, reason, recorded_at FROM failures"
        args: tuple = ()
        if account:
            sql, args = sql + " WHERE account=?", (account,)
        return [FailureRow(**dict(r)) for r in self.rows(sql + " ORDER BY id", args)]

    def message_count(self) -> int:
        return self.count("SELECT count(*) FROM messages")

    def emails(self) -> Iterator[Email]:
        for (record,) in self.conn.execute("SELECT record FROM messages ORDER BY date, id"):
            yield Email.from_json(record)

    def stored_keys(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are stored, read from the key index alone."""
        found: set[str] = set()
        for chunk in chunks(keys):
            found.update(k for (k,) in self.conn.execute(
                f"SELECT msg_key FROM messages WHERE msg_key IN ({marks(chunk)})",  # noqa: S608
                chunk))
        return found

    def emails_by_key(self, keys: Iterable[str]) -> dict[str, Email]:
        out: dict[str, Email] = {}
        for chunk in chunks(keys):
            out.update((k, Email.from_json(r)) for k, r in self.conn.execute(
                f"SELECT msg_key, record FROM messages WHERE msg_key IN ({marks(chunk)})",  # noqa: S608
                chunk))
        return out


def _insert_message(c: sqlite3.Connection, raw: RawMessage, mail: Email, stamp: str
                    ) -> tuple[int, bool]:
    """The message's row id, and whether it is new (the same mail in two folders is one row)."""
    row = c.execute("SELECT id FROM messages WHERE msg_key=?", (mail.key,)).fetchone()
    if row:
        return row[0], False
    cur = c.execute(
        "INSERT INTO messages(msg_key, message_id, raw_sha256, raw_z, raw_size, headers_only, "
        "subject, from_addr, date, record, parser_version, first_seen) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (mail.key, mail.message_id, hashlib.sha256(raw.raw).hexdigest(),
         zlib.compress(raw.raw), len(raw.raw), int(raw.headers_only), mail.subject,
         mail.from_.email if mail.from_ else "",
         mail.date.astimezone(UTC).isoformat() if mail.date else None,
         mail.to_json(), PARSER_VERSION, stamp),
    )
    return int(cur.lastrowid or 0), True
