"""Feedback drafts and the reasons rejections got none: the drafts and draft_skips tables.

A draft is recorded, with its bytes, before it is written anywhere; its state then follows it
into the Drafts folder. That order is what makes drafts exactly-once across crashes.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from inboxcoach.records import Address, Email, Rejection
from inboxcoach.rows import DraftRow, SkipRow, StoredDraft
from inboxcoach.store.base import Connection, chunks, marks, now, when
from inboxcoach.vocab import DraftState, Skip, SkipReason

# In draft_skips.model_version: no model has this version, so the next run decides again
# (a rejection waiting for a Sent folder that could not be read).
WAITING = "waiting"


class ComposedDraft(Protocol):
    """What the store keeps of a composed draft (the drafts stage's ``Draft``)."""

    @property
    def message_id(self) -> str: ...
    @property
    def to(self) -> Address: ...
    @property
    def subject(self) -> str: ...
    @property
    def variant(self) -> str: ...
    @property
    def raw(self) -> bytes: ...


class DraftQueries(Connection):
    def rejections(self) -> Iterator[Rejection]:
        """Rejections still to decide, oldest first and streamed (a first run may find
        thousands). Decided means a draft or a skip; a provisional skip (the model was unsure)
        holds only while the label comes from the model that made it. A correction counts: to a
        rejection it is decided, away from one it is not."""
        ids = [r[0] for r in self.conn.execute("""
            SELECT id FROM messages WHERE id IN (
                SELECT l.message_rowid FROM tags l
                LEFT JOIN draft_skips s ON s.message_rowid = l.message_rowid
                WHERE l.category = 'rejection' AND l.message_rowid IN (
                      SELECT message_rowid FROM labels WHERE category = 'rejection'
                      UNION SELECT m.id FROM corrections c JOIN messages m USING (msg_key)
                      WHERE c.category = 'rejection')
                  AND l.message_rowid NOT IN (SELECT message_rowid FROM drafts)
                  AND (s.message_rowid IS NULL OR s.model_version != l.model_version))
            ORDER BY date, id""")]  # the decided ones are found in indexes alone
        for chunk in chunks(ids, 200):  # whole records a few hundred at a time
            rows = {r["id"]: r for r in self.rows(f"""
                SELECT m.id, m.record, (SELECT account FROM locations l
                                        WHERE l.message_rowid = m.id
                                        ORDER BY l.seen_at LIMIT 1) AS account,
                       l.feedback_probability, l.category_unsure, m.first_seen, l.model_version,
                       c.contact_name, c.contact_email, coalesce(c.no_contact, 0) AS no_contact
                FROM messages m JOIN tags l ON l.message_rowid = m.id
                LEFT JOIN corrections c ON c.msg_key = m.msg_key
                WHERE m.id IN ({marks(chunk)})""", chunk)}  # noqa: S608
            for rowid in chunk:
                yield _rejection(rows[rowid])

    def has_draft_for_thread(self, thread_key: str) -> bool:
        return self.conn.execute("SELECT 1 FROM drafts WHERE thread_key=?",
                                 (thread_key,)).fetchone() is not None

    def record_draft(self, rowid: int, thread_key: str, account: str, draft: ComposedDraft,
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

    def set_draft_file(self, draft_id: int, eml_path: str) -> None:
        with self.transaction() as c:
            c.execute("UPDATE drafts SET eml_path=? WHERE id=?", (eml_path, draft_id))

    def mark_draft_failed(self, draft_id: int, error: str) -> None:
        """The server refused this draft; it stays to be tried again by the next run."""
        with self.transaction() as c:
            c.execute("UPDATE drafts SET state=?, error=? WHERE id=?",
                      (DraftState.FAILED, error, draft_id))

    def mark_draft_appended(self, draft_id: int, folder: str, uid: int | None) -> None:
        with self.transaction() as c:
            c.execute("UPDATE drafts SET state=?, imap_folder=?, imap_uid=?, appended_at=?, "
                      "error=NULL WHERE id=?", (DraftState.APPENDED, folder, uid, now(), draft_id))

    def pending_drafts(self) -> list[StoredDraft]:
        """Drafts recorded but not confirmed in the Drafts folder."""
        return [_stored(r) for r in self.rows(
            "SELECT id, account, draft_message_id, raw_z FROM drafts WHERE state IN (?, ?) "
            "ORDER BY id", (DraftState.PENDING, DraftState.FAILED))]

    def drafts_without_file(self) -> list[StoredDraft]:
        """Drafts recorded by a run that died before writing their .eml file."""
        return [_stored(r) for r in self.rows(
            "SELECT id, account, draft_message_id, raw_z FROM drafts "
            "WHERE eml_path IS NULL ORDER BY id")]

    def skip_draft(self, rowid: int, skip: Skip, model_version: str | None = None,
                   waiting: bool = False) -> None:
        """Record why a rejection gets no draft. With ``model_version`` the skip is
        provisional: a later model's label decides again; ``waiting``: the next run does."""
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO draft_skips(message_rowid, reason, detail, "
                      "decided_at, model_version) VALUES (?,?,?,?,?)",
                      (rowid, skip.reason.value, skip.detail, now(),
                       WAITING if waiting else model_version))

    def draft_rows(self) -> list[DraftRow]:
        return [DraftRow(datetime.fromisoformat(r["created_at"]), r["to_addr"], r["subject"],
                         r["variant"], DraftState(r["state"]), r["eml_path"], r["imap_folder"],
                         r["error"], when(r["rejection_date"]), r["msg_key"], bool(r["due"]))
                for r in self.rows("""
            SELECT d.created_at, d.to_addr, d.subject, d.variant, d.state, d.eml_path,
                   d.imap_folder, d.error, m.date AS rejection_date, m.msg_key,
                   coalesce(t.category = 'rejection', 1) AS due
            FROM drafts d JOIN messages m ON m.id = d.message_rowid
            LEFT JOIN tags t ON t.message_rowid = d.message_rowid ORDER BY d.id""")]

    def skip_rows(self) -> list[SkipRow]:
        """Recorded skips that still hold: an unsure skip holds only for its model."""
        return [SkipRow(datetime.fromisoformat(r["decided_at"]), r["subject"], r["from_addr"],
                        Skip(SkipReason(r["reason"]), r["detail"]), when(r["rejection_date"]),
                        r["msg_key"])
                for r in self.rows("""
            SELECT s.decided_at, m.subject, m.from_addr, s.reason, s.detail,
                   m.date AS rejection_date, m.msg_key
            FROM draft_skips s JOIN messages m ON m.id = s.message_rowid
            JOIN labels l ON l.message_rowid = s.message_rowid
            WHERE s.model_version IS NULL OR s.model_version IN (l.model_version, ?)
            ORDER BY m.date""", (WAITING,))]

    def replies_from(self, addresses: set[str]) -> set[str]:
        """Message-IDs that stored mail from these addresses answers (In-Reply-To/References)."""
        found: set[str] = set()
        if not addresses:
            return found
        who = sorted(addresses)
        for (record,) in self.conn.execute(
                f"SELECT record FROM messages WHERE from_addr IN ({marks(who)})",  # noqa: S608
                who):
            mail = Email.from_json(record)
            found.update(mail.references)
            if mail.in_reply_to:
                found.add(mail.in_reply_to)
        return found


def _rejection(r: sqlite3.Row) -> Rejection:
    contact = (Address(r["contact_name"] or "", r["contact_email"]) if r["contact_email"]
               else None)
    return Rejection(r["id"], Email.from_json(r["record"]), r["account"] or "",
                     r["feedback_probability"], bool(r["category_unsure"]),
                     datetime.fromisoformat(r["first_seen"]), r["model_version"], contact,
                     bool(r["no_contact"]))


def _stored(r: sqlite3.Row) -> StoredDraft:
    return StoredDraft(r["id"], r["account"], r["draft_message_id"], zlib.decompress(r["raw_z"]))
