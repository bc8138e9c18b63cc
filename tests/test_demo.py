"""``inboxcoach demo``: the real pipeline on the bundled sample mailbox, offline, no config."""

from __future__ import annotations

import email
import email.policy
import json
import re
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.samplebox import load_sample
from inboxcoach.store.database import Store
from inboxcoach.vocab import SkipReason


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
        rows = store.skip_rows()
    skips = {row.subject: row.reason for row in rows}
    notes = {row.subject: row.note for row in rows}
    dash = "\N{EN DASH}"
    assert skips[f"Healthcare Data Analyst (PGH-DA-0211) {dash} outcome"] == SkipReason.REPLIED
    assert notes[f"Data Analyst, Merchandising {dash} your application"] == "older than 30 days"
    assert SkipReason.NO_CONTACT in skips.values()


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


def test_the_demo_finds_the_sample_mailboxs_true_applications(demo: Path, monkeypatch):
    """The sample's true grouping, written down by reading every message
    (tests/data/sample-applications.json): 21 applications (and three approaches the user
    never answered), each found once, whole, with its true status; one offer."""
    from inboxcoach.classify.applications import stored_applications
    from inboxcoach.config import load_config

    truth = json.loads((Path(__file__).parent / "data" / "sample-applications.json").read_text())
    true_of = {m: a for a in truth["applications"] for m in a["messages"]}
    monkeypatch.delenv("INBOXCOACH_STATE_DIR")  # the demo's own store
    settings = load_config(demo / "config.toml")
    with Store.open(settings.db_path) as store:
        apps = [a for a in stored_applications(store, settings) if a.status != "contacted"]
    found = {}
    for app in apps:
        owners = {true_of[e.message_key.split(".")[0]]["id"] for e in app.events}
        assert len(owners) == 1, owners  # never two applications in one
        found.setdefault(owners.pop(), []).append(app)
    wanted = {a["id"]: a for a in truth["applications"] if a["status"] != "contacted"}
    assert len(wanted) == 21 and set(found) == set(wanted)
    assert all(len(v) == 1 for v in found.values()), {k for k, v in found.items() if len(v) > 1}
    assert {k: v[0].status for k, v in found.items()} == {k: a["status"]
                                                          for k, a in wanted.items()}
    assert sum(a.status == "offer" for a in apps) == 1


def test_each_demo_draft_names_only_its_own_employer_and_role(demo: Path):
    """Every fact in a draft is the application's: the employer and role of the true
    application its rejection belongs to, or none at all; never another's, an agency's or a
    sentence's."""
    truth = json.loads((Path(__file__).parent / "data" / "sample-applications.json").read_text())
    true_of = {m: a for a in truth["applications"] for m in a["messages"]}
    employers = {a["employer"] for a in truth["applications"] if a["employer"]}
    drafts = _drafts(demo)
    assert len(drafts) >= 4
    for draft in drafts:
        app = true_of[draft["In-Reply-To"].strip("<>").split(".")[0]]
        body = " ".join(draft.get_body(("plain",)).get_content().split())
        others = {e for e in employers if e != app["employer"] and e.split()[0] in body}
        assert not others, (app["id"], others)
        assert "Talentbridge" not in body and "Northgate" not in body  # agencies
        named_role = re.search(r"the (.+?) role", body)
        if named_role:  # "the time you and the team spent ... for the X role" names X
            role = named_role.group(1).rsplit(" the ", 1)[-1]
            assert role == app["role"], (app["id"], role)


def test_the_demo_digest_names_each_new_messages_true_employer(demo: Path, monkeypatch):
    """A new message is listed with its application's employer (read from all its mail),
    never a domain's letters, a person or an agency."""
    from inboxcoach.config import load_config
    from inboxcoach.digest.gather import gather

    truth = json.loads((Path(__file__).parent / "data" / "sample-applications.json").read_text())
    employers = {a["employer"] for a in truth["applications"] if a["employer"]}
    monkeypatch.delenv("INBOXCOACH_STATE_DIR")
    settings = load_config(demo / "config.toml")
    with Store.open(settings.db_path) as store:
        digest = gather(store, settings)
    named = [i.company for g in digest.groups for i in g.items if i.company]
    assert named and all(any(e.startswith(c) for e in employers) for c in named), named
