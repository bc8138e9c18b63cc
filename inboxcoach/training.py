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
from sklearn.model_selection import GroupKFold

from inboxcoach.corpus import build_corpus
from inboxcoach.evaluation import emails_from_records, score
from inboxcoach.model import (
    C_BY_TASK,
    FEEDBACK,
    FEEDBACK_FEATURES,
    STAGE_FEATURES,
    TASKS,
    build_classifier,
    build_features,
    frame,
    stage_column,
    token_counts,
    with_stage,
)
from inboxcoach.modelfiles import MANIFEST_FILE, MODEL_FILE

UNSURE_TARGET = 0.95  # confident answers should be right at least this often (on held-out data)


@dataclass(frozen=True)
class TrainResult:
    manifest: dict[str, Any]
    cv: dict[str, Any]


def grouped_folds(families: list[str], k: int) -> np.ndarray:
    """A fold id per row; all copies of a family share a fold (deterministic)."""
    folds = np.zeros(len(families), dtype=int)
    x = np.zeros((len(families), 1))
    for fold, (_, test) in enumerate(GroupKFold(n_splits=k).split(x, groups=families)):
        folds[test] = fold
    return folds


def unsure_threshold(correct: np.ndarray, confidence: np.ndarray,
                     target: float = UNSURE_TARGET) -> float:
    """Lowest confidence above which held-out answers were right at least ``target`` of the
    time; answers below it are flagged for a human look."""
    for t in np.round(np.arange(0.30, 0.99, 0.01), 2):
        confident = confidence >= t
        if confident.any() and correct[confident].mean() >= target:
            return float(t)
    return 0.99


