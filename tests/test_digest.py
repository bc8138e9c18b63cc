"""The digest: records from the store, charts, coaching, and HTML that stays inert whatever the
mail says. Hostile mail goes through the real pipeline (Maildir -> run) and the HTML is parsed."""

from __future__ import annotations

import mailbox
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.digest.charts import funnel_chart, kinds_chart, weekly_chart
from inboxcoach.digest.coaching import coaching_note
from inboxcoach.digest.gather import digest_since, is_new, weekly
from inboxcoach.digest.page import Digest, WeekFacts, Weekly, Window, WindowKind
from inboxcoach.digest.render import render, write_digest
from inboxcoach.records import TagRow
from inboxcoach.store.database import Store
from inboxcoach.text import defang, display_text

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
REJECTION = ("Hi Sam,\n\nThank you for interviewing with us for the Data Analyst role. After a lot "
             "of thought we have decided to move forward with another candidate.\n\n"
             "Best wishes,\nJane Doe\nHiring Manager\n")
HOSTILE = [
    "<script>alert('subject')</script>",
    '"><img src=x onerror=alert(1)>',
    "<a href=\"javascript:alert(2)\">click me</a>",
    "<style>body{display:none}</style>",
    "<svg onload=alert(3)>",
    "</bdi></p></li></ul><iframe src=https://evil.example/>",
    "<div <p unclosed <b>",
    "fdp.\u202eexe",
    "url(javascript:alert(4)) expression(alert(5))",
]


def _empty_digest(**facts: int) -> Digest:
    return Digest(
        generated_at=NOW, window=Window(NOW - timedelta(days=1), WindowKind.SINCE),
        headline={k: 0 for k in ("replies", "personal", "automated", "rejection", "interview",
                                 "assessment", "offer", "outreach")},
        totals={k: 0 for k in ("Applied", "Heard back", "Assessment or interview", "Interview",
                               "Offer", "Rejected", "Feedback drafts")},
        groups=(), quiet=(), unsure=(), drafts=(), no_contact=(), applications=(),
        weekly=weekly([], NOW), funnel=(("Applied", 0), ("Offer", 0)),
        kinds={"All replies": {"personal": 0, "automated": 0}}, no_reply_days=21,
        facts=WeekFacts(**facts))


def test_display_text_removes_bidi_overrides_and_line_breaks():
    assert display_text("fdp.\u202eexe\r\nBcc: x") == "fdp.exe Bcc: x"
    assert display_text("a" * 50, 10) == "a" * 9 + "…"


def test_new_means_stored_and_dated_since_with_slack_only_for_mail_no_digest_had():
    since, last = NOW - timedelta(days=1), NOW - timedelta(hours=1)
    window = Window(since, WindowKind.SINCE, last)
    assert is_new(NOW, NOW - timedelta(hours=1), window)
    assert is_new(NOW, since - timedelta(days=10), window)  # fetched late: an account was down
    assert not is_new(NOW, since - timedelta(days=30), window)  # an old backlog
    assert not is_new(since - timedelta(minutes=1), NOW, window)
    # stored before the last digest and dated before the window: the last digest decided it
    assert not is_new(last - timedelta(minutes=5), since - timedelta(hours=3), window)


def test_the_first_digest_shows_a_day_not_the_backlog_or_undated_mail():
    window = Window(NOW - timedelta(days=1), WindowKind.FIRST)
    assert is_new(NOW, NOW - timedelta(hours=20), window)
    assert not is_new(NOW, NOW - timedelta(days=2), window)
    assert not is_new(NOW, None, window)


