"""Maildir, mbox and .eml sources behind the same Mailbox interface as IMAP.

Local files have no UIDs, so every message gets a stable reference instead (the Maildir key, a
hash of the mbox message, the .eml file's path) and the store skips references it already has.
Nothing here writes to the user's files: the stdlib classes are opened with ``create=False``.
"""

from __future__ import annotations

import hashlib
import mailbox as stdlib_mailbox
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Self

from inboxcoach.errors import FolderNotFound, MailboxError, SourceMissing
from inboxcoach.records import FolderInfo, FolderState, MessageRef, RawMessage


class _LocalMailbox(ABC):
    """Shared plumbing: one folder, named after the path, opened for reading only."""

    def __init__(self, account: str, path: Path) -> None:
        self.account = account
        self.path = path
        self.folder = path.name or str(path)
        if not path.exists():
            raise SourceMissing(f"{path} does not exist: mount the disk it is on, or point "
                                "the account's path at your Maildir, mbox file or folder of "
                                ".eml files")

    def list_folders(self) -> list[FolderInfo]:
        return [FolderInfo(self.folder)]

    def select(self, folder: str) -> FolderState:
        if folder != self.folder:
            raise FolderNotFound(f"{self.path} has no folder {folder!r}")
        return FolderState(folder, 0, self.count())

    def count(self) -> int:
        return len(self.list_new(0, None))

    @abstractmethod
    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        """Every message of the folder: local files have no UIDs to resume after."""

    @abstractmethod
    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        """Raw messages for ``refs``; those over ``max_bytes`` come as headers only."""

    def close(self) -> None:  # noqa: B027 - a real no-op, not a method to override
        """Nothing to release: files are opened per message."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _raw(self, ref: MessageRef, data: bytes, max_bytes: int, **extra: object) -> RawMessage:
        too_big = max(len(data), ref.size) > max_bytes
        return RawMessage(
            self.account, self.folder, ref, header_block(data) if too_big else data,
            headers_only=too_big, **extra,  # type: ignore[arg-type]
        )


class MaildirMailbox(_LocalMailbox):
    def __init__(self, account: str, path: Path) -> None:
        super().__init__(account, path)
        try:
            self._md = stdlib_mailbox.Maildir(str(path), factory=None, create=False)
        except OSError as exc:
            raise MailboxError(f"cannot open Maildir {path}: {exc.strerror}") from None

    def count(self) -> int:
        return len(self._md)

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        return [MessageRef(key) for key in sorted(self._md.keys())]

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        for ref in refs:
            try:
                data = self._md.get_bytes(ref.ref)
            except KeyError:
                continue  # delivered and removed since the listing: nothing to read
            yield self._raw(ref, data, max_bytes, internaldate=_maildir_time(ref.ref))


class MboxMailbox(_LocalMailbox):
    def __init__(self, account: str, path: Path) -> None:
        super().__init__(account, path)
        try:
            self._box = stdlib_mailbox.mbox(str(path), factory=None, create=False)
        except OSError as exc:
            raise MailboxError(f"cannot open mbox {path}: {exc.strerror}") from None
        self._keys: dict[str, str] = {}

    def count(self) -> int:
        return len(self._box)

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        self._keys = {}
        refs = []
        for key in self._box.iterkeys():
            data = self._box.get_bytes(key)
            ref = "sha256:" + hashlib.sha256(data).hexdigest()
            self._keys[ref] = key
            refs.append(MessageRef(ref, size=len(data)))
        return refs

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        for ref in refs:
            key = self._keys.get(ref.ref)
            if key is not None:
                yield self._raw(ref, self._box.get_bytes(key), max_bytes)

    def close(self) -> None:
        self._box.close()


class EmlMailbox(_LocalMailbox):
    """One .eml file, or a folder of them (searched recursively)."""

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        if self.path.is_file():
            return [MessageRef(self.path.name, size=self.path.stat().st_size)]
        files = sorted(p for p in self.path.rglob("*.eml") if p.is_file())
        return [MessageRef(str(p.relative_to(self.path)), size=p.stat().st_size) for p in files]

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        base = self.path if self.path.is_dir() else self.path.parent
        for ref in refs:
            with open(base / ref.ref, "rb") as fh:
                data = _read_capped(fh, max_bytes)
            yield self._raw(ref, data, max_bytes)


def open_local(account: str, path: Path, kind: str | None = None) -> _LocalMailbox:
    """Open ``path`` as the given kind, or guess it from what is there."""
    kind = kind or detect_kind(path)
    classes: dict[str, type[_LocalMailbox]] = {"maildir": MaildirMailbox, "mbox": MboxMailbox,
                                              "eml": EmlMailbox}
    return classes[kind](account, path)


def detect_kind(path: Path) -> str:
    if path.is_dir():
        return "maildir" if (path / "cur").is_dir() or (path / "new").is_dir() else "eml"
    with open(path, "rb") as fh:
        head = fh.read(5)
    return "mbox" if head == b"From " else "eml"


def header_block(data: bytes) -> bytes:
    """The header section of a raw message (up to and including the blank line)."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = data.find(sep)
        if end != -1:
            return data[: end + len(sep)]
    return data


def _read_capped(fh: IO[bytes], max_bytes: int) -> bytes:
    """Read at most one byte over the cap, so a huge file is never loaded whole."""
    data = fh.read(max_bytes + 1)
    if len(data) <= max_bytes:
        return data
    head = header_block(data)
    return head if len(head) < len(data) else data[: max_bytes + 1]


def _maildir_time(key: str) -> datetime | None:
    """Maildir file names start with the delivery time in seconds since the epoch."""
    stamp = key.split(".", 1)[0]
    return datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None
