"""``inboxcoach train``: seeds -> corpus -> grouped cross-validation -> final model + manifest.

Deterministic: the corpus expansion is seeded, the folds come from sorted family ids, and the
linear models use fixed random states, so the same seeds and libraries give the same model:
the same answers to the last digit. Its file differs (skops records Python object ids), so
each training gets its own version id.
"""

from __future__ import annotations

import hashlib
import json
import platform
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn

from inboxcoach.classify.model import (
    C_BY_TASK,
    FEEDBACK,
    GATE,
    TASKS,
    build_classifier,
    build_features,
    frame,
)
from inboxcoach.classify.model_files import MANIFEST_FILE, MODEL_FILE
from inboxcoach.train.corpus import build_corpus, expand, read_seeds
from inboxcoach.train.crossval import (
    cross_validate,
    fit_task_features,
    grouped_folds,
    score_held_out,
    task_input,
)
from inboxcoach.train.diversity import corpus_diversity, summary
from inboxcoach.train.evaluation import (
    emails_from_records,
    feedback_test_scores,
)


@dataclass(frozen=True)
class TrainResult:
    manifest: dict[str, Any]
    cv: dict[str, Any]


@dataclass(frozen=True)
class Corpus:
    """The expanded corpus as the models learn from it: one row per readable record, the
    labels per task and which rows each task learns from (the feedback model: rejections)."""
    records: list[dict[str, Any]]
    data: pd.DataFrame
    labels: dict[str, np.ndarray]
    rows: dict[str, np.ndarray]

    @property
    def families(self) -> list[str]:
        return [r["family"] for r in self.records]

    @property
    def files(self) -> list[str]:
        return [str(r["source"]).rpartition(":")[0] for r in self.records]

    @classmethod
    def of(cls, records: list[dict[str, Any]], gate: bool = False, log: Any = print) -> Corpus:
        log(f"corpus: {len(records)} examples from {len({r['family'] for r in records})} "
            "families")
        parsed = emails_from_records(records)
        kept = [(r, m) for r, m in zip(records, parsed, strict=True) if not isinstance(m, str)]
        records = [r for r, _ in kept]
        labels = {task: np.array([r[task] for r in records]) for task in TASKS}
        labels[FEEDBACK] = np.array([bool(r.get(FEEDBACK)) for r in records])
        everything = np.ones(len(records), dtype=bool)
        if gate:
            labels[GATE] = labels["category"] != "other"
        rows = (dict.fromkeys([*TASKS, GATE], everything)
                | {FEEDBACK: labels["category"] == "rejection"})
        if len(set(labels[FEEDBACK][rows[FEEDBACK]])) < 2:  # a tiny corpus: no feedback model
            log("contains_feedback: the corpus has one class only; no feedback model")
            del labels[FEEDBACK], rows[FEEDBACK]
        return cls(records, frame([m for _, m in kept]), labels, rows)


def train(seed_dir: Path, out_dir: Path, folds: int = 5, log: Any = print,
          gate: bool = False) -> TrainResult:
    """Build the corpus, cross-validate, fit and write the model. ``gate``: also measure the
    job-search gate (a tenth of the time; it shipped in no round it was measured in, README)."""
    import skops.io as sio

    out_dir.mkdir(parents=True, exist_ok=True)
    corpus_path = out_dir / "corpus" / "train.jsonl"
    corpus_path.parent.mkdir(parents=True, exist_ok=True)
    c = Corpus.of(build_corpus(seed_dir, corpus_path), gate, log)
    records, data, families, labels, rows = c.records, c.data, c.families, c.labels, c.rows
    cv: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    # The sender-kind model learns from the category model's out-of-fold answers, mistakes
    # included, as it will meet them in use (the labels when there is no cross-validation).
    categories = labels["category"]
    files = c.files
    if folds > 1:
        splits = {"families": grouped_folds(families, folds)}
        if len(set(files)) >= folds:  # the headline: other writers, other styles
            splits["files"] = grouped_folds(files, folds)
        for name, split in splits.items():
            held_out = cross_validate(data, labels, rows, families, split)
            cv[name], thresholds = score_held_out(held_out, labels, rows, files, data["text"],
                                                  log, name, folds)
            if name == "families":  # closest to how often the category is right in use
                categories = held_out["category"][0]
        # The thresholds are those of the last split: whole files held out where there are
        # enough files, as mail unlike the corpus needs.
    features = build_features()
    x = features.fit_transform(data)  # hashes once, where fit then transform hashes twice
    models: dict[str, Any] = {"features": features}
    fam = np.asarray(families)
    if thresholds.get(GATE) == 0.0:  # no threshold helped in cross-validation: no gate
        log("job_search gate: no threshold raised held-out macro-F1; the model ships without it")
        del labels[GATE], thresholds[GATE]
    for task, y in labels.items():
        use = rows[task]
        own = fit_task_features(task, data, use, categories)
        models |= own
        models[task] = build_classifier(grouped_folds(list(fam[use]), 3), C_BY_TASK[task]).fit(
            task_input(x, data, use, own, categories), y[use])
    model_path = out_dir / MODEL_FILE
    model_path.write_bytes(sio.dumps(models, compression=zipfile.ZIP_DEFLATED))
    manifest = _manifest(model_path, corpus_path, records, thresholds, cv, folds)
    manifest["corpus_diversity"] = summary(corpus_diversity(read_seeds(seed_dir)))
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    tests = seed_dir.parent / FEEDBACK_TEST
    if tests.is_dir() and FEEDBACK in labels:
        manifest["feedback_test"] = _feedback_test(out_dir, tests)
        log(f"feedback test set: {manifest['feedback_test']}")
        (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return TrainResult(manifest, cv)


FEEDBACK_TEST = "feedback-test"  # beside seeds/: rejections written apart, never trained on


def _feedback_test(model_dir: Path, folder: Path) -> dict[str, Any]:
    from inboxcoach.classify.model import Classifier

    records = [r for r in expand(read_seeds(folder)) if r["id"].endswith("#0")]
    parsed = emails_from_records(records)
    kept = [(r, m) for r, m in zip(records, parsed, strict=True) if not isinstance(m, str)]
    return feedback_test_scores(Classifier.load(model_dir), [r for r, _ in kept],
                                [m for _, m in kept])


def _manifest(model_path: Path, corpus_path: Path, records: list[dict[str, Any]],
              thresholds: dict[str, float], cv: dict[str, Any], folds: int) -> dict[str, Any]:
    import skops

    digest = hashlib.sha256(model_path.read_bytes()).hexdigest()
    counts = {task: {label: sum(r[task] == label for r in records) for label in labels}
              for task, labels in TASKS.items()}
    counts["lang"] = {}
    for r in records:
        counts["lang"][r["lang"]] = counts["lang"].get(r["lang"], 0) + 1
    return {
        "version": digest[:12], "model_file": MODEL_FILE, "sha256": digest,
        "corpus_sha256": hashlib.sha256(corpus_path.read_bytes()).hexdigest(),
        "examples": len(records), "families": len({r["family"] for r in records}),
        "label_counts": counts, "thresholds": thresholds, "svm_c": C_BY_TASK, "cv_folds": folds,
        "cv_metrics": cv.get("files", cv.get("families", {})), "cv_by_split": cv,
        "sklearn": sklearn.__version__, "skops": skops.__version__,
        "numpy": np.__version__, "python": platform.python_version(),
        "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


