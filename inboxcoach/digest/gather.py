"""The digest stage, first half: what the person should see today, as plain records.

Nothing here knows HTML. ``render.py`` renders these records, ``charts.py`` draws them and
``coaching.py`` reads them, so each can be tested with hand-made data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from inboxcoach.classify.applications import Application, stored_applications
from inboxcoach.digest.page import (
    RECENT,
    AppLine,
    Digest,
    DraftLine,
    Group,
    Item,
    QuietGroup,
    SkipLine,
    WeekFacts,
    Weekly,
    Window,
    WindowKind,
)
from inboxcoach.records import FactSource, Tagged, TagRow, message_ref
from inboxcoach.rows import DraftRow, SkipRow
from inboxcoach.settings import Settings
from inboxcoach.store.database import Store
from inboxcoach.text import display_text
from inboxcoach.vocab import Category, Skip, SkipReason

C = Category
REPLIES = (C.REJECTION, C.ACKNOWLEDGEMENT, C.INTERVIEW, C.ASSESSMENT, C.OFFER)  # to applications
JOB = (*REPLIES, C.OUTREACH)
QUIET = {C.JOB_ALERT: "Job alerts", C.OTHER: "Not about your search"}
FIRST_WINDOW = timedelta(days=1)
LATE_SLACK = timedelta(days=14)  # mail fetched late (an account down for days) is still news
WEEKS = 12
MAX_ITEMS = 50  # per group: a first digest over a big mailbox stays readable
# What each group of new mail asks of the person, in the order the digest shows them.
NEEDS = (
    ("act", "Reply or prepare", "Invitations, tests and offers: these wait for you.",
     ("offer", "interview", "assessment")),
    ("rejections", "Rejections",
     "Where a person wrote, a feedback request is drafted for you to review.",
     ("rejection",)),
    ("outreach", "People reaching out", "Recruiters and hiring managers who wrote to you.",
     ("outreach",)),
    ("confirmations", "Applications confirmed", "Received, no decision yet. Nothing to do.",
     ("acknowledgement",)),
)
VARIANT_WHY = {
    "ask": "asks for one or two pointers for next time",
    "ask_after_interview": "asks the people who interviewed you for pointers",
    "thanks": "thanks them for the feedback they already gave",
    "thanks_ask": "thanks them for their note and leaves room for a pointer or two (the model "
                  "was not sure the rejection gave reasons)",
}
FUNNEL = (("Applied", None), ("Heard back", {"assessment", "interview", "offer", "rejected"}),
          ("Assessment or interview", {"assessment", "interview", "offer"}),
          ("Interview", {"interview", "offer"}), ("Offer", {"offer"}))


def digest_since(store: Store, now: datetime, mailed: bool) -> Window:
    """Where "new" starts, by arrival in the store and by Date both.

    Mailed: since the last mail, so every message is in exactly one. Written to disk (every
    hour, read whenever): since the start of yesterday, so whoever reads it once a day sees
    everything (some of it twice), or since the last digest when that is older (a week without
    runs shows the week), but never before the first digest's own window: a second run on the
    first day shows what the first showed, not the backlog. The first digest: 24 hours."""
    if mailed and (last := store.last_delivery()) is not None:
        at = datetime.fromisoformat(last)
        return Window(at, WindowKind.MAILED, at)
    times = store.digest_times()
    if times is None:
        return Window(now - FIRST_WINDOW, WindowKind.FIRST)
    first_since, last_written = times
    yesterday = datetime.combine(now.astimezone().date() - timedelta(days=1), time()).astimezone()
    return Window(max(min(yesterday, last_written), first_since), WindowKind.SINCE, last_written)


def is_new(first_seen: datetime, date: datetime | None, window: Window) -> bool:
    """Stored and dated after ``since``. Mail stored after the last digest (so in none yet) is
    news when dated up to two weeks earlier too: an account that was down, a late fetch. The
    backlog of a new mailbox is dated before the window and so is never news."""
    if first_seen <= window.since:
        return False
    if date is None:
        return window.kind is not WindowKind.FIRST
    if date > window.since:
        return True
    return (window.last is not None and first_seen > window.last
            and date > window.since - LATE_SLACK)


def gather(store: Store, settings: Settings, now: datetime | None = None,
           replied: frozenset[str] = frozenset()) -> Digest:
    """Everything the digest shows, read from the store once."""
    now = now or datetime.now(UTC)
    window = digest_since(store, now, settings.delivery.enabled)
    since = window.since
    mine = settings.my_addresses
    chart, who, recent = tally((r for r in store.tag_rows() if r.from_addr.lower() not in mine),
                               now)

    # what is_new can keep, found in SQL; is_new decides
    dated_after = since if window.last is None else since - LATE_SLACK
    new = [t for t in store.tagged(JOB, seen_after=since, dated_after=dated_after)
           if _sender(t) not in mine and is_new(t.first_seen, t.email.date, window)]
    every = stored_applications(store, settings, now)
    apps = [a for a in every if a.status != "contacted"]  # an approach is not an application
    app_of = {e.message_key: a for a in every for e in a.events}
    drafts, skips = store.draft_rows(), store.skip_rows()
    notes = _rejection_notes(drafts, skips, replied)
    items = [_item(t, notes.get(t.email.key), app_of.get(t.email.key)) for t in new]
    groups = tuple(_group(key, title, hint, [i for i in items if i.category in cats], now)
                   for key, title, hint, cats in NEEDS)
    stages = funnel(apps)
    return Digest(
        generated_at=now, window=window, headline=_headline(new),
        totals={**dict(stages), "Rejected": sum(a.status == "rejected" for a in apps),
                "Feedback drafts": len(drafts)},
        groups=tuple(g for g in groups if g.items),
        quiet=_quiet(store, window, dated_after, mine),
        unsure=tuple(i for i in items if i.unsure)[:MAX_ITEMS],
        drafts=_draft_lines(drafts, since, now, replied), no_contact=_no_contact(skips, now),
        applications=_app_lines(apps, now), weekly=chart, funnel=stages,
        kinds=who, no_reply_days=settings.no_reply_days,
        drafts_enabled=settings.drafts.enabled, untagged=store.untagged_count(),
        facts=_facts(recent, apps, replied, now, settings.no_reply_days),
    )


def _group(key: str, title: str, hint: str, items: list[Item], now: datetime) -> Group:
    newest = sorted(items, key=lambda i: i.date or now, reverse=True)
    return Group(key, title, hint, tuple(newest[:MAX_ITEMS]), len(items))


def _sender(t: Tagged) -> str:
    return t.email.from_.email.lower() if t.email.from_ else ""


def _item(t: Tagged, note: str | None, app: Application | None = None) -> Item:
    """A new message as the digest lists it, with its application's employer and role (read
    from all its mail) rather than what this one message says."""
    mail = t.email
    sender = display_text(str(mail.from_) if mail.from_ else "(no sender)", 120)
    if note is None and t.category == "rejection" and t.labels.category_unsure:
        note = str(Skip(SkipReason.UNSURE))
    return Item(
        date=mail.date,
        company=_opt(_said(app.company, app.company_source) if app and app.company else t.company),
        role=_opt(_said(app.role, app.role_source) if app and app.role else t.role),
        sender=sender,
        subject=display_text(mail.subject or "(no subject)", 160),
        category=t.category, confidence=t.labels.category_confidence,
        sender_kind=t.sender_kind, sender_confidence=t.labels.sender_confidence,
        unsure=t.labels.unsure, snippet=display_text(mail.new_text or mail.text, 220),
        note=note, ref=message_ref(mail.key), corrected=t.labels.corrected,
    )


def _opt(value: str | None) -> str | None:
    return display_text(value, 80) if value else None


def _rejection_notes(drafts: list[DraftRow], skips: list[SkipRow], replied: frozenset[str]
                     ) -> dict[str, str]:
    notes = {s.message_key: s.note for s in skips}
    for d in drafts:
        notes[d.message_key] = ("you replied" if d.message_key in replied
                                else "feedback draft waiting for your review")
    return notes


def _headline(new: list[Tagged]) -> dict[str, int]:
    """Replies to applications by who sent them, then the messages that matter most."""
    replies = [t for t in new if t.category in REPLIES]
    cats = Counter(t.category for t in new)
    return {
        "replies": len(replies),
        "personal": sum(t.sender_kind == "personal" for t in replies),
        "automated": sum(t.sender_kind == "automated" for t in replies),
        "rejection": cats["rejection"], "interview": cats["interview"],
        "assessment": cats["assessment"], "offer": cats["offer"], "outreach": cats["outreach"],
    }


def _quiet(store: Store, window: Window, dated_after: datetime,
           mine: frozenset[str]) -> tuple[QuietGroup, ...]:
    """Job alerts and mail outside the search: how many, and the subjects of the newest few
    (read alone, not the whole messages: on a first run these can be thousands)."""
    out = []
    for category, title in QUIET.items():
        new = [r.key for r in store.tag_subjects(category, window.since, dated_after)
               if r.from_addr.lower() not in mine and is_new(r.first_seen, r.date, window)]
        if new:
            subjects = tuple(display_text(s or "(no subject)", 100) for s in new[:8])
            out.append(QuietGroup(title, len(new), subjects))
    return tuple(out)


def _draft_lines(drafts: list[DraftRow], since: datetime, now: datetime,
                 replied: frozenset[str]) -> tuple[DraftLine, ...]:
    """Drafts still waiting: not answered yet, and not older than a month."""
    lines = []
    for d in drafts:
        if d.message_key in replied or now - d.created_at > RECENT:
            continue
        lines.append(DraftLine(d.created_at, display_text(d.to_addr, 120),
                               display_text(d.subject, 160),
                               VARIANT_WHY.get(d.variant, d.variant), display_text(d.where, 200),
                               d.created_at > since))
    return tuple(sorted(lines, key=lambda line: line.created, reverse=True))


def _no_contact(skips: list[SkipRow], now: datetime) -> tuple[SkipLine, ...]:
    lines = []
    for s in skips:
        when = s.rejection_date
        if s.reason == SkipReason.NO_CONTACT and (when is None or now - when < RECENT):
            lines.append(SkipLine(when, display_text(s.from_addr, 120),
                                  display_text(s.subject, 160), s.note))
    return tuple(reversed(lines))


def _app_lines(apps: list[Application], now: datetime) -> tuple[AppLine, ...]:
    lines = []
    for a in apps:
        last = a.last_activity
        lines.append(AppLine(
            company=display_text(_said(a.company, a.company_source) or "Unknown employer", 80),
            role=display_text(_said(a.role, a.role_source) or "", 80), status=a.status,
            timeline=_steps(a), last_activity=last,
            no_reply=a.no_reply, days_silent=(now - last).days if last else None))
    far_past = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(lines, key=lambda a: a.last_activity or far_past, reverse=True))


def _said(value: str | None, source: FactSource) -> str | None:
    """A name only guessed (from an address's letters, a title somewhere in the text) is shown
    as a guess."""
    if value and source <= FactSource.GUESSED:
        return f"{value} (guessed)"
    return value


def tally(rows: Iterable[TagRow], now: datetime, weeks: int = WEEKS
          ) -> tuple[Weekly, dict[str, dict[str, int]], list[TagRow]]:
    """One pass over every tagged message, keeping counts, not messages: the weekly chart,
    who answered, and the last five weeks' rows the coaching note reads."""
    today = now.astimezone().date()
    monday = today - timedelta(days=today.weekday())
    starts = [monday - timedelta(weeks=w) for w in reversed(range(weeks))]
    per_week: Counter[tuple[date, str]] = Counter()
    who: Counter[tuple[str, str]] = Counter()
    recent, horizon = [], now - timedelta(weeks=5)
    for r in rows:
        who[r.category, r.sender_kind] += 1
        if r.date is None:
            continue
        if r.date > horizon:
            recent.append(r)
        if r.category in JOB:
            day = r.date.astimezone().date()
            per_week[day - timedelta(days=day.weekday()), r.category] += 1
    chart = Weekly(tuple(s.isoformat() for s in starts),
                   {c: tuple(per_week[s, c] for s in starts) for c in JOB})
    return chart, kinds(who), recent


def _steps(app: Application, keep: int = 8) -> tuple[tuple[datetime | None, str], ...]:
    """The status changes of an application (each message that moved it on, not every
    message), the last ``keep`` of them."""
    steps: list[tuple[datetime | None, str]] = []
    for e in app.events:
        if not steps or steps[-1][1] != e.status:
            steps.append((e.date, e.status))
    return tuple(steps[-keep:])


def weekly(rows: Iterable[TagRow], now: datetime, weeks: int = WEEKS) -> Weekly:
    """Replies per week and category, the last ``weeks`` weeks (Monday to Sunday, local time)."""
    return tally(rows, now, weeks)[0]


def funnel(apps: list[Application]) -> tuple[tuple[str, int], ...]:
    """How many applications reached each stage (a stage may be skipped on the way)."""
    reached = [{e.status for e in a.events} for a in apps if a.status != "contacted"]
    return tuple((stage, len(reached) if need is None else sum(bool(s & need) for s in reached))
                 for stage, need in FUNNEL)


def kinds(who: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Who answered, from (category, sender kind) counts: people or systems, for all replies
    and for rejections alone."""
    out = {}
    for label, cats in (("All replies", set(REPLIES)), ("Rejections", {"rejection"})):
        out[label] = {kind: sum(n for (c, k), n in who.items() if c in cats and k == kind)
                      for kind in ("personal", "automated")}
    return out


def _facts(rows: list[TagRow], apps: list[Application], replied: frozenset[str],
           now: datetime, no_reply_days: int) -> WeekFacts:
    """The numbers the coaching note is written from."""
    week = now - timedelta(days=7)
    this_week = [r for r in rows if r.date and r.date > week]
    acks = [r.date for r in rows if r.category == "acknowledgement" and r.date]
    before = [d for d in acks if week - timedelta(weeks=4) < d <= week]
    personal_rejections = [r for r in this_week if r.category == "rejection"
                           and r.sender_kind == "personal"]
    return WeekFacts(
        applications_this_week=sum(d > week for d in acks),
        applications_weekly_before=round(len(before) / 4),
        rejections_this_week=sum(r.category == "rejection" for r in this_week),
        personal_rejections_this_week=len(personal_rejections),
        feedback_asked_this_week=sum(r.key in replied for r in personal_rejections),
        rejections_after_interview=sum(
            1 for a in apps if a.status == "rejected" and a.last_activity
            and a.last_activity > week and any(e.status == "interview" for e in a.events)),
        interviews_this_week=sum(r.category == "interview" for r in this_week),
        offers_this_week=sum(r.category == "offer" for r in this_week),
        silent=sum(a.no_reply for a in apps),
        no_reply_days=no_reply_days,
    )
