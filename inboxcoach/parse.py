"""Turn raw bytes into an Email record with mail-parser, one message at a time.

mail-parser (and the stdlib under it) can raise almost anything on hostile input, recurse deeply
or take long, so each message is parsed inside its own error handling and time budget: a bad
message becomes a ParseError the fetch stage records, never the end of a run.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import re
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import mailparser

from inboxcoach.records import Address, Attachment, Email, RawMessage
from inboxcoach.text import clean_header_text, decode_words, html_to_text, split_reply, tidy

PARSER_VERSION = 1
PARSE_SECONDS = 20
MAX_TEXT_CHARS = 200_000
AUTO_HEADERS = (
    "auto-submitted", "precedence", "list-id", "list-unsubscribe", "list-unsubscribe-post",
    "return-path", "x-mailer", "feedback-id", "x-auto-response-suppress", "x-autoreply",
    "x-autorespond", "x-campaign", "x-mailgun-tag", "x-sg-eid", "x-ses-outgoing", "x-mc-user",
    "x-report-abuse", "x-entity-ref-id", "organization", "x-priority", "x-csa-complaints",
    "x-mailer-recptid", "x-ms-exchange-generated-message-source",
)
_msgid = re.compile(r"<([^<>\s]+)>")
logging.getLogger("mailparser").setLevel(logging.ERROR)  # it warns on every multipart


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


def message_key(message_id: str | None, raw: bytes) -> str:
    """Stable identity: the Message-ID, or a hash of the bytes when there is none."""
    return message_id or "sha256:" + hashlib.sha256(raw).hexdigest()


def _record(mail: Any, raw: RawMessage) -> Email:
    message_id = _first_id(mail.message_id)
    plain = "\n".join(mail.text_plain)
    html = "\n".join(mail.text_html)
    text = tidy(plain) if plain.strip() else (html_to_text(html) if html.strip() else "")
    text = text[:MAX_TEXT_CHARS]
    date, date_source = _date(mail, raw)
    return Email(
        key=message_key(message_id, raw.raw),
        message_id=message_id,
        in_reply_to=_first_id(_header(mail, "in-reply-to")),
        references=tuple(_msgid.findall(_header(mail, "references")))[-50:],
        from_=_first(_addresses(mail.from_)),
        reply_to=_addresses(mail.reply_to),
        sender=_first(_addresses(email.utils.getaddresses([_header(mail, "sender")]))),
        to=_addresses(mail.to),
        cc=_addresses(mail.cc),
        subject=clean_header_text(mail.subject),
        date=date,
        date_source=date_source,
        text=text,
        new_text=split_reply(text),
        html_only=not plain.strip() and bool(html.strip()),
        auto_headers=_auto_headers(mail),
        attachments=tuple(_attachment(a) for a in mail.attachments),
        defects=tuple(sorted(mail.defects_categories)),
        size=raw.ref.size or len(raw.raw),
        headers_only=raw.headers_only,
    )


def _header(mail: Any, name: str) -> str:
    for key, value in mail.headers.items():
        if key.lower() == name:
            return value if isinstance(value, str) else str(value)
    return ""


def _auto_headers(mail: Any) -> dict[str, str]:
    found = {}
    for key, value in mail.headers.items():
        lower = key.lower()
        if lower in AUTO_HEADERS and lower not in found:
            found[lower] = clean_header_text(value if isinstance(value, str) else str(value), 500)
    return found


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


def _date(mail: Any, raw: RawMessage) -> tuple[datetime | None, str]:
    header = _header(mail, "date")
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
