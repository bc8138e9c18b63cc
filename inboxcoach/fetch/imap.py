"""IMAP built on imapclient; the only module that talks IMAP.

Existing mail is only ever read: folders are opened with EXAMINE (``readonly=True``), bodies are
read with ``BODY.PEEK[]``, and this class has no method that could STORE, COPY, MOVE or EXPUNGE.
A STORE under EXAMINE "succeeds" silently, so absence of such calls is the guarantee. The one
write is APPEND of a new draft (flagged \\Draft) to the Drafts folder.
"""

from __future__ import annotations

import logging
import re
import socket
import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timezone
from typing import Any, Self

from imapclient import DRAFT, IMAPClient, SocketTimeout
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from inboxcoach.errors import AuthError, FolderNotFound, MailboxError, ServerRefused, TLSError
from inboxcoach.records import FolderInfo, FolderState, MessageRef, RawMessage
from inboxcoach.secrets import Secret
from inboxcoach.settings import ImapAccount

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = 20.0
FETCH_CHUNK_BYTES = 16 * 1024 * 1024  # bound the memory one FETCH answer can take
_SAFE_ID = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~@-]+")
_IDS = re.compile(rb"<([^<>\s]+)>")
SPECIAL_USE = {
    b"\\Sent": "sent", b"\\Drafts": "drafts", b"\\All": "all", b"\\Junk": "junk",
    b"\\Trash": "trash", b"\\Archive": "archive", b"\\Flagged": "flagged",
}


def tls_context(account: ImapAccount) -> ssl.SSLContext:
    """A verifying context; a self-signed server is trusted only through the configured CA file."""
    cafile = str(account.ca_file) if account.ca_file else None
    return ssl.create_default_context(cafile=cafile)


