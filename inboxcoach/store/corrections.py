"""The user's corrections: the corrections table, laid over the model's labels by the ``tags``
view that every reader of tags uses (migration 0010).

A correction is keyed by the message's store key, not its row or label, so it survives a re-tag
by a new model and can be exported and imported on another machine.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime

from inboxcoach.errors import InputError
from inboxcoach.records import Address, Correction, message_ref
from inboxcoach.rows import CorrectionRow
from inboxcoach.store.base import Connection, now

MIN_REF = 4  # letters after the "m": fewer would name too many messages


class CorrectionQueries(Connection):
    def resolve_refs(self, refs: list[str]) -> list[str]:
        """The key of the one stored message each reference starts, in the order given: all
        found in one pass over the keys, and all checked before anyone acts on them."""
        wanted = [ref.strip().lower() for ref in refs]
        for ref, w in zip(refs, wanted, strict=True):
            if not w.startswith("m") or len(w) < 1 + MIN_REF:
                raise InputError(f"{ref!r} is not a message reference: use one shown by the "
                                 "digest or `inboxcoach applications` (like m4f2a7q)")
        found: dict[str, list[str]] = {w: [] for w in wanted}
        for (key,) in self.conn.execute("SELECT msg_key FROM messages"):
            ref = message_ref(key)
            for w in found:
                if ref.startswith(w):
                    found[w].append(key)
        for ref, w in zip(refs, wanted, strict=True):
            if not found[w]:
                raise InputError(f"no stored message has the reference {ref}")
            if len(found[w]) > 1:
                raise InputError(f"{ref} names {len(found[w])} messages: give more of its letters")
        return [found[w][0] for w in wanted]

    def resolve_ref(self, ref: str) -> str:
        return self.resolve_refs([ref])[0]

    def correct(self, key: str, correction: Correction) -> Correction:
        """Store ``correction`` over any earlier one for the message, and forget why it got no
        draft: the next run decides its draft again with the corrected tags."""
        merged = correction.over(self.correction_for(key) or Correction())
        contact = merged.contact
        with self.transaction() as c:
            c.execute("INSERT OR REPLACE INTO corrections(msg_key, category, sender_kind, "
                      "contact_name, contact_email, no_contact, feedback, corrected_at) "
                      "VALUES (?,?,?,?,?,?,?,?)",
                      (key, merged.category, merged.sender_kind,
                       contact.name if contact else None, contact.email if contact else None,
                       int(merged.no_contact),
                       None if merged.feedback is None else int(merged.feedback), now()))
            c.execute("DELETE FROM draft_skips WHERE message_rowid = "
                      "(SELECT id FROM messages WHERE msg_key = ?)", (key,))
        return merged

    def undo_correction(self, key: str) -> bool:
        with self.transaction() as c:
            gone = c.execute("DELETE FROM corrections WHERE msg_key = ?", (key,)).rowcount
            c.execute("DELETE FROM draft_skips WHERE message_rowid = "
                      "(SELECT id FROM messages WHERE msg_key = ?)", (key,))
        return bool(gone)

    def correction_for(self, key: str) -> Correction | None:
        row = self.rows("SELECT * FROM corrections WHERE msg_key = ?", (key,)).fetchone()
        return correction_of(row) if row else None

    def corrections(self) -> list[CorrectionRow]:
        return [CorrectionRow(r["msg_key"], correction_of(r),
                              datetime.fromisoformat(r["corrected_at"]), r["subject"] or "",
                              r["from_addr"] or "", r["model_category"], r["model_sender_kind"])
                for r in self.rows("""
            SELECT c.*, m.subject, m.from_addr, l.category AS model_category,
                   l.sender_kind AS model_sender_kind
            FROM corrections c LEFT JOIN messages m ON m.msg_key = c.msg_key
            LEFT JOIN labels l ON l.message_rowid = m.id ORDER BY c.corrected_at, c.msg_key""")]


def correction_of(r: sqlite3.Row) -> Correction:
    """A corrections row (or the same columns of a wider query) as a record."""
    contact = Address(r["contact_name"] or "", r["contact_email"]) if r["contact_email"] else None
    return Correction(r["category"], r["sender_kind"], contact, bool(r["no_contact"]),
                      None if r["feedback"] is None else bool(r["feedback"]))

