"""Plain, immutable data records passed between pipeline stages.

Stages exchange these and nothing else, so a stage can be tested with hand-made records and
later stages never depend on how an earlier one got its data (IMAP, Maildir, a parser library).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Any


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Attachment:
    # The name is kept for display only; it is mail content and never becomes a path.
    name: str
    content_type: str
    size: int


@dataclass(frozen=True)
class FolderInfo:
    name: str
    flags: tuple[str, ...] = ()
    special_use: str | None = None  # "sent", "drafts", "all", "junk", "trash", "archive"


@dataclass(frozen=True)
class FolderState:
    """What a source reports when a folder is opened (UIDVALIDITY 0 for local sources)."""

    name: str
    uidvalidity: int
    exists: int


@dataclass(frozen=True)
class MessageRef:
    """Where one message lives in a folder: an IMAP UID, or a local key."""

    ref: str
    uid: int = 0
    size: int = 0


@dataclass(frozen=True)
class RawMessage:
    account: str
    folder: str
    ref: MessageRef
    raw: bytes
    flags: tuple[str, ...] = ()
    internaldate: datetime | None = None
    headers_only: bool = False  # larger than the size cap: only the header was fetched

# The version of the parse that built a stored Email record: the store keeps it beside each
# record so that a parse fixed later can find the rows it should read again.
PARSER_VERSION = 1


@dataclass(frozen=True)
class Email:
    """A parsed message: everything later stages need, without the parser's objects."""

    key: str  # store key: Message-ID without brackets, or sha256:<hex> of the raw bytes
    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_: Address | None
    reply_to: tuple[Address, ...]
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    subject: str
    date: datetime | None
    date_source: str  # "header", "internaldate" or "none"
    text: str  # readable text of the whole message (HTML converted when there is no text part)
    new_text: str  # text minus quoted earlier messages
    html_only: bool
    auto_headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    defects: tuple[str, ...] = ()
    size: int = 0
    headers_only: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=_json_default, ensure_ascii=False)

    @classmethod
    def thread_stub(cls, key: str, message_id: str | None, in_reply_to: str | None,
                    references: tuple[str, ...], from_addr: str, subject: str,
                    date: datetime | None) -> Email:
        """Only what threading and the applications read, without the text: a digest over a
        100,000-message store keeps these, not the whole records, in memory."""
        return cls(key, message_id, in_reply_to, references,
                   Address("", from_addr) if from_addr else None, (), None, (), (), subject,
                   date, "header" if date else "none", "", "", False)

    @classmethod
    def from_json(cls, text: str) -> Email:
        data: dict[str, Any] = json.loads(text)
        data["from_"] = _address(data["from_"])
        data["sender"] = _address(data["sender"])
        for name in ("reply_to", "to", "cc"):
            data[name] = tuple(_address(a) for a in data[name])
        data["references"] = tuple(data["references"])
        data["attachments"] = tuple(Attachment(**a) for a in data["attachments"])
        data["defects"] = tuple(data["defects"])
        data["date"] = datetime.fromisoformat(data["date"]) if data["date"] else None
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def feedback_given(probability: float | None) -> bool | None:
    """Whether a rejection already gives its reasons, from the feedback model's probability
    (None: the model was not asked). One cut-off for the drafts, ``classify`` and evaluation."""
    return None if probability is None else probability >= 0.5


class FeedbackCall(StrEnum):
    """What the drafts make of the feedback model's answer."""

    GIVEN = "given"  # thank them for the reasons
    NOT_GIVEN = "not_given"  # ask for one or two pointers
    UNSURE = "unsure"  # a reply that reads well either way: thanks, and an open question
    UNKNOWN = "unknown"  # the model was not asked (no feedback model)


# Outside these probabilities the feedback model's held-out answers on the corpus's rejections
# were right 95% of the time (grouped by family; with whole seed files held out no band reached
# it). Inside, a draft could thank someone for reasons they did not give or ask for what they
# already wrote, so it takes the reply that reads well either way (README, "Feedback drafts").
FEEDBACK_UNSURE = (0.2, 0.8)


def feedback_call(probability: float | None) -> FeedbackCall:
    if probability is None:
        return FeedbackCall.UNKNOWN
    low, high = FEEDBACK_UNSURE
    if low <= probability < high:
        return FeedbackCall.UNSURE
    return FeedbackCall.GIVEN if probability >= high else FeedbackCall.NOT_GIVEN