def test_where_new_starts_for_written_and_mailed_digests(tmp_path: Path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert digest_since(store, NOW, mailed=False) == Window(NOW - timedelta(days=1),
                                                                 WindowKind.FIRST)
        # a second digest on the first day: the first one's window, not the backlog
        store.record_digest(NOW - timedelta(hours=2), NOW - timedelta(hours=26), "x", 0)
        window = digest_since(store, NOW, mailed=False)
        assert window.kind is WindowKind.SINCE
        assert window.since == (NOW - timedelta(hours=26)).replace(microsecond=0)
        # days later, hourly: since the start of yesterday
        later = NOW + timedelta(days=3)
        store.record_digest(later - timedelta(hours=1), later - timedelta(days=2), "x", 0)
        since = digest_since(store, later, mailed=False).since
        yesterday = later.astimezone().date() - timedelta(days=1)
        assert since.astimezone().date() == yesterday and since.astimezone().hour == 0
        # a week without runs: since the last digest
        week = later + timedelta(days=7)
        assert digest_since(store, week, mailed=False).since == (
            later - timedelta(hours=1)).replace(microsecond=0)
        assert digest_since(store, NOW, mailed=True).kind is WindowKind.SINCE  # none mailed
        digest_id = store.record_digest(NOW, NOW - timedelta(days=1), "x", 3)
        store.mark_delivered(digest_id)
        window = digest_since(store, NOW + timedelta(days=1), mailed=True)
        assert window.kind is WindowKind.MAILED
        assert NOW - timedelta(minutes=1) < window.since <= datetime.now(UTC)


def test_defang_keeps_urls_readable_but_not_clickable():
    assert defang("see https://x.example/a and www.y.example") == (
        "see https[:]//x.example/a and www[.]y.example")


def test_every_field_from_mail_is_defanged_not_only_subjects():
    """A sender's display name, an employer or a draft's subject can carry a URL too."""
    from inboxcoach.digest.gather import _draft_lines, _no_contact
    from inboxcoach.rows import DraftRow, SkipRow
    from inboxcoach.vocab import DraftState, Skip, SkipReason

    evil = '"Jane https://evil.example/" <jane@acme.example>'
    assert display_text(evil) == '"Jane https[:]//evil.example/" <jane@acme.example>'
    subject = "Re: see www.evil.example"
    drafted = DraftRow(NOW, evil, subject, "ask", DraftState.APPENDED, None, "Drafts", None,
                       NOW, "k")
    skipped = SkipRow(NOW, subject, evil, Skip(SkipReason.NO_CONTACT), NOW, "k")
    draft, = _draft_lines([drafted], NOW - timedelta(days=1), NOW, frozenset())
    skip, = _no_contact([skipped], NOW)
    for line in (draft.to, draft.subject, skip.sender, skip.subject):
        assert "://" not in line and "www." not in line


def test_weekly_counts_replies_by_week_and_category():
    rows = [TagRow(NOW - timedelta(days=d), NOW, c, "personal", "a@b.example")
            for d, c in [(0, "rejection"), (1, "rejection"), (8, "interview"), (9, "other")]]
    w = weekly(rows, NOW, weeks=3)
    assert len(w.weeks) == 3 and w.weeks[-1] == "2026-11-16"
    assert w.series["rejection"] == (0, 0, 2) and w.series["interview"] == (0, 1, 0)
    assert "other" not in w.series


def test_charts_say_their_numbers_in_words():
    w = Weekly(("2026-11-09", "2026-11-16"), {"rejection": (1, 2), "offer": (0, 1),
                                              "interview": (0, 0)})
    svg = str(weekly_chart(w))
    assert 'role="img"' in svg and "<title" in svg
    assert "week of 2026-11-16: 2 rejection, 1 offer" in svg
    assert "Applied: 10, Offer: 1" in str(funnel_chart((("Applied", 10), ("Offer", 1))))
    kinds = str(kinds_chart({"Rejections": {"personal": 3, "automated": 1}}))
    assert "Rejections: 3 personal, 1 automated" in kinds and "personal 75%" in kinds


def test_charts_cope_with_nothing_at_all():
    for svg in (weekly_chart(weekly([], NOW)), funnel_chart((("Applied", 0),)),
                kinds_chart({"All replies": {"personal": 0, "automated": 0}})):
        assert str(svg).startswith("<svg") and "nan" not in str(svg).lower()


def test_coaching_states_facts_and_a_next_step():
    notes = coaching_note(_empty_digest(personal_rejections_this_week=2,
                                        feedback_asked_this_week=0, rejections_after_interview=1,
                                        silent=3, no_reply_days=21))
    text = " ".join(notes)
    assert "2 rejections came from a person" in text and "none of them" in text
    assert "still counts as practice" in text
    assert "3 applications had no reply for over 21 days" in text


def test_coaching_counts_in_one_sentence_share_one_period():
    """A week's rejections and a month's drafts are two sentences, each naming its period."""
    from dataclasses import replace

    from inboxcoach.digest.page import RECENT, DraftLine

    draft = DraftLine(NOW - timedelta(days=22), "Jane", "Re: x", "asks", "Drafts", False)
    digest = replace(_empty_digest(personal_rejections_this_week=1), drafts=(draft,))
    text = " ".join(coaching_note(digest))
    week, month = text.split(". ", 1)
    assert week.startswith("This week 1 rejection came from a person") and "draft" not in week
    assert month.startswith(f"From the last {RECENT.days} days, 1 feedback draft is waiting")


def test_coaching_without_news_says_so_plainly():
    assert coaching_note(_empty_digest()) == [
        "Nothing new that needs you today. Applications take time; the quiet days are part of "
        "it."]


def test_write_digest_is_atomic_private_and_dated(tmp_path: Path):
    written = write_digest("<p>x</p>", tmp_path / "digest", NOW, keep_days=30)
    old = tmp_path / "digest" / "digest-2020-01-01.html"
    old.write_text("old")
    write_digest("<p>y</p>", tmp_path / "digest", NOW, keep_days=30)
    assert written.latest.read_text() == "<p>y</p>"
    assert written.dated.name == f"digest-{NOW.astimezone():%Y-%m-%d}.html"
    assert oct(written.latest.stat().st_mode)[-3:] == "600" and not old.exists()
    assert not list((tmp_path / "digest").glob(".*tmp"))


def _hostile_mail(i: int, text: str, when: datetime) -> bytes:
    m = EmailMessage()
    m["From"] = f'"{text}" <jane.doe{i}@acme.example>'
    m["To"] = "sam@example.org"
    m["Subject"] = f"Your interview {text}"
    m["Date"] = format_datetime(when)
    m["Message-ID"] = f"<hostile-{i}@acme.example>"
    m.set_content(REJECTION.replace("Data Analyst", text) + f"\nSee {text}\n")
    m.add_alternative(f"<html><head><style>p{{color:red}}</style><script>alert({i})</script>"
                      f"</head><body onload=alert(1)><p>{REJECTION}</p><p>{text}</p>"
                      f"<a href='javascript:alert(1)'>x</a><img src='https://t.example/p.gif'>"
                      "</body></html>", subtype="html")
    return m.as_bytes()


@pytest.fixture
def hostile_digest(tmp_path: Path, config_file) -> str:
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    now = datetime.now(UTC)
    for i, text in enumerate(HOSTILE):
        box.add(_hostile_mail(i, text, now - timedelta(hours=i + 1)))
    cfg = config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                      drafts={"your_name": "Sam", "your_email": "sam@example.org"})
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    return (load_config(cfg).digest_dir / "digest.html").read_text("utf-8")


