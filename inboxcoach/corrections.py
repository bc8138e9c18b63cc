"""``inboxcoach correct``: the user says what a message really is, and it holds at once.

A correction is stored beside the model's answer (never over it) and every stage reads the two
laid together, so the digest, the applications and the next run's draft decisions follow it.
Corrections are exported and imported as JSON Lines in the labelled-data format that
``inboxcoach evaluate`` reads, so they can be kept, moved to another machine or scored on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from inboxcoach.errors import InputError
from inboxcoach.records import Address, Correction
from inboxcoach.rows import CorrectionRow
from inboxcoach.store.database import Store
from inboxcoach.vocab import Category, SenderKind


@dataclass(frozen=True)
class Asked:
    """What the user typed, before it is checked: the options of ``inboxcoach correct``."""

    category: str | None = None
    sender: str | None = None
    contact: str | None = None
    no_contact: bool = False
    feedback: bool | None = None
    not_job: bool = False


def correction_from(asked: Asked) -> Correction:
    """The correction the options ask for, or an error that says which options disagree."""
    if asked.not_job and asked.category and asked.category != Category.OTHER:
        raise InputError("--not-job and --category say different things: give one of them")
    category = Category.OTHER if asked.not_job else _choice(asked.category, Category, "category")
    if asked.feedback is not None and category not in (None, Category.REJECTION):
        raise InputError("--feedback and --no-feedback say whether a rejection gave its reasons: "
                         f"they cannot go with a message corrected to {category}")
    if asked.contact and asked.no_contact:
        raise InputError("--contact and --no-contact say different things: give one of them")
    correction = Correction(category, _choice(asked.sender, SenderKind, "sender"),
                            _address(asked.contact) if asked.contact else None,
                            asked.no_contact, asked.feedback)
    if correction == Correction():
        raise InputError("nothing to correct: give --category, --sender, --contact, "
                         "--no-contact, --feedback, --no-feedback or --not-job")
    return correction


def _choice(value: str | None, vocabulary: type[Category] | type[SenderKind], name: str
            ) -> Any:
    if value is None:
        return None
    try:
        return vocabulary(value.strip().lower())
    except ValueError:
        known = ", ".join(v.value for v in vocabulary)
        raise InputError(f"{value!r} is not a {name}: use one of {known}") from None


def _address(text: str) -> Address:
    """``"Jane Doe <jane@acme.example>"`` or a bare address; nothing that could break a header."""
    name, email = parseaddr(text)
    if "@" not in email or any(c in text for c in "\r\n\0"):
        raise InputError(f"{text!r} is not an address: write it as \"Name <name@example.com>\"")
    return Address(name.strip(), email.strip())


def apply(store: Store, refs: list[str], correction: Correction) -> list[str]:
    """Correct every message ``refs`` name (all are checked before any is changed)."""
    keys = store.resolve_refs(refs)
    return [f"{ref}: {describe(store.correct(key, correction))}"
            for ref, key in zip(refs, keys, strict=True)]


def undo(store: Store, refs: list[str]) -> list[str]:
    keys = store.resolve_refs(refs)
    return [f"{ref}: " + ("back to the model's tags" if store.undo_correction(key)
                          else "had no correction") for ref, key in zip(refs, keys, strict=True)]


def describe(c: Correction) -> str:
    parts = [str(c.category)] if c.category else []
    if c.sender_kind:
        parts.append(f"sender {c.sender_kind}")
    if c.no_contact:
        parts.append("no one to write to")
    elif c.contact:
        parts.append(f"contact {c.contact}")
    if c.feedback is not None:
        parts.append("gave its reasons" if c.feedback else "gave no reasons")
    return ", ".join(parts)


def list_lines(rows: list[CorrectionRow]) -> list[str]:
    if not rows:
        return ["no corrections yet"]
    return [f"{r.ref}  {r.corrected_at:%Y-%m-%d}  {describe(r.correction)}  "
            f"(model: {r.model_category or '-'}, {r.model_sender_kind or '-'})  "
            f"{r.from_addr}  {r.subject[:60]}" for r in rows]


# -- JSON Lines, in the labelled-data format ------------------------------------------------------
def export_lines(store: Store) -> list[str]:
    """One labelled record per correction: the message's own fields with the corrected tags."""
    rows = store.corrections()
    mails = store.emails_by_key(r.key for r in rows)
    out = []
    for r in rows:
        c, mail = r.correction, mails.get(r.key)
        record: dict[str, Any] = {"key": r.key, "corrected_at": r.corrected_at.isoformat()}
        if mail is not None:
            record |= {"message_id": mail.message_id, "subject": mail.subject,
                       "from_name": mail.from_.name if mail.from_ else "",
                       "from_addr": mail.from_.email if mail.from_ else "",
                       "body": mail.new_text or mail.text}
        record |= {"category": c.category or r.model_category,
                   "sender_kind": c.sender_kind or r.model_sender_kind}
        if c.no_contact or c.contact:
            record["has_human_contact"] = not c.no_contact
        if c.contact:
            record |= {"contact_name": c.contact.name, "contact_email": c.contact.email}
        if c.feedback is not None:
            record["contains_feedback"] = c.feedback
        record["corrected"] = _corrected_fields(c)
        out.append(json.dumps(record, ensure_ascii=False))
    return out


def _corrected_fields(c: Correction) -> list[str]:
    """Which of the record's tags the user set (the others are the model's)."""
    return [name for name, set_ in (("category", c.category), ("sender_kind", c.sender_kind),
                                    ("has_human_contact", c.contact or c.no_contact),
                                    ("contains_feedback", c.feedback is not None)) if set_]


def import_file(store: Store, path: Path) -> tuple[int, int]:
    """Corrections from an export: (stored, of which the mail is here already). A correction
    for mail not fetched yet is kept and holds when the mail arrives."""
    try:
        lines = path.read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    parsed = [_imported(line, f"{path}:{n}") for n, line in enumerate(lines, 1) if line.strip()]
    present = store.stored_keys(key for key, _ in parsed)
    for key, correction in parsed:
        store.correct(key, correction)
    return len(parsed), sum(key in present for key, _ in parsed)


def _imported(line: str, where: str) -> tuple[str, Correction]:
    try:
        record = json.loads(line)
        corrected = set(record.get("corrected", []))
        key = record["key"]
        if not isinstance(key, str) or not key:
            raise ValueError("key")
    except (ValueError, KeyError, TypeError, AttributeError):
        raise InputError(f"{where}: not a correction exported by inboxcoach "
                         "(each line needs its \"key\" and \"corrected\" fields)") from None
    contact = (record.get("contact_email") and
               f"{record.get('contact_name', '')} <{record['contact_email']}>")
    asked = Asked(record.get("category") if "category" in corrected else None,
                  record.get("sender_kind") if "sender_kind" in corrected else None,
                  contact if "has_human_contact" in corrected and contact else None,
                  "has_human_contact" in corrected and not record.get("has_human_contact"),
                  record.get("contains_feedback") if "contains_feedback" in corrected else None)
    try:
        return key, correction_from(asked)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