class FactSource(IntEnum):
    """Where an employer or a role was read, weakest first. Applications keep the strongest:
    a subject that names the job outweighs a title that merely appears in a sentence."""

    NONE = 0
    GUESSED = 1  # a domain label, a title-shaped phrase somewhere in the body
    TEXT = 2  # a phrase about the job in the body ("your application for the X role")
    STATED = 3  # the headers or the subject: an ATS tenant, the sender's name, "Position:"


@dataclass(frozen=True)
class JobFacts:
    """What a message says about the job it belongs to, read once when it is tagged."""

    employer: str | None = None
    employer_from: FactSource = FactSource.NONE
    role: str | None = None
    role_from: FactSource = FactSource.NONE
    refs: tuple[str, ...] = ()  # requisition ids ("REQ-20431"): one id, one application
    domain: str | None = None  # the employer's own mail domain, when the sender writes from it
    agent: bool = False  # the sender writes for a client ("my client"): an agency
    rules: int = 0  # the version of the rules that read them (understand.RULES_VERSION)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> JobFacts:
        d = json.loads(text)
        return cls(d["employer"], FactSource(d["employer_from"]), d["role"],
                   FactSource(d["role_from"]), tuple(d["refs"]), d["domain"],
                   d.get("agent", False), d.get("rules", 0))


@dataclass(frozen=True)
class Prediction:
    """What the model says of one message (made by ``model.py``, kept by the store)."""

    category: str
    category_confidence: float
    category_unsure: bool
    sender_kind: str
    sender_confidence: float
    sender_unsure: bool
    feedback_probability: float | None = None  # does a rejection explain itself?
    corrected: bool = False  # laid over by the user's correction (store: the tags view)

    @property
    def contains_feedback(self) -> bool | None:
        return feedback_given(self.feedback_probability) if self.category == "rejection" else None

    @property
    def unsure(self) -> bool:
        return self.category_unsure or self.sender_unsure


@dataclass(frozen=True)
class Rejection:
    """A stored rejection the drafts stage has still to decide."""

    rowid: int
    email: Email
    account: str
    feedback_probability: float | None
    unsure: bool  # the model was not sure of the category
    first_seen: datetime
    model_version: str
    contact: Address | None = None  # the person the user named in a correction
    no_contact: bool = False  # the user said no person can be reached


@dataclass(frozen=True)
class Tagged:
    """A stored message with the model's labels, as the applications and digest stages read it."""

    email: Email
    labels: Prediction
    first_seen: datetime
    facts: JobFacts | None = None  # None: not read yet (mail outside the search needs none)

    @property
    def company(self) -> str | None:
        return self.facts.employer if self.facts else None

    @property
    def role(self) -> str | None:
        return self.facts.role if self.facts else None

    @property
    def category(self) -> str:
        return self.labels.category

    @property
    def sender_kind(self) -> str:
        return self.labels.sender_kind


@dataclass(frozen=True)
class TagRow:
    """The few fields the digest's charts and counts need for every message, without its text."""

    date: datetime | None
    first_seen: datetime
    category: str
    sender_kind: str
    from_addr: str
    key: str = ""  # the message's store key (its Message-ID when it has one)


def _address(data: dict[str, str] | None) -> Address | None:
    return Address(**data) if data else None


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


# -- what the store hands back: one record per kind of row ------------------------------------


def message_ref(key: str) -> str:
    """A short, stable reference for a stored message ("m4f2a7q"), shown in the digest and the
    CLI so the user can name it in ``inboxcoach correct``: the same key always gives the same
    reference, on any machine. A longer prefix of the same letters also names it."""
    digest = base64.b32encode(hashlib.sha256(key.encode("utf-8")).digest()).decode("ascii")
    return "m" + digest.lower()[:MESSAGE_REF_LETTERS]


MESSAGE_REF_LETTERS = 6


@dataclass(frozen=True)
class Correction:
    """What the user says a message is. ``None`` leaves the model's answer (or an earlier
    correction) as it is; ``no_contact`` says no person can be reached, whatever the mail says."""

    category: str | None = None
    sender_kind: str | None = None
    contact: Address | None = None
    no_contact: bool = False
    feedback: bool | None = None

    def over(self, earlier: Correction) -> Correction:
        """This correction laid over an earlier one for the same message."""
        no_contact = self.no_contact or (earlier.no_contact and self.contact is None)
        return Correction(self.category or earlier.category,
                          self.sender_kind or earlier.sender_kind,
                          None if no_contact else self.contact or earlier.contact, no_contact,
                          earlier.feedback if self.feedback is None else self.feedback)