class ImapMailbox:
    def __init__(self, account: ImapAccount, secret: Secret, timeout: float) -> None:
        self.account = account.name
        self._cfg = account
        self._secret = secret
        self._timeout = timeout
        self._client: IMAPClient | None = None
        self._folder: str | None = None

    # -- connection -------------------------------------------------------------------------
    def __enter__(self) -> Self:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        cfg = self._cfg
        ctx = tls_context(cfg)
        with self._errors(f"connect to {cfg.host}:{cfg.port}"):
            client = IMAPClient(
                cfg.host, port=cfg.port, ssl=cfg.security == "tls", ssl_context=ctx,
                timeout=SocketTimeout(connect=min(CONNECT_TIMEOUT, self._timeout),
                                      read=self._timeout),
            )
            self._client = client
            client.normalise_times = False  # keep INTERNALDATE timezone-aware
            if cfg.security == "starttls":
                client.starttls(ctx)
        with self._errors(f"log in to {cfg.host} as {cfg.username}"):
            if self._secret.kind == "oauth2":
                client.oauth2_login(cfg.username, self._secret.reveal())
            else:
                client.login(cfg.username, self._secret.reveal())

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except (IMAPClientError, OSError):
            try:
                client.shutdown()
            except (IMAPClientError, OSError):
                log.debug("connection to %s already gone", self._cfg.host)

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            raise MailboxError(f"not connected to {self._cfg.host}")
        return self._client

    # -- Mailbox interface ----------------------------------------------------------------
    def list_folders(self) -> list[FolderInfo]:
        with self._errors("list folders"):
            listing = self.client.list_folders()
        folders = []
        for flags, _delim, name in listing:
            uses = [SPECIAL_USE[f] for f in flags if f in SPECIAL_USE]
            text_flags = tuple(f.decode("ascii", "replace") for f in flags)
            folders.append(FolderInfo(str(name), text_flags, uses[0] if uses else None))
        return folders

    def select(self, folder: str) -> FolderState:
        with self._errors(f"open folder {folder!r}", folder=folder):
            info = self.client.select_folder(folder, readonly=True)
        self._folder = folder
        return FolderState(folder, int(info[b"UIDVALIDITY"]), int(info.get(b"EXISTS", 0)))

    def list_new(self, after_uid: int, since: date | None) -> list[MessageRef]:
        criteria: list[Any] = ["UID", f"{after_uid + 1}:*"]
        if since is not None:
            criteria += ["SINCE", since]
        with self._errors(f"search {self._folder!r}"):
            uids = self.client.search(criteria)
        # "UID n:*" always matches the highest message, even below n (RFC 3501).
        return [MessageRef(str(u), uid=u) for u in sorted(u for u in uids if u > after_uid)]

    def fetch(self, refs: Sequence[MessageRef], max_bytes: int) -> Iterator[RawMessage]:
        uids = [r.uid for r in refs]
        with self._errors(f"fetch from {self._folder!r}"):
            meta = self.client.fetch(uids, ["RFC822.SIZE", "FLAGS", "INTERNALDATE"])
        for chunk in _chunks_by_size(uids, meta, max_bytes):
            headers_only = chunk.headers_only
            item = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
            with self._errors(f"fetch from {self._folder!r}"):
                answer = self.client.fetch(chunk.uids, [item])
            key = b"BODY[HEADER]" if headers_only else b"BODY[]"
            for uid in chunk.uids:
                if uid not in answer or uid not in meta:
                    continue  # expunged since the search: nothing left to read
                yield self._raw(uid, meta[uid], answer[uid].get(key) or b"", headers_only)

    def _raw(self, uid: int, meta: dict, data: bytes, headers_only: bool) -> RawMessage:
        flags = tuple(f.decode("ascii", "replace") for f in meta.get(b"FLAGS", ()))
        ref = MessageRef(str(uid), uid=uid, size=int(meta.get(b"RFC822.SIZE", len(data))))
        return RawMessage(
            self.account, self._folder or "", ref, data, flags,
            _plain_tz(meta.get(b"INTERNALDATE")), headers_only,
        )

    # -- drafts: the only writes, and only new messages -----------------------------------------
    def append_draft(self, folder: str, raw: bytes) -> int | None:
        """APPEND a draft flagged \\Draft; the new UID when the server says it (UIDPLUS)."""
        with self._errors(f"add a draft to {folder!r}"):
            answer = self.client.append(folder, raw, flags=[DRAFT])
        found = re.search(rb"APPENDUID \d+ (\d+)", answer or b"")
        return int(found.group(1)) if found else None

    def find_message_id(self, folder: str, message_id: str) -> list[int]:
        """UIDs in ``folder`` whose Message-ID is ``message_id`` (one we generated ourselves)."""
        if not _SAFE_ID.fullmatch(message_id):
            raise ValueError("refusing to search for an id with unsafe characters")
        self.select(folder)
        with self._errors(f"search {folder!r}"):
            return list(self.client.search(["HEADER", "Message-ID", f"<{message_id}>"]))

    def replied_ids(self, folder: str, since: date) -> set[str]:
        """Message-IDs that mail in ``folder`` (Sent) since ``since`` answers."""
        self.select(folder)
        with self._errors(f"search {folder!r}"):
            uids = self.client.search(["SINCE", since])
        found: set[str] = set()
        item = "BODY.PEEK[HEADER.FIELDS (IN-REPLY-TO REFERENCES)]"
        for start in range(0, len(uids), 500):
            with self._errors(f"read {folder!r}"):
                answer = self.client.fetch(uids[start:start + 500], [item])
            for data in answer.values():
                block = next((v for k, v in data.items() if k.startswith(b"BODY[HEADER")), b"")
                found.update(i.decode("ascii", "replace") for i in _IDS.findall(block or b""))
        return found

    # -- errors ---------------------------------------------------------------------------------
    @contextmanager
    def _errors(self, doing: str, folder: str | None = None) -> Iterator[None]:
        """Turn imapclient/socket errors into the pipeline's errors, never leaking the secret."""
        host = self._cfg.host
        try:
            yield
        except ssl.SSLCertVerificationError as exc:
            raise TLSError(
                f"cannot {doing}: the server's certificate is not trusted ({exc.verify_message}). "
                f"If it uses a private CA, set {self._cfg.key}.ca_file to that CA's certificate"
            ) from None
        except ssl.SSLError as exc:
            raise TLSError(f"cannot {doing}: TLS failed ({exc.reason or exc})") from None
        except LoginError:
            raise AuthError(
                f"cannot {doing}: the server refused the credentials; check {self._cfg.key}."
                f"username and the password or token setting"
            ) from None
        except socket.gaierror:
            raise MailboxError(f"cannot {doing}: host {host!r} not found") from None
        except TimeoutError:
            raise MailboxError(f"cannot {doing}: {host} did not answer in time") from None
        except ConnectionRefusedError:
            raise MailboxError(f"cannot {doing}: {host} refused the connection") from None
        except IMAPClientError as exc:
            text = _safe_text(exc)
            if isinstance(exc, IMAPClientAbortError):
                raise MailboxError(f"cannot {doing}: {text or 'connection lost'}") from None
            if folder is not None:
                raise FolderNotFound(f"cannot {doing}: {text}") from None
            raise ServerRefused(f"cannot {doing}: the server refused ({text})") from None
        except OSError as exc:
            raise MailboxError(f"cannot {doing}: {exc.strerror or exc}") from None


class _Chunk:
    __slots__ = ("headers_only", "uids")

    def __init__(self, uids: list[int], headers_only: bool) -> None:
        self.uids, self.headers_only = uids, headers_only


def _chunks_by_size(uids: list[int], meta: dict, max_bytes: int) -> Iterator[_Chunk]:
    """Group UIDs so one FETCH answer stays under FETCH_CHUNK_BYTES; oversized ones alone."""
    current: list[int] = []
    total = 0
    big = []
    for uid in uids:
        size = int(meta.get(uid, {}).get(b"RFC822.SIZE", 0))
        if size > max_bytes:
            big.append(uid)
            continue
        if current and total + size > FETCH_CHUNK_BYTES:
            yield _Chunk(current, False)
            current, total = [], 0
        current.append(uid)
        total += size
    if current:
        yield _Chunk(current, False)
    if big:
        yield _Chunk(big, True)


def _plain_tz(when: datetime | None) -> datetime | None:
    """imapclient's FixedOffset cannot be copied or serialised; use the stdlib's timezone."""
    if when is None:
        return None
    offset = when.utcoffset()
    return when.replace(tzinfo=timezone(offset) if offset is not None else UTC)


def _safe_text(exc: BaseException) -> str:
    """Server text, decoded and shortened; it never holds our secret (LOGIN is redacted)."""
    text = exc.args[0] if exc.args else ""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(str(text).split())[:300]
