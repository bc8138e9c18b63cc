"""Loading the model safely, classifying from every kind of source, reproducible training."""

from __future__ import annotations

import io
import json
import mailbox
import shutil
import sys

import pytest

from inboxcoach.classify.model import Classifier
from inboxcoach.classify.model_files import MANIFEST_FILE, MODEL_FILE, ModelError, default_model_dir
from inboxcoach.cli import main
from tests.mailgen import make_message

REJECTION = ("Hi Sam,\n\nThank you for taking the time to interview for the Data Analyst role. "
             "After careful consideration we have decided to move forward with another "
             "candidate whose experience more closely matches our needs.\n\nBest,\nJane\n")


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier.load()


@pytest.fixture
def model_copy(tmp_path):
    folder = tmp_path / "model"
    shutil.copytree(default_model_dir(), folder)
    return folder


def test_installed_model_loads_and_tags(classifier):
    from inboxcoach.fetch.parse import parse_raw
    from inboxcoach.records import MessageRef, RawMessage

    mail = parse_raw(RawMessage("a", "f", MessageRef("1"), make_message(1, "Your application",
                                                                       REJECTION)))
    [p] = classifier.predict([mail])
    assert p.category in {"rejection", "acknowledgement", "interview", "assessment", "offer",
                          "outreach", "job_alert", "other"}
    assert 0.0 <= p.category_confidence <= 1.0 and 0.0 <= p.sender_confidence <= 1.0
    assert classifier.predict([]) == []


def test_feedback_features_reuse_the_hashed_counts_exactly(classifier):
    """One hashing pass serves both feature sets: the result must be what transforming the
    text again gives."""
    from inboxcoach.classify.model import (
        FEEDBACK_FEATURES,
        frame,
        reweigh,
        transform_keeping_counts,
        with_cues,
    )
    from inboxcoach.fetch.parse import parse_raw
    from inboxcoach.records import MessageRef, RawMessage

    mails = [parse_raw(RawMessage("a", "f", MessageRef(str(i)), make_message(
        i, f"Update {i}", REJECTION * (i + 1)))) for i in range(6)]
    data = frame(mails)
    x, hashed = transform_keeping_counts(classifier.models["features"], data)
    assert (x != classifier.models["features"].transform(data)).nnz == 0
    own, rows = classifier.models[FEEDBACK_FEATURES], [1, 4]
    shared = reweigh(own, with_cues(data.iloc[rows]), {k: v.rows(rows) for k, v in hashed.items()})
    assert (shared != own.transform(with_cues(data.iloc[rows]))).nnz == 0


def test_sender_kind_reads_the_category_models_answer(classifier, monkeypatch):
    """The same message, once taken for an interview invitation and once for a rejection:
    the sender-kind model sees the stage, so its answer moves."""
    import numpy as np

    from inboxcoach.fetch.parse import parse_raw
    from inboxcoach.records import MessageRef, RawMessage

    mail = parse_raw(RawMessage("a", "f", MessageRef("1"), make_message(1, "Your application",
                                                                       REJECTION)))
    category = classifier.models["category"]
    answers = {}
    for name in ("interview", "rejection"):
        onehot = (category.classes_ == name).astype(float)[None, :]
        monkeypatch.setattr(category, "predict_proba", lambda x, p=onehot: p)
        answers[name] = classifier.probabilities([mail])["sender_kind"]
    assert not np.allclose(answers["interview"], answers["rejection"])


