"""Maildir, mbox and .eml sources go through the same interface and store as IMAP."""

from __future__ import annotations

import mailbox

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.fetch.local import detect_kind, open_local
from inboxcoach.fetch.stage import fetch_all
from inboxcoach.store.database import Store
from tests.mailgen import make_message


def maildir(path, messages):
    box = mailbox.Maildir(str(path), create=True)
    for raw in messages:
        box.add(raw)
    return box


def mbox_file(path, messages):
    box = mailbox.mbox(str(path), create=True)
    for raw in messages:
        box.add(raw)
    box.flush()
    box.close()


def run_fetch(cfg):
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        return fetch_all(settings, store), store.message_count()


def test_maildir_first_and_incremental(tmp_path, config_file):
    box = maildir(tmp_path / "Mail", [make_message(i) for i in range(3)])
    before = sorted(p.name for p in (tmp_path / "Mail").rglob("*") if p.is_file())
    cfg = config_file([{"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")}])
    report, count = run_fetch(cfg)
    assert (report.total("stored"), count) == (3, 3)
    # read-only: nothing moved from new/ to cur/, no flags added to file names
    assert sorted(p.name for p in (tmp_path / "Mail").rglob("*") if p.is_file()) == before
    box.add(make_message(3))
    report, count = run_fetch(cfg)
    assert (report.total("stored"), report.total("duplicates"), count) == (1, 0, 4)


def test_mbox_like_a_takeout_export(tmp_path, config_file):
    path = tmp_path / "All mail Including Spam and Trash.mbox"
    mbox_file(path, [make_message(i) for i in range(4)])
    digest = path.read_bytes()
    cfg = config_file([{"name": "takeout", "kind": "mbox", "path": str(path)}])
    report, count = run_fetch(cfg)
    assert (report.total("stored"), count) == (4, 4)
    assert path.read_bytes() == digest
    mbox_file(path, [make_message(4)])
    report, count = run_fetch(cfg)
    assert (report.total("stored"), count) == (1, 5)
    report, count = run_fetch(cfg)
    assert (report.total("stored"), report.total("duplicates")) == (0, 0)


def test_eml_folder_and_single_file(tmp_path, config_file):
    folder = tmp_path / "eml"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.eml").write_bytes(make_message(1))
    (folder / "sub" / "b.eml").write_bytes(make_message(2))
    _report, count = run_fetch(config_file([{"name": "e", "kind": "eml", "path": str(folder)}]))
    assert count == 2
    single = open_local("x", folder / "a.eml")
    assert [r.ref for r in single.list_new(0, None)] == ["a.eml"]


def test_same_mail_from_two_sources_is_stored_once(tmp_path, config_file):
    maildir(tmp_path / "Mail", [make_message(i) for i in range(3)])
    mbox_file(tmp_path / "export.mbox", [make_message(i) for i in range(2, 5)])
    cfg = config_file([
        {"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")},
        {"name": "mb", "kind": "mbox", "path": str(tmp_path / "export.mbox")},
    ])
    report, count = run_fetch(cfg)
    assert (count, report.total("stored"), report.total("duplicates")) == (5, 5, 1)


def test_detect_kind(tmp_path):
    maildir(tmp_path / "Mail", [])
    mbox_file(tmp_path / "x.mbox", [make_message(1)])
    (tmp_path / "m.eml").write_bytes(make_message(1))
    kinds = [detect_kind(tmp_path / n) for n in ("Mail", "x.mbox", "m.eml")]
    assert kinds == ["maildir", "mbox", "eml"]


def test_cli_fetch_summary_and_status(tmp_path, config_file, capsys):
    maildir(tmp_path / "Mail", [make_message(i) for i in range(2)])
    cfg = config_file([{"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")}])
    assert main(["fetch", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("fetch: 1 account(s), 1 folder(s), 2 new")
    assert main(["status", "--config", str(cfg)]) == 0
    status = capsys.readouterr().out
    assert "md / Mail: 2 message(s)" in status and "last fetch:" in status


def test_fetch_classifies_stored_mail_and_relabels_for_a_new_model(tmp_path, config_file):
    from inboxcoach.classify.model import Classifier
    from inboxcoach.classify.stage import classify_store

    maildir(tmp_path / "Mail", [make_message(i) for i in range(3)])
    cfg = config_file([{"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")}])
    assert main(["fetch", "--config", str(cfg), "-q"]) == 0
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        assert sum(store.label_counts().values()) == 3
        classifier = Classifier.load()
        assert classify_store(store, classifier) == 0  # nothing new for this model
        classifier.manifest = {**classifier.manifest, "version": "another-model"}
        assert classify_store(store, classifier) == 3  # a new model relabels everything
        versions = {v for (v,) in store.conn.execute("SELECT model_version FROM labels")}
    assert versions == {"another-model"}


def test_fetch_without_a_model_stores_the_mail_and_says_why_it_is_untagged(
        tmp_path, config_file, monkeypatch, capsys):
    import inboxcoach.classify.model_files as modelfiles

    monkeypatch.setattr(modelfiles, "PACKAGED_MODEL_DIR", tmp_path / "none")
    monkeypatch.setattr(modelfiles, "REPO_MODEL_DIR", tmp_path / "none")
    maildir(tmp_path / "Mail", [make_message(1)])
    cfg = config_file([{"name": "md", "kind": "maildir", "path": str(tmp_path / "Mail")}])
    assert main(["fetch", "--config", str(cfg)]) == 2
    assert "classification skipped: no trained model found" in capsys.readouterr().err
    _, count = run_fetch(cfg)
    assert count == 1
