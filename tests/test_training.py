"""Training is reproducible: the same seeds give the same model."""

from __future__ import annotations

import json

import numpy as np

from inboxcoach.classify.model import Classifier, frame
from inboxcoach.train import crossval, training
from inboxcoach.train.crossval import grouped_folds, unsure_threshold
from inboxcoach.train.evaluation import emails_from_records
from inboxcoach.train.model_card import model_card
from inboxcoach.train.training import train
from tests.builders import small_seed_dir


def test_training_twice_gives_the_same_model(tmp_path):
    seeds = small_seed_dir(tmp_path)
    a = train(seeds, tmp_path / "a", folds=0, log=lambda *_: None)
    b = train(seeds, tmp_path / "b", folds=0, log=lambda *_: None)
    assert a.manifest["corpus_sha256"] == b.manifest["corpus_sha256"]
    records = [json.loads(line) for line in (tmp_path / "a" / "corpus" / "train.jsonl")
               .read_text().splitlines()]
    mails = emails_from_records(records[:20])
    ma, mb = Classifier.load(tmp_path / "a"), Classifier.load(tmp_path / "b")
    xa = ma.models["features"].transform(frame(mails))
    xb = mb.models["features"].transform(frame(mails))
    assert (xa != xb).nnz == 0
    pa, pb = ma.probabilities(mails), mb.probabilities(mails)
    for task in ("category", "sender_kind"):
        np.testing.assert_array_equal(pa[task], pb[task])
    assert a.manifest["label_counts"]["category"]["rejection"] == 30
    assert "contains_feedback" in ma.models


def test_sender_kind_learns_from_out_of_fold_category_answers(tmp_path, monkeypatch):
    """The path ``inboxcoach train`` takes: the sender kind is cross-validated and trained on
    the category model's out-of-fold answers, mistakes included, not on the labels."""
    seen, real = [], crossval.fit_task_features

    def spy(task, data, use, categories):
        if task == "sender_kind":
            seen.append(np.asarray(categories, dtype=str))
        return real(task, data, use, categories)

    for module in (crossval, training):  # the folds, then the final model
        monkeypatch.setattr(module, "fit_task_features", spy)
    monkeypatch.setattr(crossval, "N_JOBS", 1)  # in this process, where the spy is
    result = train(small_seed_dir(tmp_path), tmp_path / "m", folds=3, log=lambda *_: None,
                   gate=True)
    assert set(result.cv) == {"families"}  # one seed file: no split by files
    assert {"category", "sender_kind", "contains_feedback", "job_search"} <= set(
        result.cv["families"])
    assert {"category", "sender_kind"} <= set(result.manifest["thresholds"])
    assert "gate_choice" in result.cv["families"]  # measured, shipped only if it helps
    records = [json.loads(line) for line in (tmp_path / "m" / "corpus" / "train.jsonl")
               .read_text().splitlines()]
    labels = np.array([r["category"] for r in records])
    assert len(seen) == 4  # three folds, then the final model
    assert all((answers == seen[0]).all() for answers in seen)
    assert (seen[0] != labels).any()
    predictions = Classifier.load(tmp_path / "m").predict(emails_from_records(records[:5]))
    assert {p.sender_kind for p in predictions} <= {"automated", "personal"}


def test_grouped_folds_keep_families_together():
    families = [f"f{i // 3}" for i in range(30)]
    folds = grouped_folds(families, 5)
    for fam in set(families):
        assert len({folds[i] for i, f in enumerate(families) if f == fam}) == 1


def test_unsure_threshold_picks_the_lowest_confident_enough_cut():
    conf = np.array([0.95, 0.9, 0.85, 0.6, 0.5, 0.4])
    correct = np.array([True, True, True, True, False, False])
    assert unsure_threshold(correct, conf, target=0.95) == 0.51


def test_the_gate_turns_unlikely_job_mail_into_other():
    from inboxcoach.classify.model import gated

    cats = np.array(["outreach", "rejection", "other"], dtype=object)
    conf = np.array([0.9, 0.8, 0.7])
    out, sure = gated(cats, conf, np.array([0.2, 0.9, 0.1]), 0.5)
    assert list(out) == ["other", "rejection", "other"]
    assert list(sure) == [0.8, 0.8, 0.7]
    same, _ = gated(cats, conf, None, 0.5)
    assert list(same) == list(cats)