def test_altered_model_file_is_refused(model_copy):
    data = bytearray((model_copy / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (model_copy / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its manifest"):
        Classifier.load(model_copy)


def test_model_from_another_sklearn_is_refused(model_copy):
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text())
    manifest["sklearn"] = "0.24.2"
    (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2"):
        Classifier.load(model_copy)


def test_file_with_untrusted_types_is_refused_even_with_a_matching_hash(model_copy):
    import hashlib
    import os

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer

    # a model that would call os.system: skops must refuse the function, whatever the hash says
    data = sio.dumps({"features": FunctionTransformer(func=os.system)})
    (model_copy / MODEL_FILE).write_bytes(data)
    manifest = json.loads((model_copy / MANIFEST_FILE).read_text())
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    (model_copy / MANIFEST_FILE).write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="cannot load the model"):
        Classifier.load(model_copy)


def test_missing_model_gives_config_exit_code(tmp_path, capsys):
    (tmp_path / "m.eml").write_bytes(make_message(1))
    assert main(["classify", "--model", str(tmp_path), str(tmp_path / "m.eml")]) == 2
    assert "no model manifest" in capsys.readouterr().err


def classify_json(args, capsys) -> list[dict]:
    assert main(["classify", "--json", *args]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_classify_eml_maildir_mbox(tmp_path, capsys):
    eml = tmp_path / "one.eml"
    eml.write_bytes(make_message(1, "Your application", REJECTION))
    md = mailbox.Maildir(str(tmp_path / "Mail"), create=True)
    mb = mailbox.mbox(str(tmp_path / "box.mbox"), create=True)
    for i in range(3):
        md.add(make_message(10 + i))
        mb.add(make_message(20 + i))
    mb.flush()
    rows = classify_json([str(eml), str(tmp_path / "Mail"), str(tmp_path / "box.mbox")], capsys)
    assert len(rows) == 7
    fields = {"message_id", "subject", "category", "category_confidence", "sender_kind",
              "sender_confidence", "has_human_contact", "contact", "company", "role",
              "contains_feedback"}
    assert all(fields <= set(r) for r in rows)
    assert rows[0]["message_id"] == "msg-1@test.example"
    assert rows[0]["contact"] == {"name": "Jane", "email": "jane@acme.example"}
    assert rows[0]["contains_feedback"] in (True, False)  # a rejection: the model decides


def test_classify_stdin(monkeypatch, capsys):
    raw = make_message(5, "Your application", REJECTION)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    [row] = classify_json(["-"], capsys)
    assert row["source"] == "stdin" and row["subject"] == "Your application"


def test_classify_table_output(tmp_path, capsys):
    (tmp_path / "m.eml").write_bytes(make_message(1, "Your application", REJECTION))
    assert main(["classify", str(tmp_path / "m.eml")]) == 0
    line = capsys.readouterr().out.strip()
    assert "Your application" in line and "m.eml" in line


def test_evaluate_prints_scores_and_baseline(tmp_path, capsys):
    rows = [{"id": f"t{i}", "category": "rejection", "sender_kind": "personal",
             "has_human_contact": True, "contains_feedback": False, "lang": "en",
             "subject": "Your application", "from_name": "Jane", "from_addr": "jane@acme.example",
             "body": REJECTION} for i in range(3)]
    path = tmp_path / "set.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert main(["evaluate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "== category ==" in out and "keywords:" in out and "confusion matrix" in out
    assert "== sender_kind ==" in out and "calibration error" in out


def test_evaluate_reports_extraction_on_the_teams_labelled_examples(tmp_path, capsys):
    """Contact, company, role and feedback are read on the corpus's labelled examples and
    their precision/recall printed (the figures themselves live in the README)."""
    import json
    from pathlib import Path

    from inboxcoach.train.corpus import expand, read_seeds

    seeds = Path(__file__).parent.parent / "models" / "corpus" / "seeds"  # the corpus, rebuilt
    lines = [json.dumps(r, ensure_ascii=False) for r in expand(read_seeds(seeds))][::60]
    sample = tmp_path / "sample.jsonl"
    sample.write_text("\n".join(lines) + "\n", "utf-8")
    assert main(["evaluate", str(sample)]) == 0
    out = capsys.readouterr().out
    section = out[out.index("== who, where, what"):]
    for field in ("has_human_contact (rejections)", "contains_feedback (rejections)",
                  "company", "role", "contact email"):
        assert field in section


def test_one_feedback_cut_off_for_drafts_classify_and_evaluation():
    from inboxcoach.records import Prediction, feedback_given

    assert feedback_given(None) is None
    assert feedback_given(0.5) is True and feedback_given(0.4999) is False
    rejection = Prediction("rejection", 0.9, False, "personal", 0.9, False, 0.7)
    interview = Prediction("interview", 0.9, False, "personal", 0.9, False, 0.7)
    assert rejection.contains_feedback is True and interview.contains_feedback is None


class _Fixed:
    """A classifier that answers what it is told, to check how ordinary mail is scored."""

    def __init__(self, answers):
        self.answers = answers

    def predict(self, mails):
        from inboxcoach.records import Prediction

        return [Prediction(c, conf, conf < 0.6, "personal", 0.9, False, None)
                for c, conf in self.answers[:len(mails)]]


def test_ordinary_mail_scores_count_job_mail_confidence_and_would_be_drafts():
    from inboxcoach.fetch.parse import parse_raw
    from inboxcoach.records import MessageRef, RawMessage
    from inboxcoach.train.ordinary_eval import evaluate_ordinary

    person = parse_raw(RawMessage("a", "f", MessageRef("1"), make_message(
        1, "Re: build fails", "Try a clean build.\n\nCheers,\nJane Doe\n")))
    answers = [("other", 0.9), ("outreach", 0.5), ("rejection", 0.9), ("rejection", 0.55),
               ("job_alert", 0.8)]
    scores = evaluate_ordinary(_Fixed(answers), [person] * 5, list("abcde"),
                               {"a": "list", "b": "list"})
    assert (scores.n, scores.job_mail, scores.job_mail_confident) == (5, 4, 2)
    assert scores.not_alert == 3 and scores.would_draft == 1  # the unsure rejection: no draft
    assert scores.by_kind.loc["list", "job_mail"] == 1
    assert scores.as_dict()["job_mail_share"] == 0.8


def test_evaluate_ordinary_reads_a_folder_and_its_index(tmp_path, capsys):
    folder = tmp_path / "mail"
    folder.mkdir()
    for i in range(3):
        (folder / f"{i}.eml").write_bytes(make_message(i, f"[list] Re: patch {i}",
                                                       "Looks good to me, applied.\n"))
    (folder / "3.eml").write_bytes(b"\x00\x01 not mail")
    (tmp_path / "index.jsonl").write_text(
        "".join(json.dumps({"file": f"mail/{i}.eml", "kind": "list"}) + "\n" for i in range(3)))
    assert main(["evaluate", "--ordinary", "--json", str(folder)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] + report["unreadable"] == 4
    assert sum(report["predicted"].values()) == report["n"]
    assert main(["evaluate", "--ordinary", str(folder)]) == 0
    assert "tagged as job mail" in capsys.readouterr().out


def test_evaluate_ordinary_on_a_missing_or_empty_folder_says_so(tmp_path, capsys):
    assert main(["evaluate", "--ordinary", str(tmp_path / "nope")]) == 2
    assert main(["evaluate", "--ordinary", str(tmp_path)]) == 2
    assert "no readable mail" in capsys.readouterr().err
