"""``inboxcoach demo``: the real pipeline on the bundled sample mailbox, offline, no config."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.drafts import NO_CONTACT, REPLIED
from inboxcoach.samplebox import load_sample
from inboxcoach.store import Store


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("demo") / "inboxcoach-demo"
    assert main(["demo", "--dir", str(folder)]) == 0
    return folder


def _drafts(folder: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((folder / "drafts").glob("*.eml"))]


def test_the_sample_covers_every_category_over_two_months():
    sample = load_sample()
    labels = {dict(m.label).get("category") for m in sample}
    assert labels >= {"rejection", "acknowledgement", "interview", "assessment", "offer",
                      "outreach", "job_alert", "other", "sent"}
    assert 70 <= len(sample) <= 100 and max(m.day for m in sample) >= 55
    kinds = {dict(m.label).get("sender_kind") for m in sample
             if dict(m.label).get("category") == "rejection"}
    assert kinds == {"personal", "automated"}


def test_demo_writes_a_digest_and_threaded_drafts(demo: Path):
    html = (demo / "digest" / "digest.html").read_text("utf-8")
    assert "Your job search" in html and "Feedback drafts waiting for you" in html
    drafts = _drafts(demo)
    assert len(drafts) >= 4
    for d in drafts:
        assert d["Subject"].startswith("Re: ") and d["In-Reply-To"] and d["References"]
        assert d["From"].addresses[0].addr_spec == "sam.rivera@example.net"
    german = [d for d in drafts if "Bewerbung" in d["Subject"]]
    assert german and "vielen Dank" in german[0].get_content()


def test_demo_skips_what_a_person_would_skip(demo: Path):
    with Store.open(demo / "state" / "inboxcoach.sqlite3") as store:
        skips = {row["subject"]: row["reason"] for row in store.skip_rows()}
    dash = "\N{EN DASH}"
    assert skips[f"Healthcare Data Analyst (PGH-DA-0211) {dash} outcome"] == REPLIED
    assert skips[f"Data Analyst, Merchandising {dash} your application"] == "older than 30 days"
    assert NO_CONTACT in skips.values()


def test_demo_shows_the_ghosted_application(demo: Path):
    html = (demo / "digest" / "digest.html").read_text("utf-8")
    assert "No reply for over 21 days" in html and "Ashgrove" in html


def test_demo_runs_again_in_its_own_folder_and_refuses_a_foreign_one(demo: Path,
                                                                     tmp_path: Path, capsys):
    assert main(["demo", "--dir", str(demo)]) == 0
    assert len(_drafts(demo)) >= 4
    (tmp_path / "mine.txt").write_text("keep me")
    assert main(["demo", "--dir", str(tmp_path)]) == 2  # a usage mistake, not a bug
    assert "not made by inboxcoach demo" in capsys.readouterr().err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_demo_agreement_with_the_team_labels_is_reported(demo: Path, capsys):
    """Not a quality gate (that is the evaluation's job): the demo's tags are printed so a
    change in the model that would make the demo misleading is visible in the test log."""
    labels = {m.id: dict(m.label) for m in load_sample() if m.folder == "INBOX"}
    assert main(["classify", "--json", str(demo / "mail" / "INBOX")]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    agree = sum(labels[r["message_id"].split(".")[0]]["category"] == r["category"] for r in rows)
    print(f"demo category agreement: {agree}/{len(rows)}")
    assert len(rows) == len(labels)
