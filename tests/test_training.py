"""Training is reproducible: the same seeds give the same model."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from inboxcoach import training
from inboxcoach.corpus import read_seeds
from inboxcoach.evaluation import emails_from_records
from inboxcoach.model import CATEGORIES, Classifier, frame
from inboxcoach.training import grouped_folds, train, unsure_threshold

SEEDS = Path(__file__).parent.parent / "models" / "corpus" / "seeds"


def small_seed_dir(tmp_path: Path, per_category: int = 5) -> Path:
    chosen, counts = [], dict.fromkeys(CATEGORIES, 0)
    feedback = {True: 0, False: 0}
    for s in read_seeds(SEEDS):
        if s["category"] == "rejection":  # both kinds, for the feedback model's folds
            if feedback[bool(s["contains_feedback"])] >= per_category:
                continue
            feedback[bool(s["contains_feedback"])] += 1
        elif counts[s["category"]] >= per_category:
            continue
        counts[s["category"]] += 1
        chosen.append({k: v for k, v in s.items() if k != "_source"})
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "small.jsonl").write_text("".join(json.dumps(s) + "\n" for s in chosen))
    return folder


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
    seen, real = [], training.fit_task_features

    def spy(task, data, use, categories):
        if task == "sender_kind":
            seen.append(np.asarray(categories, dtype=str))
        return real(task, data, use, categories)

    monkeypatch.setattr(training, "fit_task_features", spy)
    result = train(small_seed_dir(tmp_path), tmp_path / "m", folds=3, log=lambda *_: None)
    assert set(result.cv) == {"category", "sender_kind", "contains_feedback"}
    assert set(result.manifest["thresholds"]) == {"category", "sender_kind"}
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
