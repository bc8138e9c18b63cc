"""The bundled sample mailbox behind ``inboxcoach demo``: written by the team, built fresh.

The messages live in ``sample/mailbox.jsonl`` with dates given as days before "today", so the
demo always shows a search that is two months old and still going, whatever the date is.
"""

from __future__ import annotations

import hashlib
import json
import mailbox
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from importlib.resources import files
from pathlib import Path
from typing import Any

OWNER_NAME = "Sam Rivera"
OWNER_EMAIL = "sam.rivera@example.net"
FOLDERS = ("INBOX", "Sent")


@dataclass(frozen=True)
class SampleMessage:
    id: str
    folder: str
    day: int  # days before today (0 = today)
    time: str  # "HH:MM", UTC
    from_name: str
    from_addr: str
    subject: str
    body: str
    to: str = ""
    reply_to: str = ""
    in_reply_to: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    html: bool = False
    label: tuple[tuple[str, str], ...] = ()  # what the team says it is, for the demo test


def load_sample(path: Path | None = None) -> list[SampleMessage]:
    source = path.read_text("utf-8") if path else (
        files("inboxcoach") / "sample" / "mailbox.jsonl").read_text("utf-8")
    out = []
    for line in source.splitlines():
        if not line.strip():
            continue
        row: dict[str, Any] = json.loads(line)
        row["headers"] = tuple(row.get("headers", {}).items())
        row["label"] = tuple(row.get("label", {}).items())
        out.append(SampleMessage(**row))
    return out


def message_id(msg: SampleMessage) -> str:
    digest = hashlib.sha256(f"{msg.id}|{msg.subject}".encode()).hexdigest()[:16]
    domain = msg.from_addr.rsplit("@", 1)[-1]
    return f"<{msg.id}.{digest}@{domain}>"


def when(msg: SampleMessage, today: datetime) -> datetime:
    hour, minute = (int(x) for x in msg.time.split(":"))
    day = (today - timedelta(days=msg.day)).date()
    return min(datetime.combine(day, time(hour, minute), tzinfo=UTC),
               today - timedelta(minutes=10))  # never in the future


def to_email(msg: SampleMessage, by_id: dict[str, SampleMessage], today: datetime) -> EmailMessage:
    m = EmailMessage()
    m["From"] = formataddr((msg.from_name, msg.from_addr))
    m["To"] = msg.to or formataddr((OWNER_NAME, OWNER_EMAIL))
    if msg.reply_to:
        m["Reply-To"] = msg.reply_to
    m["Subject"] = msg.subject
    m["Date"] = format_datetime(when(msg, today))
    m["Message-ID"] = message_id(msg)
    if msg.in_reply_to:
        chain: list[str] = []
        parent = by_id.get(msg.in_reply_to)
        while parent is not None:
            chain.insert(0, message_id(parent))
            parent = by_id.get(parent.in_reply_to)
        m["In-Reply-To"] = chain[-1]
        m["References"] = " ".join(chain)
    for name, value in msg.headers:
        m[name] = value
    m.set_content(msg.body)
    if msg.html:
        paragraphs = "".join(f"<p>{_escape(p)}</p>" for p in msg.body.split("\n\n"))
        m.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    return m


def _escape(text: str) -> str:
    from html import escape

    return escape(text).replace("\n", "<br>")


def build_maildirs(dest: Path, today: datetime | None = None) -> dict[str, Path]:
    """Write the sample as one Maildir per folder under ``dest``; returns folder -> path."""
    today = today or datetime.now(UTC)
    messages = load_sample()
    by_id = {m.id: m for m in messages}
    paths = {}
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    for folder in FOLDERS:
        path = dest / folder
        box = mailbox.Maildir(path, create=True)
        for msg in messages:
            if msg.folder == folder and msg.day >= 0:
                box.add(mailbox.MaildirMessage(to_email(msg, by_id, today).as_bytes()))
        paths[folder] = path
    return paths
