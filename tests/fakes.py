"""A scripted in-memory Mailbox for pipeline unit tests; IMAP itself is tested on Dovecot."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from inboxcoach.errors import FolderNotFound, MailboxError
from inboxcoach.records import FolderInfo, FolderState, MessageRef, RawMessage


class FakeMailbox:
    def __init__(self, folders: dict[str, list[bytes]], uidvalidity: int = 1,
                 fail_fetch_at: list[int] | None = None) -> None:
        self.account = "fake"
        self.folders = folders
        self.uidvalidity = uidvalidity
        self.fail_fetch_at = list(fail_fetch_at or [])  # UIDs whose fetch drops the connection
        self.current: str | None = None
        self.opened = 0

    def __call__(self) -> FakeMailbox:  # used as the opener
        self.opened += 1
        return self

    def __enter__(self) -> FakeMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.current = None

    def list_folders(self) -> list[FolderInfo]:
        return [FolderInfo(name) for name in self.folders]

    def select(self, folder: str) -> FolderState:
        if folder not in self.folders:
            raise FolderNotFound(f"no folder {folder}")
        self.current = folder
        return FolderState(folder, self.uidvalidity, len(self.folders[folder]))

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        n = len(self.folders[self.current])
        return [MessageRef(str(u), u) for u in range(after_uid + 1, n + 1)]

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        for ref in refs:
            if ref.uid in self.fail_fetch_at:
                self.fail_fetch_at.remove(ref.uid)
                raise MailboxError("connection lost")
            yield RawMessage("fake", self.current, ref, self.folders[self.current][ref.uid - 1])
