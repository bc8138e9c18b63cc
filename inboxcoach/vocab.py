"""The product's closed vocabularies, written once: every stage, the store and the digest read
these names, so a value cannot be misspelled in one place and silently miss in another.

Values are ``StrEnum`` members: they compare equal to the strings stored in SQLite and in the
labelled JSON Lines, so old rows read back without conversion. What the user sees of a value
(its label, colour, order) lives in one display table beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SourceKind(StrEnum):
    """Where an account's mail is read from (``accounts[].kind`` in the config)."""

    IMAP = "imap"
    MAILDIR = "maildir"
    MBOX = "mbox"
    EML = "eml"


class Category(StrEnum):
    """What a message is, for the job search (the model's first answer)."""

    REJECTION = "rejection"
    ACKNOWLEDGEMENT = "acknowledgement"
    INTERVIEW = "interview"
    ASSESSMENT = "assessment"
    OFFER = "offer"
    OUTREACH = "outreach"
    JOB_ALERT = "job_alert"
    OTHER = "other"


class SenderKind(StrEnum):
    """Whether a reply reaches a person (personal) or a system (automated)."""

    AUTOMATED = "automated"
    PERSONAL = "personal"


class ApplicationStatus(StrEnum):
    """Where an application stands; statuses move forward in ``RANK`` order."""

    CONTACTED = "contacted"
    APPLIED = "applied"
    ASSESSMENT = "assessment"
    INTERVIEW = "interview"
    OFFER = "offer"
    REJECTED = "rejected"


class DraftState(StrEnum):
    """A recorded draft: written to disk, then (for IMAP) added to the Drafts folder."""

    PENDING = "pending"
    APPENDED = "appended"
    FAILED = "failed"


@dataclass(frozen=True)
class Look:
    """How the digest, charts and CLI show a value: one table, so they never disagree."""

    label: str
    colour: str  # dark enough for white text on it (WCAG AA) and colour-blind-safe


CATEGORY_LOOK: dict[Category, Look] = {  # in the order the digest lists them
    Category.REJECTION: Look("Rejection", "#a93226"),
    Category.ACKNOWLEDGEMENT: Look("Confirmation", "#5d6d7e"),
    Category.INTERVIEW: Look("Interview", "#005a8c"),
    Category.ASSESSMENT: Look("Assessment", "#7d3c98"),
    Category.OFFER: Look("Offer", "#00775a"),
    Category.OUTREACH: Look("Outreach", "#a84300"),
    Category.JOB_ALERT: Look("Job alert", "#5d6d7e"),
    Category.OTHER: Look("Other", "#5d6d7e"),
}
SENDER_LOOK: dict[SenderKind, Look] = {
    SenderKind.PERSONAL: Look("from a person", "#005a8c"),
    SenderKind.AUTOMATED: Look("automated", "#5d6d7e"),
}
STATUS_LABEL: dict[ApplicationStatus, str] = {
    ApplicationStatus.CONTACTED: "contacted you", ApplicationStatus.APPLIED: "applied",
    ApplicationStatus.ASSESSMENT: "assessment", ApplicationStatus.INTERVIEW: "interviewing",
    ApplicationStatus.OFFER: "offer", ApplicationStatus.REJECTED: "rejected",
}


def category_label(value: str) -> str:
    """The label for a stored category; an unknown value (a newer model's) shows as itself."""
    try:
        return CATEGORY_LOOK[Category(value)].label
    except ValueError:
        return value


def status_label(value: str) -> str:
    try:
        return STATUS_LABEL[ApplicationStatus(value)]
    except ValueError:
        return value


class SkipReason(StrEnum):
    """Why a rejection got no draft. Stored as this code, with a detail where one is needed
    (the age limit, the account, the composer's message); the wording is ``describe``'s."""

    NO_CONTACT = "no_contact"
    REPLIED = "replied"
    YOURS = "yours"
    UNSURE = "unsure"
    TOO_OLD = "too_old"
    THREAD_HAS_DRAFT = "thread_has_draft"
    SENT_UNREAD = "sent_unread"
    CANNOT_COMPOSE = "cannot_compose"


_SKIP_TEXT = {
    SkipReason.NO_CONTACT: "automated: no one to ask",
    SkipReason.REPLIED: "you already replied",
    SkipReason.YOURS: "sent by you",
    SkipReason.UNSURE: "the model is not sure this is a job rejection: no draft",
    SkipReason.TOO_OLD: "older than {detail} days",
    SkipReason.THREAD_HAS_DRAFT: "a draft for this thread exists",
    SkipReason.SENT_UNREAD: ("waiting: the Sent folder of {detail} could not be read, so you "
                             "may have replied already; the next run decides"),
    SkipReason.CANNOT_COMPOSE: "{detail}",
}


@dataclass(frozen=True)
class Skip:
    """A recorded decision not to draft, as the store keeps it."""

    reason: SkipReason
    detail: str | None = None

    def __str__(self) -> str:
        return _SKIP_TEXT[self.reason].format(detail=self.detail or "?")


def skip_from_text(text: str) -> Skip:
    """The code for a reason stored as prose by inboxcoach before codes (migration 0009)."""
    for reason, template in _SKIP_TEXT.items():
        head, _, tail = template.partition("{detail}")
        if "{detail}" not in template and text == template:
            return Skip(reason)
        if ("{detail}" in template and head and text.startswith(head)
                and text.endswith(tail) and len(text) > len(head) + len(tail)):
            return Skip(reason, text[len(head):len(text) - len(tail)])
    return Skip(SkipReason.CANNOT_COMPOSE, text)
