"""Turn raw bytes into an Email record with mail-parser, one message at a time.

mail-parser (and the stdlib under it) can raise almost anything on hostile input, recurse deeply
or take long, so each message is parsed inside its own error handling and time budget: a bad
message becomes a ParseError the fetch stage records, never the end of a run.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import multiprocessing
import os
import re
import signal
import threading
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import mailparser

from inboxcoach.records import Address, Attachment, Email, RawMessage
from inboxcoach.text import clean_header_text, decode_words, html_to_text, split_reply, tidy

PARSE_SECONDS = 20
POOL_MIN_BATCH = 64  # below this, starting worker processes costs more than it saves
MAX_TEXT_CHARS = 200_000
AUTO_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "list-unsubscribe-post",
    "return-path", "x-mailer", "feedback-id", "x-auto-response-suppress", "x-autoreply",
    "x-autorespond", "x-campaign", "x-mailgun-tag", "x-sg-eid", "x-ses-outgoing", "x-mc-user",
    "x-report-abuse", "x-entity-ref-id", "organization", "x-priority", "x-csa-complaints",
    "x-mailer-recptid", "x-ms-exchange-generated-message-source",
    # discussion lists: a list that takes posts is people talking, not a mailing to everyone
    "list-post", "list-help", "list-archive", "x-mailman-version", "mailing-list", "x-beenthere",
    "x-loop",
)
_msgid = re.compile(r"<([^<>\s]+)>")
# mail-parser warns on every multipart and logs undecodable header bytes at ERROR: mail content
# in the user's log or cron mail. Parse problems are recorded per message instead.
logging.getLogger("mailparser").setLevel(logging.CRITICAL)


class ParseError(Exception):
    """The message could not be parsed; ``reason`` says why, for the failures table."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Timeout(BaseException):
    """Raised from the alarm handler; BaseException so library ``except Exception`` can't eat it."""


def parse_raw(raw: RawMessage, seconds: float = PARSE_SECONDS) -> Email:
    try:
        with _time_budget(seconds):
            mail = mailparser.parse_from_bytes(raw.raw)
            return _record(mail, raw)
    except _Timeout:
        raise ParseError(f"parsing took longer than {seconds:g}s") from None
    except RecursionError:
        raise ParseError("MIME structure nested too deeply") from None
    except MemoryError:
        raise ParseError("message too large to parse in memory") from None
    except Exception as exc:
        raise ParseError(f"{type(exc).__name__}: {clean_header_text(exc, 300)}") from None


# Header fields nearly every message carries, one of which a file must have to be taken for mail.
_MAIL_FIELDS = frozenset({b"from", b"to", b"cc", b"subject", b"date", b"message-id", b"received",
                          b"return-path", b"mime-version", b"delivered-to", b"reply-to",
                          b"sender", b"x-gm-thrid", b"content-type"})
_FIELD = re.compile(rb"^([!-9;-~]+)[ \t]*:")


def not_mail_reason(data: bytes) -> str | None:
    """Why ``data`` is not an email at all (empty, binary, no header block), or None.

    A parser makes a record of anything, so a program binary, an empty file or a text note
    would get tags; a message must open with header fields, one of them one that mail has."""
    if not data.strip():
        return "empty"
    head = re.split(rb"\r?\n\r?\n", data[:65536], maxsplit=1)[0]
    if b"\x00" in head:
        return "binary data, not text"
    lines = head.lstrip(b"\r\n").splitlines()
    if lines and lines[0].startswith(b"From "):  # an mbox separator line
        lines = lines[1:]
    names = [m.group(1).lower() for line in lines if (m := _FIELD.match(line))]
    if not lines or not _FIELD.match(lines[0]) or not _MAIL_FIELDS.intersection(names):
        return "no mail header fields (From:, Subject:, Date:, ...)"
    return None


def parse_or_reason(raw: RawMessage) -> Email | str:
    """The record, or the reason it could not be made (a plain value, cheap to send between
    processes)."""
    try:
        return parse_raw(raw)
    except ParseError as exc:
        return exc.reason


