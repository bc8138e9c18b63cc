"""The local state: one SQLite file (WAL) holding messages, where they live, and sync checkpoints.

Messages are keyed by Message-ID (or a hash of the bytes), so the same mail seen in two folders,
after a UIDVALIDITY reset or after a crash is stored once. A batch of messages and the folder's
checkpoint are written in the same transaction: a run killed at any point leaves either the
whole batch with its checkpoint or neither, and the next run picks up exactly there.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inboxcoach.errors import StoreError
from inboxcoach.paths import private_dir
from inboxcoach.records import (
    PARSER_VERSION,
    Email,
    JobFacts,
    Prediction,
    RawMessage,
    Rejection,
    Tagged,
    TagRow,
)
from inboxcoach.store.migrations import MIGRATIONS
from inboxcoach.vocab import DraftState, Skip, SkipReason


@dataclass(frozen=True)
class Checkpoint:
    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class Failure:
    raw: RawMessage
    reason: str


@dataclass(frozen=True)
class BatchResult:
    stored: int  # new messages
    duplicates: int  # already stored under another folder or run
    failed: int


@dataclass(frozen=True)
class FolderStatus:
    account: str
    folder: str
    messages: int
    failures: int
    last_sync: str | None
    last_error: str | None
    last_error_at: str | None


# Stored dates are ISO with their own offset: compared as instants in SQL.
DATED_AFTER = " AND (m.date IS NULL OR julianday(m.date) > julianday(?))"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# In draft_skips.model_version: no model has this version, so the next run decides again
# (a rejection waiting for a Sent folder that could not be read).
WAITING = "waiting"


class Store:
    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Store:
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

    def __enter__(self) -> Store:
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

    # -- schema ---------------------------------------------------------------------------
    def migrate(self) -> list[str]:
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

    # -- sync state -------------------------------------------------------------------------
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
        refs = list(candidates)
        for start in range(0, len(refs), 500):
            chunk = refs[start:start + 500]
            args = (account, folder, uidvalidity, *chunk)
            where = (f"WHERE account=? AND folder=? AND uidvalidity=? "
                     f"AND ref IN ({','.join('?' * len(chunk))})")
            for table in ("locations", "failures"):
                found.update(r[0] for r in self.conn.execute(
                    f"SELECT ref FROM {table} {where}", args))  # noqa: S608
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
                message_id, new = self._insert_message(c, raw, mail, stamp)
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

    @staticmethod
    def _insert_message(
        c: sqlite3.Connection, raw: RawMessage, mail: Email, stamp: str
    ) -> tuple[int, bool]:
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

    # -- reading ----------------------------------------------------------------------------
    def folder_statuses(self) -> list[FolderStatus]:
        rows = self.conn.execute("""
            SELECT f.account, f.folder,
                   (SELECT count(DISTINCT l.message_rowid) FROM locations l
                     WHERE l.account=f.account AND l.folder=f.folder),
                   (SELECT count(*) FROM failures x
                     WHERE x.account=f.account AND x.folder=f.folder),
                   f.last_sync, f.last_error, f.last_error_at
            FROM folders f ORDER BY f.account, f.folder
        """).fetchall()
        return [FolderStatus(*r) for r in rows]

    def failures(self, account: str | None = None) -> list[tuple[str, str, str, str, str]]:
        sql = "SELECT account, folder, ref, reason, recorded_at FROM failures"
        args: tuple = ()
        if account:
            sql, args = sql + " WHERE account=?", (account,)
        return self.conn.execute(sql + " ORDER BY id", args).fetchall()

    def message_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM messages").fetchone()[0])

    def emails(self) -> Iterator[Email]:
        for (record,) in self.conn.execute("SELECT record FROM messages ORDER BY date, id"):
            yield Email.from_json(record)

    # -- labels ---------------------------------------------------------------------------------
    def unlabelled(self, model_version: str, limit: int, after: int = 0
                   ) -> list[tuple[int, Email]]:
        """Messages never classified, or classified by another model version, from row id
        ``after`` on: a caller going through them in batches passes the last id it saw, so
        each batch starts where the last one ended instead of rereading the labelled ones."""
        rows = self.conn.execute(
            "SELECT m.id, m.record FROM messages m LEFT JOIN labels l ON l.message_rowid = m.id "
            "WHERE m.id > ? AND (l.model_version IS NULL OR l.model_version != ?) "
            "ORDER BY m.id LIMIT ?",
            (after, model_version, limit),
        ).fetchall()
        return [(rowid, Email.from_json(record)) for rowid, record in rows]

    def needs_labels(self, model_version: str) -> bool:
        """Whether any message lacks a label from this model. Counts over indexes: an hourly
        run with nothing new must not read every stored message to find that out."""
        return self._count_labels(model_version) < self.message_count()

    def _count_labels(self, model_version: str | None = None) -> int:
        """Labels (from one model if given); each message has at most one, and a label always
        has its message, so messages minus labels is the untagged count."""
        if model_version is None:
            return int(self.conn.execute("SELECT count(*) FROM labels").fetchone()[0])
        return int(self.conn.execute("SELECT count(*) FROM labels WHERE model_version = ?",
                                     (model_version,)).fetchone()[0])

    def save_labels(self, model_version: str,
                    labels: Iterable[tuple[int, Any, JobFacts | None]]) -> int:
        """Store predictions, each with the job facts read from the mail, or None when they
        were not read (mail outside the job search needs none)."""
        stamp, n = now(), 0
        with self.transaction() as c:
            for rowid, p, facts in labels:
                c.execute(
                    "INSERT OR REPLACE INTO labels(message_rowid, model_version, category, "
                    "category_confidence, category_unsure, sender_kind, sender_confidence, "
                    "sender_unsure, classified_at, feedback_probability, company, role, "
                    "understood, facts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (rowid, model_version, p.category, p.category_confidence,
                     int(p.category_unsure), p.sender_kind, p.sender_confidence,
                     int(p.sender_unsure), stamp, p.feedback_probability, *_fact_columns(facts)),
                )
                n += 1
        return n

    def save_understanding(self, facts: Iterable[tuple[str, JobFacts]]) -> None:
        """Job facts for messages labelled before they were kept (message key first)."""
        with self.transaction() as c:
            c.executemany("UPDATE labels SET company=?, role=?, understood=?, facts=? WHERE "
                          "message_rowid=(SELECT id FROM messages WHERE msg_key=?)",
                          [(*_fact_columns(f), key) for key, f in facts])

    def label_counts(self) -> dict[str, int]:
        return dict(self.conn.execute("SELECT category, count(*) FROM labels GROUP BY category"))

    def tagged(self, categories: Iterable[str] | None = None,
               seen_after: datetime | None = None,
               dated_after: datetime | None = None) -> list[Tagged]:
        """Classified messages with their labels, oldest first; only ``categories`` if given,
        only those stored after ``seen_after`` and dated after ``dated_after`` (or undated)
        if given."""
        sql = ("SELECT m.record, l.category, l.category_confidence, l.category_unsure, "
               "l.sender_kind, l.sender_confidence, l.sender_unsure, l.feedback_probability, "
               "m.first_seen, l.facts "
               "FROM messages m JOIN labels l ON l.message_rowid = m.id WHERE 1")
        args: list[str] = []
        if categories is not None:
            cats = list(categories)
            sql += f" AND l.category IN ({','.join('?' * len(cats))})"
            args += cats
        if seen_after is not None:
            sql += " AND m.first_seen > ?"
            args.append(seen_after.astimezone(UTC).isoformat(timespec="seconds"))
        if dated_after is not None:
            sql += DATED_AFTER
            args.append(dated_after.isoformat())
        rows = self.conn.execute(sql + " ORDER BY m.date, m.id", args).fetchall()
        return [Tagged(Email.from_json(r[0]),
                       Prediction(r[1], r[2], bool(r[3]), r[4], r[5], bool(r[6]), r[7]),
                       datetime.fromisoformat(r[8]), _facts(r[9])) for r in rows]

    def tagged_threads(self, categories: Iterable[str], senders: Iterable[str] = ()
                       ) -> Iterator[Tagged]:
        """Like ``tagged``, oldest first, but streamed, and each email a thread stub (ids,
        sender, subject, date) read with SQLite's JSON functions: memory stays small however
        large the store is. Mail from ``senders`` (the user's) comes whatever its category."""
        cats, who = list(categories), list(senders)
        marks = ",".join("?" * len(cats))  # only placeholders are formatted into the SQL
        whom = ",".join("?" * len(who)) or "NULL"
        rows = self.conn.execute(
            "SELECT m.msg_key, m.message_id, json_extract(m.record, '$.in_reply_to'), "  # noqa: S608
            "json_extract(m.record, '$.references'), m.from_addr, m.subject, m.date, "
            "l.category, l.category_confidence, l.category_unsure, l.sender_kind, "
            "l.sender_confidence, l.sender_unsure, l.feedback_probability, m.first_seen, "
            "l.facts FROM messages m JOIN labels l "
            f"ON l.message_rowid = m.id WHERE l.category IN ({marks}) "
            f"OR lower(m.from_addr) IN ({whom}) ORDER BY m.date, m.id", cats + who)
        for r in rows:
            yield Tagged(Email.thread_stub(r[0], r[1], r[2], tuple(json.loads(r[3] or "[]")),
                                           r[4], r[5],
                                           datetime.fromisoformat(r[6]) if r[6] else None),
                         Prediction(r[7], r[8], bool(r[9]), r[10], r[11], bool(r[12]), r[13]),
                         datetime.fromisoformat(r[14]), _facts(r[15]))

    def not_understood(self, categories: Iterable[str], senders: Iterable[str] = (),
                       rules: int = 0) -> list[str]:
        """Keys of tagged messages whose job facts were never read, or read by rules other than
        version ``rules``."""
        cats, who = list(categories), list(senders)
        marks = ",".join("?" * len(cats))  # only placeholders are formatted into the SQL
        whom = ",".join("?" * len(who)) or "NULL"
        sql = ("SELECT m.msg_key FROM messages m JOIN labels l ON l.message_rowid = m.id "  # noqa: S608
               "WHERE (l.facts IS NULL OR coalesce(json_extract(l.facts, '$.rules'), 0) != ?) "
               f"AND (l.category IN ({marks}) OR lower(m.from_addr) IN ({whom}))")
        return [r[0] for r in self.conn.execute(sql, [rules, *cats, *who])]

    def emails_by_key(self, keys: Iterable[str]) -> dict[str, Email]:
        out: dict[str, Email] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            out.update((k, Email.from_json(r)) for k, r in self.conn.execute(
                f"SELECT msg_key, record FROM messages WHERE msg_key IN "  # noqa: S608
                f"({','.join('?' * len(chunk))})", chunk))
        return out

    def tag_subjects(self, category: str, seen_after: datetime, dated_after: datetime
                     ) -> Iterator[TagRow]:
        """Newest first, the messages of one category stored after ``seen_after`` and dated
        after ``dated_after`` (or undated), as TagRows whose ``key`` is the subject: enough to
        count them and name a few."""
        sql = ("SELECT m.date, m.first_seen, m.from_addr, m.subject FROM messages m "  # noqa: S608
               "JOIN labels l ON l.message_rowid = m.id WHERE l.category = ? "
               f"AND m.first_seen > ? {DATED_AFTER} ORDER BY m.date DESC")
        for r in self.conn.execute(
                sql, (category, seen_after.astimezone(UTC).isoformat(timespec="seconds"),
                 dated_after.isoformat())):
            yield TagRow(datetime.fromisoformat(r[0]) if r[0] else None,
                         datetime.fromisoformat(r[1]), category, "", r[2], r[3])

    def untagged_count(self) -> int:
        return self.message_count() - self._count_labels()

    def tag_rows(self) -> Iterator[TagRow]:
        """Every tagged message's date, tags and sender, streamed in no particular order."""
        for r in self.conn.execute(
                "SELECT m.date, m.first_seen, l.category, l.sender_kind, m.from_addr, "
                "m.msg_key FROM messages m JOIN labels l ON l.message_rowid = m.id"):
            yield TagRow(datetime.fromisoformat(r[0]) if r[0] else None,
                         datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5])

    # -- drafts ---------------------------------------------------------------------------------
    def rejections(self) -> Iterator[Rejection]:
        """Rejections still to decide, oldest first and streamed (a first run may find
        thousands). Decided means a draft or a skip; a provisional skip (the model was unsure)
        holds only while the label comes from the model that made it."""
        ids = [r[0] for r in self.conn.execute("""
            SELECT id FROM messages WHERE id IN (
                SELECT l.message_rowid FROM labels l
                LEFT JOIN draft_skips s ON s.message_rowid = l.message_rowid
                WHERE l.category = 'rejection'
                  AND l.message_rowid NOT IN (SELECT message_rowid FROM drafts)
                  AND (s.message_rowid IS NULL OR s.model_version != l.model_version))
            ORDER BY date, id""")]  # the decided ones are found in indexes alone
        for start in range(0, len(ids), 200):  # whole records a few hundred at a time
            chunk = ids[start:start + 200]
            rows = {r[0]: r for r in self.conn.execute(f"""
                SELECT m.id, m.record, (SELECT account FROM locations l
                                        WHERE l.message_rowid = m.id
                                        ORDER BY l.seen_at LIMIT 1), l.feedback_probability,
                       l.category_unsure, m.first_seen, l.model_version
                FROM messages m JOIN labels l ON l.message_rowid = m.id
                WHERE m.id IN ({','.join('?' * len(chunk))})""", chunk)}  # noqa: S608
            for rowid in chunk:
                r = rows[rowid]
                yield Rejection(r[0], Email.from_json(r[1]), r[2] or "", r[3], bool(r[4]),
                                datetime.fromisoformat(r[5]), r[6])

    def has_draft_for_thread(self, thread_key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM drafts WHERE thread_key=?",
                                 (thread_key,)).fetchone() is not None

    def record_draft(self, rowid: int, thread_key: str, account: str, draft: Any,
                     eml_path: str | None, state: DraftState) -> int:
        """Record a draft with its bytes before anything is written or appended anywhere."""
        with self.transaction() as c:
            cur = c.execute(
                "INSERT INTO drafts(message_rowid, thread_key, account, draft_message_id, to_addr,"
                " subject, variant, raw_z, eml_path, state, created_at) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (rowid, thread_key, account, draft.message_id, draft.to.email, draft.subject,
                 draft.variant, zlib.compress(draft.raw), eml_path, state, now()),
            )
            # an earlier provisional skip (unsure, waiting) no longer says why there is none
            c.execute("DELETE FROM draft_skips WHERE message_rowid=?", (rowid,))
        return int(cur.lastrowid or 0)

    def update_draft(self, draft_id: int, **fields: Any) -> None:
        allowed = {"state", "imap_folder", "imap_uid", "error", "appended_at", "eml_path"}
        assert set(fields) <= allowed
        sets = ", ".join(f"{k}=?" for k in fields)
        with self.transaction() as c:
            c.execute(f"UPDATE drafts SET {sets} WHERE id=?", (*fields.values(), draft_id))  # noqa: S608

    def pending_drafts(self) -> list[tuple[int, str, str, bytes]]:
        """Drafts recorded but not confirmed in the Drafts folder: (id, account, msg-id, raw)."""
        rows = self.conn.execute(
            "SELECT id, account, draft_message_id, raw_z FROM drafts WHERE state IN "
            "('pending', 'failed') ORDER BY id").fetchall()
        return [(r[0], r[1], r[2], zlib.decompress(r[3])) for r in rows]

    def drafts_without_file(self) -> list[tuple[int, str, bytes]]:
        rows = self.conn.execute("SELECT id, draft_message_id, raw_z FROM drafts "
                                 "WHERE eml_path IS NULL ORDER BY id").fetchall()
        return [(r[0], r[1], zlib.decompress(r[2])) for r in rows]

    def skip_draft(self, rowid: int, skip: Skip, model_version: str | None = None,
                   waiting: bool = False) -> None:
        """Record why a rejection gets no draft. With ``model_version`` the skip is
        provisional: a later model's label decides again; ``waiting``: the next run does."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO draft_skips(message_rowid, reason, detail, "
                      "decided_at, model_version) VALUES (?,?,?,?,?)",
                      (rowid, skip.reason.value, skip.detail, now(),
                       WAITING if waiting else model_version))

    def draft_rows(self) -> list[dict[str, Any]]:
        cur = self.conn.execute("""
            SELECT d.created_at, d.to_addr, d.subject, d.variant, d.state, d.eml_path,
                   d.imap_folder, d.error, m.date AS rejection_date, m.msg_key AS message_key
            FROM drafts d JOIN messages m ON m.id = d.message_rowid ORDER BY d.id""")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def skip_rows(self) -> list[dict[str, Any]]:
        """Recorded skips: ``reason`` a ``SkipReason``, ``note`` its wording for people."""
        cur = self.conn.execute("""
            SELECT s.decided_at, m.subject, m.from_addr, s.reason, s.detail,
                   m.date AS rejection_date, m.msg_key AS message_key
            FROM draft_skips s JOIN messages m ON m.id = s.message_rowid
            JOIN labels l ON l.message_rowid = s.message_rowid
            WHERE s.model_version IS NULL OR s.model_version IN (l.model_version, ?)
            ORDER BY m.date""", (WAITING,))  # an unsure skip holds only for its model
        names = [c[0] for c in cur.description]
        rows = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
        for row in rows:
            skip = Skip(SkipReason(row["reason"]), row["detail"])
            row["reason"], row["note"] = skip.reason, str(skip)
        return rows

    def replies_from(self, addresses: set[str]) -> set[str]:
        """Message-IDs that stored mail from these addresses answers (In-Reply-To/References)."""
        found: set[str] = set()
        if not addresses:
            return found
        marks = ",".join("?" * len(addresses))
        for (record,) in self.conn.execute(
                f"SELECT record FROM messages WHERE from_addr IN ({marks})",  # noqa: S608
                tuple(addresses)):
            mail = Email.from_json(record)
            found.update(mail.references)
            if mail.in_reply_to:
                found.add(mail.in_reply_to)
        return found

    # -- digests ------------------------------------------------------------------------------
    def record_digest(self, written_at: datetime, since: datetime, path: str,
                      new_messages: int, fingerprint: str | None = None) -> int:
        stamps = (t.astimezone(UTC).isoformat(timespec="seconds") for t in (written_at, since))
        with self.transaction() as c:
            cur = c.execute("INSERT INTO digests(written_at, since, path, new_messages, "
                            "fingerprint) VALUES (?,?,?,?,?)",
                            (*stamps, path, new_messages, fingerprint))
        return int(cur.lastrowid or 0)

    def digest_times(self) -> tuple[datetime, datetime] | None:
        """(where the first digest's window began, when the last digest was written)."""
        row = self.conn.execute("SELECT (SELECT since FROM digests ORDER BY id LIMIT 1), "
                                "MAX(written_at) FROM digests").fetchone()
        if row is None or row[1] is None:
            return None
        return datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])

    def last_digest(self) -> tuple[int, str, int, str | None] | None:
        """(id, path, new messages, fingerprint) of the newest digest."""
        return self.conn.execute("SELECT id, path, new_messages, fingerprint FROM digests "
                                 "ORDER BY id DESC LIMIT 1").fetchone()

    def fingerprint(self) -> str:
        """Changes whenever anything the digest shows could: mail, tags, drafts, deliveries."""
        row = self.conn.execute("""SELECT
            (SELECT max(id) FROM messages), (SELECT count(*) FROM labels),
            (SELECT max(classified_at) FROM labels), (SELECT count(*) FROM drafts),
            (SELECT max(coalesce(appended_at, created_at)) FROM drafts),
            (SELECT count(*) FROM drafts WHERE state != 'appended'),
            (SELECT count(*) FROM draft_skips), (SELECT max(delivered_at) FROM digests)
        """).fetchone()
        return "|".join(map(str, row))

    def last_delivery(self) -> str | None:
        return self.conn.execute("SELECT max(delivered_at) FROM digests").fetchone()[0]

    def mark_delivered(self, digest_id: int) -> None:
        with self.transaction() as c:
            c.execute("UPDATE digests SET delivered_at=? WHERE id=?", (now(), digest_id))

    # -- runs ---------------------------------------------------------------------------------
    def start_run(self, command: str) -> int:
        with self.transaction() as c:
            cur = c.execute("INSERT INTO runs(command, started_at) VALUES (?, ?)", (command, now()))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, exit_code: int, summary: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE runs SET finished_at=?, exit_code=?, summary=? WHERE id=?",
                (now(), exit_code, json.dumps(summary), run_id),
            )

    def last_run(self, command: str) -> tuple[str, str | None, int | None] | None:
        return self.conn.execute(
            "SELECT started_at, finished_at, exit_code FROM runs WHERE command=? "
            "ORDER BY id DESC LIMIT 1", (command,),
        ).fetchone()


def _fact_columns(facts: JobFacts | None) -> tuple[str | None, str | None, int, str | None]:
    """company and role stay beside the record for readers of the table."""
    if facts is None:
        return None, None, 0, None
    return facts.employer, facts.role, 1, facts.to_json()


def _facts(text: str | None) -> JobFacts | None:
    return JobFacts.from_json(text) if text else None
