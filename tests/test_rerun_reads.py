"""What an hourly run reads of the store. Finding that nothing needs a label, and which
rejections still need a decision, must not read every stored message: an unsure label is
decided again only under a new model, and a rejection dated in the future is not held forever."""

from __future__ import annotations

import mailbox
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.drafts.stage import plan_drafts
from inboxcoach.records import Prediction
from inboxcoach.store.database import Store
from inboxcoach.vocab import SkipReason
from tests.mailgen import make_message

TEXT = ("Hi Sam,\n\nThank you for interviewing with us for the Data Analyst role. After a lot "
        "of thought we have decided to move forward with another candidate.\n\n"
        "Best wishes,\nJane Doe\nHiring Manager\n")


def _stored(tmp_path: Path, config_file, when: datetime):
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, "Your application to Acme", TEXT,
                         sender="Jane Doe <jane.doe@acme.example>", when=when))
    cfg = config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                      drafts={"your_name": "Sam", "your_email": "sam@example.org"})
    assert main(["fetch", "--config", str(cfg), "-q"]) == 0
    settings = load_config(cfg)
    return settings, Store.open(settings.db_path)


def _label(store: Store, version: str, unsure: bool) -> None:
    rowid = store.conn.execute("SELECT id FROM messages").fetchone()[0]
    store.save_labels(version, [(rowid, Prediction("rejection", 0.5 if unsure else 0.99, unsure,
                                                   "personal", 0.9, False), None)])


def test_an_unsure_rejection_waits_for_a_new_model_and_is_not_reread(tmp_path, config_file):
    now = datetime.now(UTC)
    settings, store = _stored(tmp_path, config_file, now - timedelta(days=1))
    with store:
        _label(store, "model-a", unsure=True)
        first = plan_drafts(settings, store, set(), now)
        assert [s.reason for _, s in first.skipped] == [SkipReason.UNSURE] and not first.created
        assert list(store.rejections()) == []  # decided for this model: not read again
        assert [row.reason for row in store.skip_rows()] == [SkipReason.UNSURE]
        _label(store, "model-b", unsure=False)  # a new model is sure
        assert len(list(store.rejections())) == 1
        assert store.skip_rows() == []  # the unsure skip no longer holds
        second = plan_drafts(settings, store, set(), now)
        assert len(second.created) == 1 and not second.skipped
        assert list(store.rejections()) == []


def test_a_final_skip_holds_under_a_new_model(tmp_path, config_file):
    now = datetime.now(UTC)
    settings, store = _stored(tmp_path, config_file, now - timedelta(days=90))  # too old
    with store:
        _label(store, "model-a", unsure=False)
        assert plan_drafts(settings, store, set(), now).skipped
        _label(store, "model-b", unsure=False)
        assert list(store.rejections()) == []


def test_a_rejection_dated_in_the_future_is_not_held_forever(tmp_path, config_file):
    now = datetime.now(UTC)
    settings, store = _stored(tmp_path, config_file, now + timedelta(days=300))
    with store:
        _label(store, "model-a", unsure=False)
        assert len(plan_drafts(settings, store, set(), now, record=False).created) == 1
        held = replace(settings, drafts=replace(settings.drafts, hold_hours=24))
        assert plan_drafts(held, store, set(), now, record=False).held  # fetched just now
        later = now + timedelta(hours=25)  # a day after it was fetched, not after its Date
        assert len(plan_drafts(held, store, set(), later, record=False).created) == 1


def test_a_rejection_waits_while_its_sent_folder_cannot_be_read(tmp_path, config_file):
    """The user may have answered it there: no draft, the reason in ``drafts --list``, and
    the next run, with the Sent folder readable, writes it."""
    now = datetime.now(UTC)
    settings, store = _stored(tmp_path, config_file, now - timedelta(days=1))
    with store:
        _label(store, "model-a", unsure=False)
        first = plan_drafts(settings, store, set(), now, sent_unread=frozenset({"local"}))
        assert not first.created and str(first.skipped[0][1]).startswith("waiting: the Sent folder")
        assert store.skip_rows()[0].note.startswith("waiting: the Sent folder")
        assert len(list(store.rejections())) == 1  # decided again next run
        assert len(plan_drafts(settings, store, set(), now).created) == 1
        assert store.skip_rows() == []


def test_finding_rejections_reads_the_category_index(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT message_rowid FROM labels "
                                  "WHERE category = 'rejection'").fetchall()
    assert any("USING INDEX labels_category" in row[-1]
               or "USING COVERING INDEX labels_category" in row[-1] for row in plan)


def test_needs_labels_counts_and_batches_resume_where_they_ended(tmp_path, config_file):
    _, store = _stored(tmp_path, config_file, datetime.now(UTC))
    with store:
        assert store.untagged_count() == 0  # fetch tags with the installed model
        store.conn.execute("DELETE FROM labels")
        assert store.needs_labels("model-a") and store.untagged_count() == 1
        rowid = store.unlabelled("model-a", 10)[0][0]
        assert store.unlabelled("model-a", 10, after=rowid) == []
        _label(store, "model-a", unsure=False)
        assert not store.needs_labels("model-a") and store.unlabelled("model-a", 10) == []
        assert store.untagged_count() == 0
        assert store.needs_labels("model-b")  # a new model labels everything again


def test_needs_labels_reads_indexes_only(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        plans = [store.conn.execute("EXPLAIN QUERY PLAN " + q, args).fetchall()
                 for q, args in (("SELECT count(*) FROM messages", ()),
                                 ("SELECT count(*) FROM labels WHERE model_version = ?", ("a",)))]
    assert all("COVERING INDEX" in row[-1] for plan in plans for row in plan)
