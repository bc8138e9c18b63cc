"""The one interface every mail source implements; the pipeline depends on this, not on imapclient.

A source lists folders, opens one, says which messages it holds after a checkpoint, and hands
over raw bytes. It never changes anything in the mailbox: no flags, moves or deletes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Protocol, Self

from inboxcoach.records import FolderInfo, FolderState, MessageRef, RawMessage


class Mailbox(Protocol):
    account: str

    def list_folders(self) -> list[FolderInfo]:
        """All folders, with their SPECIAL-USE role when the source knows it."""
        ...

    def select(self, folder: str) -> FolderState:
        """Open ``folder`` read-only; later calls work on it."""
        ...

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        """Messages of the open folder above ``after_uid`` (IMAP) or all of them (local)."""
        ...

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        """Raw messages for ``refs``; those over ``max_bytes`` come as headers only."""
        ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class DraftsMailbox(Mailbox, Protocol):
    """A source that also takes drafts and can tell what the user answered: IMAP only.

    These are the one place inboxcoach writes to a mailbox: APPEND to Drafts, nothing else.
    """

    def append_draft(self, folder: str, raw: bytes) -> int | None:
        """APPEND ``raw`` flagged \\Draft; the new UID when the server says it."""
        ...

    def find_message_id(self, folder: str, message_id: str) -> list[int]:
        """UIDs in ``folder`` whose Message-ID is ``message_id``."""
        ...

    def replied_ids(self, folder: str, since: date) -> set[str]:
        """Message-IDs that mail in ``folder`` (Sent) since ``since`` answers."""
        ...


# Names servers without SPECIAL-USE commonly give these folders (Outlook, Apple, Gmail, German).
FALLBACK_NAMES = {
    "sent": ("Sent", "Sent Items", "Sent Messages", "Sent Mail", "[Gmail]/Sent Mail",
             "INBOX.Sent", "Gesendet", "Gesendete Elemente", "Envoyés", "Verzonden items"),
    "drafts": ("Drafts", "INBOX.Drafts", "[Gmail]/Drafts", "Entwürfe", "Brouillons", "Concepten"),
}


def find_role(folders: list[FolderInfo], role: str, configured: str | None = None) -> str | None:
    """The folder for ``role`` ("sent", "drafts"): the config's choice, SPECIAL-USE, or a name."""
    if configured:
        return configured
    for info in folders:
        if info.special_use == role:
            return info.name
    by_name = {info.name.casefold(): info.name for info in folders}
    for name in FALLBACK_NAMES.get(role, ()):
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    return None
