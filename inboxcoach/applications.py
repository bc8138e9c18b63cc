"""Applications: messages grouped per employer and role, each with a status timeline.

A message joins an application when it shares a thread with it, or names the same employer and
a compatible role. Two different roles at one employer never merge. Statuses move forward
(applied -> assessment -> interview -> offer or rejected); an acknowledgement never moves one
back, and only a later assessment, interview or offer reopens a rejected application.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from inboxcoach.records import Email, Tagged
from inboxcoach.understand import company, role

STATUS_OF = {"acknowledgement": "applied", "assessment": "assessment", "interview": "interview",
             "offer": "offer", "rejection": "rejected", "outreach": "contacted"}
RANK = {"contacted": 0, "applied": 1, "assessment": 2, "interview": 3, "offer": 4, "rejected": 4}
# Waiting on the employer. An approach the user never answered ("contacted") is their choice,
# not silence to report.
OPEN = {"applied", "assessment", "interview"}


@dataclass(frozen=True)
class Event:
    date: datetime | None
    status: str
    subject: str
    sender: str
    message_key: str


@dataclass
class Application:
    company: str | None
    role: str | None
    status: str = "applied"
    events: list[Event] = field(default_factory=list)
    thread_ids: set[str] = field(default_factory=set)
    no_reply: bool = False

    @property
    def last_activity(self) -> datetime | None:
        dates = [e.date for e in self.events if e.date]
        return max(dates) if dates else None

    @property
    def first_seen(self) -> datetime | None:
        dates = [e.date for e in self.events if e.date]
        return min(dates) if dates else None

    def as_dict(self) -> dict[str, object]:
        last = self.last_activity
        return {
            "company": self.company, "role": self.role, "status": self.status,
            "no_reply_yet": self.no_reply, "messages": len(self.events),
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_activity": last.isoformat() if last else None,
            "timeline": [{"date": e.date.isoformat() if e.date else None, "status": e.status,
                          "subject": e.subject} for e in self.events],
        }


@lru_cache(maxsize=4096)
def _norm(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower()).strip()


def _thread(mail: Email) -> set[str]:
    ids = {mail.key, *mail.references}
    if mail.in_reply_to:
        ids.add(mail.in_reply_to)
    return ids


def _matches(app: Application, employer: str | None, job: str | None, ids: set[str]) -> bool:
    if app.thread_ids & ids:
        return True
    if not employer or _norm(app.company) != _norm(employer):
        return False
    if app.role and job:
        return _norm(app.role) == _norm(job)  # two roles at one employer stay apart
    return True


def advance(current: str, new: str) -> str:
    if new == "applied" and current != "contacted":
        return current  # an acknowledgement never moves an application back
    if current == "rejected":
        return new if new in ("assessment", "interview", "offer") else current
    return new if RANK[new] >= RANK[current] else current


Facts = Callable[[Email], tuple[str | None, str | None]]


def read_facts(mail: Email) -> tuple[str | None, str | None]:
    return company(mail), role(mail)


def from_tagged(tagged: Iterable[Tagged], now: datetime | None = None,
                no_reply_days: int = 21, presorted: bool = False) -> list[Application]:
    """Applications from stored messages, using the employer and role read at tagging time.
    ``tagged`` may be a stream; ``presorted`` says it comes oldest first already."""
    known: dict[str, tuple[str | None, str | None]] = {}

    def pairs() -> Iterator[tuple[Email, str]]:
        for t in tagged:
            if t.understood:
                known[t.email.key] = (t.company, t.role)
            yield t.email, t.category

    return group(pairs(), now, no_reply_days,
                 lambda mail: known.pop(mail.key, None) or read_facts(mail), presorted)


def group(messages: Iterable[tuple[Email, str]], now: datetime | None = None,
          no_reply_days: int = 21, facts: Facts = read_facts,
          presorted: bool = False) -> list[Application]:
    """Applications from (email, category) pairs, oldest message first."""
    now = now or datetime.now(UTC)
    apps: list[Application] = []
    ordered = messages if presorted else sorted(
        messages, key=lambda p: p[0].date or datetime.min.replace(tzinfo=UTC))
    for mail, category in ordered:
        status = STATUS_OF.get(category)
        if status is None:
            continue
        (employer, job), ids = facts(mail), _thread(mail)
        app = next((a for a in reversed(apps) if _matches(a, employer, job, ids)), None)
        if app is None:
            app = Application(employer, job, status)
            apps.append(app)
        app.company = app.company or employer
        app.role = app.role or job
        app.thread_ids |= ids
        app.status = advance(app.status, status) if app.events else status
        sender = mail.from_.email if mail.from_ else ""
        app.events.append(Event(mail.date, status, mail.subject, sender, mail.key))
    silence = timedelta(days=no_reply_days)
    for app in apps:
        last = app.last_activity
        app.no_reply = app.status in OPEN and last is not None and now - last > silence
    return apps
