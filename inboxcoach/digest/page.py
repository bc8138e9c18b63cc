"""What the digest page shows, as plain records: the groups of new mail, the drafts waiting,
the applications, the charts' series and the coaching facts, and the window they cover.

``gather.py`` makes them from the store; ``render.py``, ``charts.py`` and ``coaching.py`` read
them, so each can be tested with hand-made records and nothing but the template knows HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RECENT = timedelta(days=31)  # drafts and no-contact rejections older than this drop off


@dataclass(frozen=True)
class Item:
    date: datetime | None
    company: str | None
    role: str | None
    sender: str
    subject: str
    category: str
    confidence: float
    sender_kind: str
    sender_confidence: float
    unsure: bool
    snippet: str
    note: str | None = None  # e.g. "draft waiting in Drafts", "automated: no one to ask"
    ref: str = ""  # what ``inboxcoach correct`` calls it
    corrected: bool = False  # the tags are the user's


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    hint: str
    items: tuple[Item, ...]  # the newest MAX_ITEMS
    total: int = 0


@dataclass(frozen=True)
class QuietGroup:
    title: str
    count: int
    subjects: tuple[str, ...]


@dataclass(frozen=True)
class DraftLine:
    created: datetime
    to: str
    subject: str
    why: str
    where: str
    fresh: bool


@dataclass(frozen=True)
class SkipLine:
    date: datetime | None
    sender: str
    subject: str
    reason: str


@dataclass(frozen=True)
class AppLine:
    company: str
    role: str
    status: str
    timeline: tuple[tuple[datetime | None, str], ...]
    last_activity: datetime | None
    no_reply: bool
    days_silent: int | None


@dataclass(frozen=True)
class Weekly:
    weeks: tuple[str, ...]  # ISO date of each Monday
    series: dict[str, tuple[int, ...]]  # category -> count per week


@dataclass(frozen=True)
class WeekFacts:
    """The numbers the coaching note is written from. Fields, not dict keys: a misspelt one is
    an error the type checker reports, not a silent 0."""

    applications_this_week: int = 0
    applications_weekly_before: int = 0  # the average over the four weeks before
    rejections_this_week: int = 0
    personal_rejections_this_week: int = 0
    feedback_asked_this_week: int = 0  # of those, the ones the user has answered
    rejections_after_interview: int = 0
    interviews_this_week: int = 0
    offers_this_week: int = 0
    silent: int = 0  # applications with no reply for no_reply_days
    no_reply_days: int = 21


@dataclass(frozen=True)
class Digest:
    generated_at: datetime
    window: Window
    headline: dict[str, int]
    totals: dict[str, int]
    groups: tuple[Group, ...]
    quiet: tuple[QuietGroup, ...]
    unsure: tuple[Item, ...]
    drafts: tuple[DraftLine, ...]
    no_contact: tuple[SkipLine, ...]
    applications: tuple[AppLine, ...]
    weekly: Weekly
    funnel: tuple[tuple[str, int], ...]
    kinds: dict[str, dict[str, int]]
    no_reply_days: int
    drafts_enabled: bool = True
    untagged: int = 0  # stored messages the model has not tagged (yet)
    facts: WeekFacts = WeekFacts()  # for the coaching note

    @property
    def since(self) -> datetime:
        return self.window.since

    @property
    def first(self) -> bool:
        return self.window.kind is WindowKind.FIRST

    @property
    def silent(self) -> tuple[AppLine, ...]:
        return tuple(a for a in self.applications if a.no_reply)

    @property
    def new_count(self) -> int:
        """New job-search messages: what a mailed digest is worth sending for."""
        return sum(g.total for g in self.groups)


class WindowKind(StrEnum):
    FIRST = "first"  # no digest before: the last 24 hours
    MAILED = "mailed"  # since the last digest mailed
    SINCE = "since"  # written to disk: see digest_since


@dataclass(frozen=True)
class Window:
    """Where "new" starts (``since``), the rule that chose it, and when the last digest was
    made (``last``): mail stored after that was in no digest yet."""

    since: datetime
    kind: WindowKind
    last: datetime | None = None
