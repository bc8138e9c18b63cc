"""Small, valid test messages with predictable ids, built with the stdlib."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime


def make_message(
    i: int, subject: str | None = None, body: str | None = None, *,
    sender: str = "Jane Recruiter <jane@acme.example>", pad: int = 0,
    domain: str = "test.example", when: datetime | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "applicant@example.org"
    msg["Subject"] = subject or f"Your application #{i}"
    msg["Date"] = format_datetime(when or datetime(2026, 10, 1, tzinfo=UTC) + timedelta(hours=i))
    msg["Message-ID"] = f"<msg-{i}@{domain}>"
    text = body or (f"Hello,\n\nthank you for applying for the Data Analyst role at Acme. We have "
                    f"received your application and will review it shortly (message {i}).\n")
    msg.set_content(text + ("x" * 76 + "\n") * (pad // 77))
    return msg.as_bytes()
