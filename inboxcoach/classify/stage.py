"""The classify stage: tag Email records with the model, for files on disk or the store."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inboxcoach.classify.applications import STATUS_OF
from inboxcoach.classify.model import Classifier
from inboxcoach.classify.understand import Me, job_facts, understand
from inboxcoach.errors import InputError
from inboxcoach.fetch.local import open_local
from inboxcoach.fetch.parse import BatchParser, not_mail_reason
from inboxcoach.records import Email, MessageRef, Prediction, RawMessage
from inboxcoach.store.database import Store

CHUNK = 500


@dataclass(frozen=True)
class Classified:
    email: Email
    prediction: Prediction
    source: str

    def as_json(self) -> dict[str, Any]:
        """The stable machine-readable shape of ``classify --json`` (its fields are listed in the
        README's command table; scripts rely on them)."""
        p, mail = self.prediction, self.email
        facts = understand(mail)
        contact = facts.contact
        return {
            "source": self.source,
            "message_id": mail.message_id,
            "subject": mail.subject,
            "from": mail.from_.email if mail.from_ else None,
            "date": mail.date.isoformat() if mail.date else None,
            "category": p.category,
            "category_confidence": p.category_confidence,
            "category_unsure": p.category_unsure,
            "sender_kind": p.sender_kind,
            "sender_confidence": p.sender_confidence,
            "sender_unsure": p.sender_unsure,
            "has_human_contact": contact is not None,
            "contact": {"name": contact.name, "email": contact.email} if contact else None,
            "company": facts.company,
            "role": facts.role,
            "contains_feedback": p.contains_feedback,
        }


def read_paths(paths: Sequence[str], max_bytes: int) -> Iterator[RawMessage]:
    """Raw messages from .eml files, Maildirs, mboxes, or ``-`` (one message on stdin)."""
    for name in paths:
        if name == "-":
            data = sys.stdin.buffer.read(max_bytes + 1)
            yield RawMessage("stdin", "-", MessageRef("stdin"), data)
            continue
        path = Path(name)
        if not path.exists():
            raise InputError(f"{path} does not exist")
        with open_local("files", path) as box:
            refs = box.list_new(0, None)
            if not refs:
                raise InputError(f"{path} holds no mail (.eml files, a Maildir or an mbox)")
            yield from box.fetch(refs, max_bytes)


def source_name(raw: RawMessage) -> str:
    return raw.ref.ref if raw.ref.ref == raw.folder or raw.folder == "-" else (
        f"{raw.folder}/{raw.ref.ref}")


def not_mail(raws: Sequence[RawMessage]) -> tuple[list[RawMessage], list[tuple[RawMessage, str]]]:
    """The inputs that are mail, and those that are not with the reason (never tagged)."""
    mail, other = [], []
    for raw in raws:
        reason = not_mail_reason(raw.raw)
        if reason is None:
            mail.append(raw)
        else:
            other.append((raw, reason))
    return mail, other


def classify_raws(classifier: Classifier, raws: Sequence[RawMessage],
                  parser: BatchParser) -> tuple[list[Classified], list[tuple[RawMessage, str]]]:
    done, failed = [], []
    ok: list[tuple[RawMessage, Email]] = []
    for raw, result in parser.parse(raws):
        if isinstance(result, str):
            failed.append((raw, result))
        else:
            ok.append((raw, result))
    preds = classifier.predict([m for _, m in ok])
    for (raw, mail), pred in zip(ok, preds, strict=True):
        done.append(Classified(mail, pred, source_name(raw)))
    return done, failed


def classify_store(store: Store, classifier: Classifier, me: Me | None = None) -> int:
    """Label every stored message that has no label from this model version yet, and read the
    job facts of job-search mail, and of mail the user sent, once, here, rather than on every
    digest."""
    total, last, me = 0, 0, me or Me()
    while batch := store.unlabelled(classifier.version, CHUNK, after=last):
        last = batch[-1][0]
        preds = classifier.predict([mail for _, mail in batch])
        total += store.save_labels(classifier.version, [
            (rowid, p, job_facts(mail, me) if p.category in STATUS_OF or me.wrote(mail) else None)
            for (rowid, mail), p in zip(batch, preds, strict=True)])
    return total