def cross_validate(data: pd.DataFrame, labels: dict[str, np.ndarray], rows: dict[str, np.ndarray],
                   families: list[str], k: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-fold predictions and confidences per task (``rows``: which rows a task learns
    from). TF-IDF weights, models and calibration are fitted on the training folds only;
    calibration folds are grouped too. The sender kind runs after the category and reads its
    out-of-fold answers, as it reads the category model's answers in use."""
    folds = grouped_folds(families, k)
    fam = np.asarray(families)
    shared = [build_features().fit(data[folds != fold]).transform(data) for fold in range(k)]
    categories = labels["category"]
    out = {}
    # The sender kind's training rows carry answers from category models that saw its test
    # fold: a small leak through the category answers only, never through the sender labels.
    for task in sorted(labels, key=lambda t: t != "category"):  # the category first
        y = labels[task]
        pred, conf = np.empty(len(y), dtype=object), np.zeros(len(y))
        for fold in range(k):
            use, test = (folds != fold) & rows[task], folds == fold
            own = fit_task_features(task, data, use, categories)
            model = build_classifier(grouped_folds(list(fam[use]), 3), C_BY_TASK[task]).fit(
                task_input(shared[fold], data, use, own, categories), y[use])
            proba = model.predict_proba(task_input(shared[fold], data, test, own, categories))
            pred[test], conf[test] = model.classes_[proba.argmax(axis=1)], proba.max(axis=1)
        out[task] = (pred, conf)
        if task == "category":
            categories = pred
    return out


def fit_task_features(task: str, data: pd.DataFrame, use: np.ndarray,
                      categories: np.ndarray) -> dict[str, Any]:
    """The features a task fits for itself, on its training rows: the feedback model's own
    TF-IDF weights, the sender-kind model's stage tokens."""
    if task == FEEDBACK:
        return {FEEDBACK_FEATURES: build_features().fit(data[use])}
    if task == "sender_kind":
        return {STAGE_FEATURES: token_counts().fit(stage_column(data["meta"][use],
                                                                categories[use]))}
    return {}


def task_input(x: Any, data: pd.DataFrame, use: np.ndarray, own: dict[str, Any],
               categories: np.ndarray) -> Any:
    """What the task's model reads for the rows ``use`` (``x``: the shared features)."""
    if FEEDBACK_FEATURES in own:
        return own[FEEDBACK_FEATURES].transform(data[use])
    if STAGE_FEATURES in own:
        return with_stage(x[use], own[STAGE_FEATURES], data["meta"][use], categories[use])
    return x[use]


def train(seed_dir: Path, out_dir: Path, folds: int = 5, log: Any = print) -> TrainResult:
    import skops.io as sio

    out_dir.mkdir(parents=True, exist_ok=True)
    corpus_path = out_dir / "corpus" / "train.jsonl"
    corpus_path.parent.mkdir(parents=True, exist_ok=True)
    records = build_corpus(seed_dir, corpus_path)
    log(f"corpus: {len(records)} examples from {len({r['family'] for r in records})} families")
    parsed = emails_from_records(records)
    kept = [(r, m) for r, m in zip(records, parsed, strict=True) if not isinstance(m, str)]
    records, mails = [r for r, _ in kept], [m for _, m in kept]
    data = frame(mails)
    families = [r["family"] for r in records]
    labels = {task: np.array([r[task] for r in records]) for task in TASKS}
    labels[FEEDBACK] = np.array([bool(r.get(FEEDBACK)) for r in records])
    everything = np.ones(len(records), dtype=bool)
    rows = dict.fromkeys(TASKS, everything) | {FEEDBACK: labels["category"] == "rejection"}
    if len(set(labels[FEEDBACK][rows[FEEDBACK]])) < 2:  # a tiny corpus: no feedback model
        log("contains_feedback: the corpus has one class only; no feedback model")
        del labels[FEEDBACK], rows[FEEDBACK]
    cv, thresholds = {}, {}
    # The sender-kind model learns from the category model's out-of-fold answers, mistakes
    # included, as it will meet them in use (the labels when there is no cross-validation).
    categories = labels["category"]
    if folds > 1:
        held_out = cross_validate(data, labels, rows, families, folds)
        categories = held_out["category"][0]
        for task, (pred, conf) in held_out.items():
            y, use = labels[task], rows[task]
            names = TASKS.get(task, (True, False))
            scores = score(list(y[use]), list(pred[use]), names, list(conf[use]))
            if task in TASKS:
                thresholds[task] = unsure_threshold(pred == y, conf)
            cv[task] = scores.as_dict() | {"unsure_threshold": thresholds.get(task)}
            log(f"{task}: grouped {folds}-fold CV macro-F1 {scores.macro_f1:.3f}, "
                f"accuracy {scores.accuracy:.3f}")
    features = build_features().fit(data)
    x = features.transform(data)
    models: dict[str, Any] = {"features": features}
    fam = np.asarray(families)
    for task, y in labels.items():
        use = rows[task]
        own = fit_task_features(task, data, use, categories)
        models |= own
        models[task] = build_classifier(grouped_folds(list(fam[use]), 3), C_BY_TASK[task]).fit(
            task_input(x, data, use, own, categories), y[use])
    model_path = out_dir / MODEL_FILE
    model_path.write_bytes(sio.dumps(models, compression=zipfile.ZIP_DEFLATED))
    manifest = _manifest(model_path, corpus_path, records, thresholds, cv, folds)
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    return TrainResult(manifest, cv)


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
        "cv_metrics": cv, "sklearn": sklearn.__version__, "skops": skops.__version__,
        "numpy": np.__version__, "python": platform.python_version(),
        "trained": datetime.now(UTC).strftime("%Y-%m-%d"),
    }


