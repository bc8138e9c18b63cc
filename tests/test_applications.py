"""Grouping messages into applications and moving their status forward."""

from __future__ import annotations

import json
import mailbox
from datetime import UTC, datetime, timedelta

from inboxcoach.classify.applications import advance, group
from inboxcoach.cli import main
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import MessageRef, RawMessage
from tests.mailgen import make_message

NOW = datetime(2026, 11, 20, tzinfo=UTC)


def mail(i, subject, body, sender="Jane <jane@acme.example>", days_ago=10, refs=""):
    raw = make_message(i, subject, body, sender=sender, when=NOW - timedelta(days=days_ago))
    if refs:
        raw = raw.replace(b"Message-ID:", f"References: {refs}\r\nMessage-ID:".encode(), 1)
    return parse_raw(RawMessage("a", "f", MessageRef(str(i)), raw))


def test_one_application_moves_forward_through_its_statuses():
    msgs = [
        (mail(1, "Your application for the Data Analyst position", "Received.", days_ago=30),
         "acknowledgement"),
        (mail(2, "Interview - Data Analyst", "Are you free?", days_ago=20), "interview"),
        (mail(3, "Your application for the Data Analyst position", "Still reviewing.",
              days_ago=15), "acknowledgement"),
        (mail(4, "Re: Interview - Data Analyst", "We went another way.", days_ago=5,
              refs="<msg-2@test.example>"), "rejection"),
    ]
    [app] = group(msgs, now=NOW)
    assert (app.company, app.role, app.status) == ("Acme", "Data Analyst", "rejected")
    assert [e.status for e in app.events] == ["applied", "interview", "applied", "rejected"]
    assert not app.no_reply


def test_two_roles_at_one_employer_stay_apart_and_silence_is_flagged():
    msgs = [
        (mail(1, "Your application for the Data Analyst position", "Thanks.", days_ago=40),
         "acknowledgement"),
        (mail(2, "Your application for the QA Engineer position", "Thanks.", days_ago=5),
         "acknowledgement"),
        (mail(3, "Your application", "Thanks for applying to Globex.",
              sender="Globex <jobs@globex.example>", days_ago=3), "acknowledgement"),
        (mail(4, "Jobs for you", "New jobs.", sender="x@jobs.example"), "job_alert"),
    ]
    apps = group(msgs, now=NOW, no_reply_days=21)
    assert [(a.company, a.role) for a in apps] == [("Acme", "Data Analyst"),
                                                   ("Acme", "QA Engineer"), ("Globex", None)]
    assert [a.no_reply for a in apps] == [True, False, False]


def test_status_rules():
    assert advance("interview", "applied") == "interview"
    assert advance("applied", "assessment") == "assessment"
    assert advance("rejected", "applied") == "rejected"
    assert advance("rejected", "interview") == "interview"  # a later message says otherwise
    assert advance("offer", "interview") == "offer"


def test_applications_command_json_and_csv(tmp_path, config_file, capsys):
    box = mailbox.Maildir(str(tmp_path / "Mail"), create=True)
    box.add(make_message(1, "Your application for the Data Analyst position at Acme",
                         "Hi Sam,\n\nThank you for applying. We have received your application "
                         "and will review it shortly.\n\nAcme Talent Team\n"))
    cfg = config_file([{"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")}])
    assert main(["fetch", "--config", str(cfg), "-q"]) == 0
    capsys.readouterr()
    assert main(["applications", "--json", "--config", str(cfg)]) == 0
    [app] = json.loads(capsys.readouterr().out)
    assert app["company"] == "Acme" and app["timeline"]
    assert main(["applications", "--csv", "--config", str(cfg)]) == 0
    assert capsys.readouterr().out.startswith("company,role,status,no_reply_yet")