def test_hostile_mail_is_shown_as_text_and_nothing_in_it_is_live(hostile_digest: str):
    soup = BeautifulSoup(hostile_digest, "html.parser")
    assert soup.find_all(["script", "iframe", "img", "object", "embed", "link", "a", "form",
                          "base", "input"]) == []
    assert len(soup.find_all("style")) == 1  # ours, in <head>
    for tag in soup.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), (tag.name, name)
            assert "javascript:" not in str(value).lower(), (tag.name, name)
    assert "\u202e" not in hostile_digest
    text = soup.get_text(" ")
    assert "<script>alert('subject')</script>" in text  # shown, escaped, not dropped
    assert "onerror=alert(1)" in text
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})
    assert "default-src 'none'" in csp["content"]


def test_hostile_digest_links_nothing_and_loads_nothing_remote(hostile_digest: str):
    soup = BeautifulSoup(hostile_digest, "html.parser")
    for tag in soup.find_all(True):
        assert not {"src", "href", "srcset", "action", "formaction", "style"} & set(tag.attrs), tag
    text = soup.get_text()
    # a URL from mail stays readable, defanged, wherever the model files the message
    assert "https[:]//evil.example/" in text and "https://evil.example/" not in text


def test_render_escapes_every_field_of_every_record():
    d = _empty_digest()
    from inboxcoach.digest.page import AppLine, DraftLine, Group, Item, QuietGroup, SkipLine

    evil = "<b onmouseover=alert(1)>x</b>"
    item = Item(NOW, evil, evil, evil, evil, "rejection", 0.5, "personal", 0.5, True, evil, evil)
    d = replace(d, groups=(Group("rejections", "Rejections", "hint", (item,), 1),),
                quiet=(QuietGroup("Job alerts", 2, (evil,)),), unsure=(item,),
                drafts=(DraftLine(NOW, evil, evil, "asks", evil, True),),
                no_contact=(SkipLine(NOW, evil, evil, "automated: no one to ask"),),
                applications=(AppLine(evil, evil, "rejected", ((NOW, "applied"),), NOW, True,
                                      30),))
    html = render(d)
    assert "<b onmouseover" not in html and html.count("&lt;b onmouseover=alert(1)&gt;") >= 10


