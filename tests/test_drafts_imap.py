"""Drafts against the real Dovecot: one per rejection thread, in Drafts with \\Draft, never
for automated mail or a thread already answered; a refusing folder fails that draft only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.drafts.stage import make_drafts, plan_drafts
from inboxcoach.fetch.open import imap_opener
from inboxcoach.store.database import Store
from inboxcoach.vocab import Skip, SkipReason
from tests.builders import automated, drafts_in, personal

pytestmark = pytest.mark.dovecot

def setup(dovecot, config_file, **account):
    cfg = config_file([dovecot.account(**account)],
                      drafts={"your_name": "Sam Candidate", "your_email": "sam@example.org"})
    assert main(["fetch", "--config", str(cfg), "-q"]) == 0
    return cfg


def test_personal_rejection_gets_exactly_one_threaded_draft(dovecot, config_file, capsys):
    dovecot.append("INBOX", [personal(), automated()])
    cfg = setup(dovecot, config_file)
    assert main(["drafts", "--config", str(cfg)]) == 0
    assert main(["drafts", "--config", str(cfg)]) == 0  # a re-run adds nothing
    found = drafts_in(dovecot)
    assert len(found) == 1
    flags, msg = found[0]
    assert b"\\Draft" in flags and b"\\Seen" not in flags
    assert msg["In-Reply-To"] == "<msg-1@test.example>"
    assert msg["To"].addresses[0].addr_spec == "jane.doe@acme.example"
    assert msg["Subject"] == "Re: Your application to Acme"
    out = capsys.readouterr().out
    assert str(Skip(SkipReason.NO_CONTACT)) in out and "appended" in out
    settings = load_config(cfg)
    files = list(settings.drafts_dir.glob("*.eml"))
    assert len(files) == 1 and oct(files[0].stat().st_mode)[-3:] == "600"


def test_old_rejections_get_no_draft(dovecot, config_file, capsys):
    dovecot.append("INBOX", [personal(when=datetime.now(UTC) - timedelta(days=45))])
    cfg = setup(dovecot, config_file)
    assert main(["drafts", "--config", str(cfg)]) == 0
    assert "older than 30 days" in capsys.readouterr().out and drafts_in(dovecot) == []


def test_dry_run_writes_nothing(dovecot, config_file, capsys):
    dovecot.append("INBOX", [personal()])
    cfg = setup(dovecot, config_file)
    assert main(["drafts", "--dry-run", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "would write: to Jane Doe <jane.doe@acme.example>" in out and "Dear Jane," in out
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        assert store.draft_rows() == [] and store.skip_rows() == []
    assert drafts_in(dovecot) == []


def test_no_draft_when_already_replied_in_sent(dovecot, config_file):
    reply = (b"From: Sam <sam@example.org>\r\nTo: jane.doe@acme.example\r\nSubject: Re: x\r\n"
             b"Message-ID: <mine@example.org>\r\nIn-Reply-To: <msg-1@test.example>\r\n"
             b"Date: Mon, 02 Nov 2026 10:00:00 +0000\r\n\r\nThanks Jane!\r\n")
    dovecot.append("INBOX", [personal()])
    dovecot.append("Sent", [reply])
    cfg = setup(dovecot, config_file)
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        report = make_drafts(settings, store, lambda a: imap_opener(a, settings)())
    assert report.created == [] and report.skipped[0][1].reason == SkipReason.REPLIED
    assert drafts_in(dovecot) == []


def test_drafts_folder_that_refuses_append_fails_that_draft_only(dovecot, config_file):
    dovecot.append("INBOX", [personal()])
    cfg = setup(dovecot, config_file, drafts_folder="No Such Folder")
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        report = make_drafts(settings, store, lambda a: imap_opener(a, settings)())
        [row] = store.draft_rows()
    assert len(report.created) == 1 and len(report.failed) == 1
    assert row.state == "failed" and "No Such Folder" in (row.error or "")
    assert row.eml_path  # the .eml copy is still there for the user


def test_a_crash_after_append_does_not_duplicate(dovecot, config_file):
    """The run died after the server stored the draft but before we noted it: the next run
    finds it by Message-ID instead of appending again."""
    dovecot.append("INBOX", [personal()])
    cfg = setup(dovecot, config_file)
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        plan_drafts(settings, store, set(), datetime.now(UTC))
        [(_, _, _, raw)] = store.pending_drafts()
        with dovecot.client() as c:
            c.append("Drafts", raw, flags=["\\Draft"])  # what the dead run managed to do
        report = make_drafts(settings, store, lambda a: imap_opener(a, settings)())
        [row] = store.draft_rows()
    assert report.appended == 1 and row.state == "appended"
    assert len(drafts_in(dovecot)) == 1