def test_the_gate_threshold_is_the_best_f1_that_leaves_ordinary_mail_alone():
    from inboxcoach.train.crossval import choose_gate

    table = [{"threshold": 0.3, "category_macro_f1": 0.90, "ordinary_job_mail": 0.02},
             {"threshold": 0.5, "category_macro_f1": 0.88, "ordinary_job_mail": 0.004},
             {"threshold": 0.7, "category_macro_f1": 0.85, "ordinary_job_mail": 0.001}]
    assert choose_gate(table) == 0.5
    assert choose_gate([{**r, "ordinary_job_mail": None} for r in table]) == 0.3


def test_whole_seed_files_can_be_held_out_together():
    files = [f"file{i % 6}" for i in range(60)]
    folds = grouped_folds(files, 3)
    for name in set(files):
        assert len({folds[i] for i, f in enumerate(files) if f == name}) == 1


def test_each_answer_gets_its_own_unsure_threshold_when_there_are_enough():
    from inboxcoach.train.crossval import class_thresholds

    pred = np.array(["rejection"] * 200 + ["outreach"] * 200 + ["offer"] * 5)
    truth = pred.copy()
    truth[200:300] = "interview"  # outreach answers are often wrong below 0.8
    conf = np.concatenate([np.linspace(0.5, 1, 200), np.linspace(0.3, 1, 200), [0.9] * 5])
    conf[200:300] = np.linspace(0.3, 0.79, 100)
    got = class_thresholds(pred, truth, conf, 0.7)
    assert got["category:rejection"] == 0.3 and got["category:outreach"] >= 0.75
    assert "category:offer" not in got  # too few answers to say


def test_the_second_look_confirms_unsure_rejections_only_when_it_was_right():
    import pandas as pd

    from inboxcoach.train.crossval import category_confidence

    pred = np.array(["rejection"] * 150)
    conf = np.array([0.9] * 100 + [0.38] * 30 + [0.36] * 20)
    texts = pd.Series(["Thanks."] * 130 + ["We regret to inform you."] * 20)
    right = pred.copy()
    right[100:130] = "other"  # unsure answers without the phrase are often wrong
    out: dict = {}
    thresholds = {"category": 0.5}
    confident = category_confidence(pred, right, conf, texts, thresholds, out)
    assert confident[130:].all() and not confident[100:130].any()
    assert thresholds["second_look"] == 1.0
    assert out["second_look"] == {"confirmed": 20, "right": 1.0}
    wrong = right.copy()
    wrong[130:140] = "other"  # half the confirmed answers were not rejections
    thresholds = {"category": 0.5}
    confident = category_confidence(pred, wrong, conf, texts, thresholds, {})
    assert not confident[100:].any() and "second_look" not in thresholds


def test_the_model_card_states_real_mail_figures_and_the_looks_at_them(tmp_path):
    from inboxcoach.train.evaluation import evaluate
    from inboxcoach.train.ordinary_eval import evaluate_ordinary

    result = train(small_seed_dir(tmp_path), tmp_path / "m", folds=0, log=lambda *_: None)
    model = Classifier.load(tmp_path / "m")
    records = [json.loads(line) for line in (tmp_path / "m" / "corpus" / "train.jsonl")
               .read_text().splitlines()][:30]
    mails = emails_from_records(records)
    labelled = evaluate(model, records, mails)
    ordinary = evaluate_ordinary(model, mails[:10], [f"m{i}" for i in range(10)], {})
    card = model_card(result.manifest, labelled, "dev.jsonl", ordinary, looks=2)
    assert "2 candidate models have been scored on it" in card
    assert "confident answers wrong" in card
    assert f"On real ordinary mail ({ordinary.n} messages" in card
    assert "## How varied the corpus is" in card
    assert result.manifest["corpus_diversity"]["seeds"] == result.manifest["families"]


def test_cross_validation_features_hashed_once_are_those_of_the_pipeline(tmp_path):
    from inboxcoach.classify.model import build_features

    records = [json.loads(line) for line in (small_seed_dir(tmp_path) / "small.jsonl")
               .read_text().splitlines()]
    data = frame(emails_from_records(list(training.expand(
        [dict(r, _source=f"small.jsonl:{i}") for i, r in enumerate(records)]))))
    rows = np.arange(len(data)) % 3 != 0
    expected = build_features().fit(data[rows]).transform(data)
    got = crossval._fit_transform(crossval.hashed_blocks(data), rows)
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_allclose(got.toarray(), expected.toarray(), rtol=1e-6)