def model_card(manifest: dict[str, Any], validation: Any = None, source: str = "") -> str:
    """The model card: what the model is, what it was trained on, how well it does and where
    it fails. Figures come from the manifest (grouped CV) and, when given, a real-email set."""
    cv = manifest.get("cv_metrics", {})
    counts = manifest["label_counts"]
    lines = [
        "# inboxcoach classifier: model card", "",
        f"Model version `{manifest['version']}`, trained {manifest['trained']} with scikit-learn "
        f"{manifest['sklearn']} and skops {manifest['skops']}.", "",
        "## What it does",
        "Two calibrated linear models (LinearSVC with sigmoid calibration) over hashed TF-IDF word "
        "1-2-grams of the subject and the new text of the body (quoted history removed) and "
        "character 3-4-grams of its first 1,500 characters, plus tokens describing the sender "
        "and the automated-mail headers. "
        "One tags the `category` (8 classes), the other the `sender_kind` (automated or personal)."
        " The sender-kind model also reads each sender token paired with the category model's "
        "answer, because an address means different things at different stages (SEEDS.md); it "
        "learns from the category model's out-of-fold answers, mistakes included."
        " Each answer has a calibrated confidence; answers below the threshold chosen on held-out "
        f"folds are flagged unsure (category below {manifest['thresholds'].get('category', 0):.2f}"
        f", sender kind below {manifest['thresholds'].get('sender_kind', 0):.2f}).", "",
        *_regularisation(manifest),
        "## Training data",
        f"{manifest['examples']} examples from {manifest['families']} hand-written seed emails "
        "(`models/corpus/seeds/`, see `SEEDS.md`), each expanded into three copies with other "
        "names, employers, roles and sender addresses. No real mailbox was used.", "",
        "| label | examples |", "|---|---|",
        *[f"| {k} | {v} |" for k, v in counts["category"].items()],
        *[f"| sender: {k} | {v} |" for k, v in counts["sender_kind"].items()],
        "", "Languages: " + ", ".join(f"{k} {v}" for k, v in sorted(counts["lang"].items())), "",
        "## How well it does",
    ]
    if cv:
        lines += [f"Grouped {manifest['cv_folds']}-fold cross-validation on the corpus (all "
                  "copies of a seed in one fold):", "", "| task | accuracy | macro-F1 | ECE |",
                  "|---|---|---|---|"]
        lines += [f"| {t} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | {m['ece']:.3f} |"
                  for t, m in cv.items()]
        lines.append("")
    if validation is not None:
        lines += _validation_section(validation, source)
    return "\n".join(lines) + "\n"


def _regularisation(manifest: dict[str, Any]) -> list[str]:
    c = manifest.get("svm_c")
    if not c:
        return []
    return ["SVM regularisation C: " + ", ".join(f"{task} {v}" for task, v in c.items()) +
            ". The sender kind's C, and its pairing of sender tokens with the category, were "
            "chosen with the real development emails in view (the README, \"The classifier\", "
            "says how), so its score on them is optimistic.", ""]


def _validation_section(ev: Any, source: str) -> list[str]:
    lines = [f"On real emails it never saw ({source}, {ev.n} messages, read in place, never "
             "trained on):", "", "| task | accuracy | macro-F1 | ECE | unsure | keyword baseline "
             "macro-F1 |", "|---|---|---|---|---|---|"]
    for task, s in ev.model.items():
        lines.append(f"| {task} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {s.ece:.3f} | "
                     f"{ev.unsure_share[task]:.0%} | {ev.baseline[task].macro_f1:.3f} |")
    lines += ["", "Per class (category):", "", "| class | precision | recall | F1 | support |",
              "|---|---|---|---|---|"]
    for label, row in ev.model["category"].table.iterrows():
        lines.append(f"| {label} | {row['precision']:.3f} | {row['recall']:.3f} | "
                     f"{row['f1']:.3f} | {int(row['support'])} |")
    lines += ["", "Mistakes on that set, most confident first (message ids only: the texts are not "
              "ours to publish):", "", "| id | task | true | predicted | confidence |",
              "|---|---|---|---|---|"]
    lines += [f"| {m.id} | {m.task} | {m.true} | {m.predicted} | {m.confidence:.2f} |"
              for m in ev.mistakes.itertuples()]
    return [*lines, ""]
