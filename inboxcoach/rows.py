"""What the store hands back (and the fetch stage hands it): one plain record per kind of row,
read by column name, so no caller indexes a tuple or a dict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from inboxcoach.records import Correction, RawMessage, message_ref
from inboxcoach.vocab import DraftState, Skip, SkipReason


class Checkpoint(NamedTuple):
    """Where a folder's sync stands: the UIDVALIDITY it was read under and the last UID
    committed. A new UIDVALIDITY means the old UIDs name nothing."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True)
class Failure:
    """A message that could not be read, kept with its bytes for ``status --failures``."""

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


class FailureRow(NamedTuple):
    account: str
    folder: str
    ref: str
    reason: str
    recorded_at: str


class StoredDraft(NamedTuple):
    """A recorded draft's bytes, for the stages that finish what a crashed run began."""

    id: int
    account: str
    message_id: str
    raw: bytes


@dataclass(frozen=True)
class DraftRow:
    """A recorded draft as the digest and ``drafts --list`` show it."""

    created_at: datetime
    to_addr: str
    subject: str
    variant: str
    state: DraftState
    eml_path: str | None
    imap_folder: str | None
    error: str | None
    rejection_date: datetime | None
    message_key: str
    due: bool = True  # False: the user corrected the message away from a rejection

    @property
    def where(self) -> str:
        """Where the user finds it, and whether it still applies (it is never deleted: the
        copy in the Drafts folder is the user's)."""
        place = f"in {self.imap_folder}" if self.imap_folder else "saved as an .eml file"
        return place if self.due else f"{place}, no longer due (you corrected the message)"


@dataclass(frozen=True)
class SkipRow:
    """A rejection that got no draft, and why (``note`` is the reason worded for people)."""

    decided_at: datetime
    subject: str
    from_addr: str
    skip: Skip
    rejection_date: datetime | None
    message_key: str

    @property
    def reason(self) -> SkipReason:
        return self.skip.reason

    @property
    def note(self) -> str:
        return str(self.skip)


class DigestRow(NamedTuple):
    id: int
    path: str
    new_messages: int
    fingerprint: str | None


class RunRow(NamedTuple):
    started_at: str
    finished_at: str | None
    exit_code: int | None


@dataclass(frozen=True)
class CorrectionRow:
    """A stored correction with the message it is about and the model's own answer."""

    key: str
    correction: Correction
    corrected_at: datetime
    subject: str
    from_addr: str
    model_category: str | None
    model_sender_kind: str | None

    @property
    def ref(self) -> str:
        return message_ref(self.key)
