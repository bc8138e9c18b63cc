"""``inboxcoach correct``: a correction holds at once, changes the next draft decision, survives
a new model, and round-trips through export and import. Run on the bundled demo mailbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.corrections import Asked, correction_from
from inboxcoach.errors import InputError
from inboxcoach.records import Address, Correction, Prediction, message_ref
from inboxcoach.store.database import Store


@pytest.fixture
def demo(tmp_path: Path, monkeypatch) -> Path:
    """The demo's folder; its config's state directory is the one used, as for a user."""
    monkeypatch.delenv("INBOXCOACH_STATE_DIR", raising=False)
    folder = tmp_path / "demo"
    assert main(["demo", "--dir", str(folder)]) == 0
    return folder


def _store(demo: Path) -> Store:
    return Store.open(demo / "state" / "inboxcoach.sqlite3")


def _correct(demo: Path, *args: str) -> int:
    return main(["correct", "--config", str(demo / "config.toml"), *args])


def test_a_reference_is_short_stable_and_names_one_message():
    ref = message_ref("abc@example.org")
    assert ref == message_ref("abc@example.org") and ref.startswith("m") and len(ref) == 7
    assert ref != message_ref("abd@example.org")


@pytest.mark.parametrize("asked, words", [
    (Asked(not_job=True, feedback=True), "cannot go with"),
    (Asked(category="offer", feedback=False), "cannot go with"),
    (Asked(category="offr"), "is not a category"),
    (Asked(sender="robot"), "is not a sender"),
    (Asked(contact="just a name"), "is not an address"),
    (Asked(contact="Jane <jane@acme.example>\r\nBcc: x@evil.example"), "is not an address"),
    (Asked(), "nothing to correct"),
])
def test_contradictions_and_bad_values_are_refused(asked, words):
    with pytest.raises(InputError, match=words):
        correction_from(asked)


def test_an_automated_sender_may_still_name_a_contact():
    c = correction_from(Asked(sender="automated", contact="Jane Doe <jane@acme.example>"))
    assert c.sender_kind == "automated" and c.contact == Address("Jane Doe", "jane@acme.example")


def test_a_later_correction_is_laid_over_an_earlier_one():
    first = Correction(category="rejection", contact=Address("Jane", "jane@acme.example"))
    later = Correction(no_contact=True).over(first)
    assert later.category == "rejection" and later.no_contact and later.contact is None
    assert Correction(feedback=True).over(later).no_contact


def _ref_of_skip(demo: Path, sender: str) -> str:
    with _store(demo) as store:
        [row] = [s for s in store.skip_rows() if s.from_addr == sender]
    return message_ref(row.message_key)


def test_a_named_contact_gets_its_draft_on_the_next_run(demo, capsys):
    ref = _ref_of_skip(demo, "careers@teamtailor-mail.com")  # a template: no one to ask
    assert _correct(demo, ref, "--contact", "Ingrid Solberg <ingrid.solberg@fjellvik.example>",
                    "--sender", "personal") == 0
    assert main(["run", "--config", str(demo / "config.toml"), "-q"]) == 0
    with _store(demo) as store:
        drafts = {d.to_addr for d in store.draft_rows()}
        skipped = {s.from_addr for s in store.skip_rows()}
    assert "ingrid.solberg@fjellvik.example" in drafts
    assert "careers@teamtailor-mail.com" not in skipped


def test_a_draft_corrected_away_is_no_longer_due_and_not_deleted(demo, capsys):
    with _store(demo) as store:
        drafted = store.draft_rows()[0]
    ref = message_ref(drafted.message_key)
    assert _correct(demo, ref, "--not-job") == 0
    assert main(["drafts", "--config", str(demo / "config.toml"), "--list"]) == 0
    out = capsys.readouterr().out
    assert f"draft  {ref}" in out and "no longer due" in out
    assert Path(drafted.eml_path or "").is_file()
    assert main(["digest", "--config", str(demo / "config.toml")]) == 0
    html = (demo / "digest" / "digest.html").read_text("utf-8")
    assert "no longer due" in html


def test_a_correction_survives_a_new_model_and_the_models_answer_is_kept(demo):
    ref = _ref_of_skip(demo, "no-reply@hire.lever.co")
    assert _correct(demo, ref, "--category", "interview") == 0
    with _store(demo) as store:
        key = store.resolve_ref(ref)
        rowid = store.conn.execute("SELECT id FROM messages WHERE msg_key=?", (key,)).fetchone()[0]
        store.save_labels("a-newer-model", [(rowid, Prediction(
            "rejection", 0.99, False, "automated", 0.99, False, 0.1), None)])
        [tagged] = [t for t in store.tagged() if t.email.key == key]
        [row] = store.corrections()
    assert tagged.category == "interview" and tagged.labels.corrected
    assert row.model_category == "rejection"


def test_export_then_import_round_trips(demo, tmp_path):
    ref = _ref_of_skip(demo, "no-reply@hire.lever.co")
    assert _correct(demo, ref, "--sender", "personal", "--no-contact") == 0
    out = tmp_path / "corrections.jsonl"
    assert _correct(demo, "--export", str(out)) == 0
    [record] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert record["sender_kind"] == "personal" and record["has_human_contact"] is False
    assert record["subject"] and set(record["corrected"]) == {"sender_kind", "has_human_contact"}
    with _store(demo) as store:
        before = [r.correction for r in store.corrections()]
    assert _correct(demo, ref, "--undo") == 0
    with _store(demo) as store:
        assert store.corrections() == []
    assert _correct(demo, "--import", str(out)) == 0
    with _store(demo) as store:
        assert [r.correction for r in store.corrections()] == before


def test_unknown_references_and_bad_files_are_usage_errors(demo, tmp_path, capsys):
    assert _correct(demo, "mzzzzzz", "--category", "offer") == 2
    assert "no stored message" in capsys.readouterr().err
    assert _correct(demo, "x1", "--category", "offer") == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"category": "offer"}\n', "utf-8")
    assert _correct(demo, "--import", str(bad)) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err
    with _store(demo) as store:
        assert store.corrections() == []


def test_the_digest_and_applications_show_each_messages_reference(demo, capsys):
    """The reference the user types into ``correct`` is where they read the message."""
    import re

    html = (demo / "digest" / "digest.html").read_text("utf-8")
    shown = re.findall(r'<code class="ref"[^>]*>(m[a-z2-7]{6})</code>', html)
    assert main(["applications", "--config", str(demo / "config.toml"), "--json"]) == 0
    timeline = {e["ref"] for a in json.loads(capsys.readouterr().out) for e in a["timeline"]}
    with _store(demo) as store:
        keys = store.resolve_refs(shown + sorted(timeline))  # each names one stored message
        drafted = message_ref(store.draft_rows()[0].message_key)
    assert shown and len(set(keys)) == len(set(shown) | timeline)
    assert drafted in timeline


def test_several_references_are_resolved_together_and_all_checked_first(demo):
    a = _ref_of_skip(demo, "no-reply@hire.lever.co")
    b = _ref_of_skip(demo, "careers@teamtailor-mail.com")
    assert _correct(demo, a, "mzzzzzz", "--category", "other") == 2  # nothing changed
    with _store(demo) as store:
        assert store.corrections() == []
        assert store.resolve_refs([b, a[:5]]) == [store.resolve_ref(b), store.resolve_ref(a)]