class BatchParser:
    """Parses batches in worker processes when there are many messages and several cores.

    Parsing (mail-parser, the stdlib MIME parser, quote detection) is pure CPU work and dominates
    a first fetch; the workers only ever see raw bytes and return records, never the store.
    """

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers if workers is not None else min(os.cpu_count() or 1, 4)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> BatchParser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def parse(self, raws: Iterable[RawMessage]) -> list[tuple[RawMessage, Email | str]]:
        items = list(raws)
        if self.workers > 1 and len(items) >= POOL_MIN_BATCH:
            try:
                pool = self._pool or self._start()
                return list(zip(items, pool.map(parse_or_reason, items, chunksize=8),
                                strict=True))
            except BrokenProcessPool:
                logging.getLogger(__name__).warning("parser workers died; parsing in-process")
                self.close()
                self.workers = 1
        return [(raw, parse_or_reason(raw)) for raw in items]

    def _start(self) -> ProcessPoolExecutor:
        # spawn, not fork: the parent holds an SQLite connection and threads (progress bar).
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(self.workers, mp_context=context)
        return self._pool


def message_key(message_id: str | None, raw: bytes) -> str:
    """Stable identity: the Message-ID, or a hash of the bytes when there is none."""
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def _record(mail: Any, raw: RawMessage) -> Email:
    # mail-parser rebuilds its header dict on every access: read it once.
    headers = {k.lower(): v if isinstance(v, str) else str(v) for k, v in mail.headers.items()}
    message_id = _first_id(mail.message_id)
    plain = "\n".join(mail.text_plain)
    html = "\n".join(mail.text_html)
    text = tidy(plain) if plain.strip() else (html_to_text(html) if html.strip() else "")
    text = text[:MAX_TEXT_CHARS]
    date, date_source = _date(headers.get("date", ""), raw)
    return Email(
        key=message_key(message_id, raw.raw),
        message_id=message_id,
        in_reply_to=_first_id(headers.get("in-reply-to")),
        references=tuple(_msgid.findall(headers.get("references", "")))[-50:],
        from_=_first(_addresses(mail.from_)),
        reply_to=_addresses(mail.reply_to),
        sender=_first(_addresses(email.utils.getaddresses([headers.get("sender", "")]))),
        to=_addresses(mail.to),
        cc=_addresses(mail.cc),
        subject=clean_header_text(mail.subject),
        date=date,
        date_source=date_source,
        text=text,
        new_text=split_reply(text),
        html_only=not plain.strip() and bool(html.strip()),
        auto_headers={
            name: clean_header_text(headers[name], 500) for name in AUTO_HEADERS if name in headers
        },
        attachments=tuple(_attachment(a) for a in mail.attachments),
        defects=tuple(sorted(mail.defects_categories)),
        size=raw.ref.size or len(raw.raw),
        headers_only=raw.headers_only,
    )


def _first_id(value: str | None) -> str | None:
    if not value:
        return None
    ids = _msgid.findall(value)
    text = ids[0] if ids else clean_header_text(value).strip("<> ")
    return clean_header_text(text, 500) or None


def _addresses(pairs: Any) -> tuple[Address, ...]:
    out = []
    for pair in pairs or ():
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            continue
        name, addr = (clean_header_text(decode_words(str(p))) for p in pair)
        if addr or name:
            out.append(Address(name, addr.lower() if "@" in addr else addr))
    return tuple(out)


def _first(addresses: tuple[Address, ...]) -> Address | None:
    return addresses[0] if addresses else None


def _date(header: str, raw: RawMessage) -> tuple[datetime | None, str]:
    try:
        parsed = email.utils.parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None:
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)), "header"
    if raw.internaldate is not None:
        when = raw.internaldate
        return (when if when.tzinfo else when.replace(tzinfo=UTC)), "internaldate"
    return None, "none"


def _attachment(part: dict) -> Attachment:
    payload = part.get("payload") or ""
    size = len(payload) * 3 // 4 if part.get("binary") else len(payload.encode("utf-8", "replace"))
    return Attachment(
        name=clean_header_text(part.get("filename") or "", 255),
        content_type=clean_header_text(part.get("mail_content_type") or "", 100),
        size=size,
    )


@contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """SIGALRM-based limit; only the main thread can take signals, elsewhere it is a no-op."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _expired(signum: int, frame: object) -> None:
        raise _Timeout

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