def test_a_temporary_file_left_by_a_killed_writer_is_removed_by_the_next_write(tmp_path: Path):
    """Found by tests/test_crash.py: a draft killed mid-write is written again under another
    name (the employer is not kept), so the next write clears any stale temp of its kind."""
    from inboxcoach.paths import atomic_write

    stale = tmp_path / ".2026-11-20-acme-1234.eml.k2j3h4.tmp"
    stale.write_bytes(b"half a draft")
    other = tmp_path / ".notes.txt.x.tmp"  # not ours: another suffix stays
    other.write_bytes(b"x")
    atomic_write(tmp_path / "2026-11-20-rejection-1234.eml", b"draft")
    assert not stale.exists() and other.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".notes.txt.x.tmp", "2026-11-20-rejection-1234.eml"]


def test_the_headline_counts_agree_with_their_nouns(tmp_path: Path):
    from dataclasses import replace

    from inboxcoach.digest.render import render

    one = {k: 1 for k in ("replies", "personal", "automated", "rejection", "interview",
                          "assessment", "offer", "outreach")}
    html = render(replace(_empty_digest(), headline=one))
    text = " ".join(html.replace("<strong>", " ").replace("</strong>", " ").split())
    for phrase in ("1 rejection<", "1 interview message<", "1 test or task<", "1 offer message<",
                   "1 reply to your applications"):
        assert phrase in text.replace(" <", "<"), phrase


def test_coaching_names_the_interviews_to_prepare_for_first():
    from dataclasses import replace

    from inboxcoach.digest.page import AppLine

    def app(company: str, status: str, days: int, role: str = "") -> AppLine:
        when = NOW - timedelta(days=days)
        return AppLine(company, role, status, ((when, status),), when, False, None)

    digest = replace(_empty_digest(interviews_this_week=2), applications=(
        app("Acme", "interview", 2, "Data Analyst"), app("Globex", "interview", 1),
        app("Initech", "rejected", 1), app("Umbrella", "interview", 40)))
    notes = coaching_note(digest)
    assert notes[0].startswith("Interviews to prepare for first: Globex, Acme.")
    assert not any("interview message" in n for n in notes)  # said once, with the names


def test_a_guessed_employer_or_role_is_shown_as_a_guess():
    from inboxcoach.digest.gather import _said
    from inboxcoach.records import FactSource

    assert _said("Graefenberg-Logistik", FactSource.GUESSED) == "Graefenberg-Logistik (guessed)"
    assert _said("Gräfenberg Logistik", FactSource.STATED) == "Gräfenberg Logistik"
    assert _said(None, FactSource.NONE) is None
