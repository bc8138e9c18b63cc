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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from scipy import sparse
from sklearn.base import clone
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline

from inboxcoach.classify.features import stock_rejection
from inboxcoach.classify.model import (
    C_BY_TASK,
    FEEDBACK,
    FEEDBACK_FEATURES,
    GATE,
    SECOND_LOOK,
    STAGE_FEATURES,
    TASKS,
    build_classifier,
    build_features,
    build_feedback_features,
    frame,
    gated,
    stage_column,
    token_counts,
    with_cues,
    with_stage,
)
from inboxcoach.classify.model_files import MANIFEST_FILE, MODEL_FILE
from inboxcoach.train.corpus import build_corpus, expand, read_seeds
from inboxcoach.train.diversity import corpus_diversity, summary
from inboxcoach.train.evaluation import (
    emails_from_records,
    feedback_band,
    feedback_test_scores,
    score,
)

UNSURE_TARGET = 0.95  # confident answers should be right at least this often (on held-out data)
# Ordinary mail (the ``ord-*`` seed files: lists, work, personal, commerce, system mail) may be
# taken for job mail at most this often, held out by whole files (the product's target).
ORDINARY_TARGET = 0.005
ORDINARY_FILES = "ord-"


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
                   families: list[str], folds: np.ndarray
                   ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Out-of-fold predictions and confidences per task (``rows``: which rows a task learns
    from; ``folds``: a fold id per row, whole families or whole seed files together). TF-IDF
    weights, models and calibration are fitted on the training folds only; calibration folds
    keep families together. The sender kind runs after the category and reads its out-of-fold
    answers, as it reads the category model's answers in use."""
    k = int(folds.max()) + 1
    fam = np.asarray(families)
    blocks = hashed_blocks(data)
    shared = _parallel([partial(_fit_transform, blocks, folds != fold) for fold in range(k)])
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    # The sender kind's training rows carry answers from category models that saw its test
    # fold: a small leak through the category answers only, never through the sender labels.
    first = [task for task in labels if task != "sender_kind"]
    for tasks, categories in ((first, labels["category"]), (["sender_kind"], None)):
        if categories is None:  # the sender kind reads the category's out-of-fold answers
            categories = out["category"][0]
        jobs = [(task, fold) for task in tasks if task in labels for fold in range(k)]
        results = _parallel([
            partial(_held_out_fold, task, shared[fold], data, (folds != fold) & rows[task],
                    folds == fold, labels[task], fam, categories) for task, fold in jobs])
        for task in dict.fromkeys(t for t, _ in jobs):
            pred = np.empty(len(labels[task]), dtype=object)
            conf = np.zeros(len(labels[task]))
            for (done, _), (test, answer, confidence) in zip(jobs, results, strict=True):
                if done == task:
                    pred[test], conf[test] = answer, confidence
            out[task] = (pred, conf)
    return {task: out[task] for task in labels}


# Cross-validation folds run in two threads (liblinear and the sparse algebra release the GIL);
# threads, not processes, so nothing is pickled. Results come back in order, whatever finishes
# first.
N_JOBS = 2


def _parallel(jobs: list[Callable[[], Any]]) -> list[Any]:
    if N_JOBS == 1:
        return [job() for job in jobs]
    with ThreadPoolExecutor(max_workers=N_JOBS) as pool:
        return list(pool.map(lambda job: job(), jobs))


def hashed_blocks(data: pd.DataFrame) -> list[tuple[Any, Any]]:
    """The blocks of ``build_features()``, each as (its input, the part still to be fitted),
    with the hashing already done. Hashing is stateless and most of the cost of the features,
    so cross-validation hashes the corpus once rather than twice per fold; only the TF-IDF
    weights and the token vocabulary are fitted per fold."""
    blocks = []
    for _, step, column in build_features().transformers:
        first = step.steps[0][1] if isinstance(step, Pipeline) else None
        if isinstance(first, HashingVectorizer):
            blocks.append((first.transform(data[column]), Pipeline(step.steps[1:])))
        else:
            blocks.append((data[column], step))
    return blocks


def _fit_transform(blocks: list[tuple[Any, Any]], train_rows: np.ndarray) -> Any:
    """What ``build_features().fit(data[train_rows]).transform(data)`` gives (a test checks)."""
    out = []
    for values, step in blocks:
        fitted = clone(step).fit(values[train_rows])
        out.append(fitted.transform(values))
    return sparse.hstack(out).tocsr()


def _held_out_fold(task: str, x: Any, data: pd.DataFrame, use: np.ndarray, test: np.ndarray,
                   y: np.ndarray, fam: np.ndarray, categories: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One task's model fitted without one fold, and its answers on that fold."""
    own = fit_task_features(task, data, use, categories)
    model = build_classifier(grouped_folds(list(fam[use]), 3), C_BY_TASK[task]).fit(
        task_input(x, data, use, own, categories), y[use])
    proba = model.predict_proba(task_input(x, data, test, own, categories))
    confidence = proba.max(axis=1)
    if task in (GATE, FEEDBACK):  # the probability of True, not of the answer
        confidence = proba[:, list(model.classes_).index(True)]
    return test, model.classes_[proba.argmax(axis=1)], confidence


def score_held_out(held_out: dict[str, tuple[np.ndarray, np.ndarray]],
                   labels: dict[str, np.ndarray], rows: dict[str, np.ndarray], files: list[str],
                   texts: pd.Series, log: Any, split: str, k: int
                   ) -> tuple[dict[str, Any], dict[str, float]]:
    """Scores of one cross-validation, and the thresholds it chooses: the gate's (ordinary
    mail held out by whole files stays under ``ORDINARY_TARGET``), then the unsure ones on the
    gated answers. The category is scored after the gate, as it answers in use."""
    ordinary = np.array([f.startswith(ORDINARY_FILES) for f in files])
    job = held_out[GATE][1] if GATE in held_out else None
    out: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    if job is not None:
        out["gate_choice"] = gate_table(held_out["category"], job, labels["category"], ordinary)
        thresholds[GATE] = choose_gate(out["gate_choice"])
    category = gated(*held_out["category"], job, thresholds.get(GATE, 0.5))
    sure = np.ones(len(category[0]), dtype=bool)
    for task, (pred, conf) in ({**held_out, "category": category}).items():
        y, use = labels[task], rows[task]
        names = TASKS.get(task, (True, False))
        if task == FEEDBACK:
            out["feedback_band"] = feedback_band(y[use], conf[use])
        if task in (GATE, FEEDBACK):  # conf is the probability of True
            cut = thresholds[GATE] if task == GATE else 0.5
            pred, conf = conf >= cut, np.where(conf >= 0.5, conf, 1 - conf)
        scores = score(list(y[use]), list(pred[use]), names, list(conf[use]))
        if task in TASKS:
            thresholds[task] = unsure_threshold(pred == y, conf)
            confident = conf >= thresholds[task]
            if task == "category":
                confident = sure = category_confidence(pred, y, conf, texts, thresholds, out)
            out[f"{task}_confident_wrong"] = round(float((pred != y)[confident].mean()), 4)
        out[task] = scores.as_dict() | {"unsure_threshold": thresholds.get(task)}
        log(f"{task}: {k}-fold CV, whole {split} held out: macro-F1 {scores.macro_f1:.3f}, "
            f"accuracy {scores.accuracy:.3f}")
    if ordinary.any():
        taken = category[0][ordinary] != "other"
        sure = taken & sure[ordinary]
        out["ordinary"] = {"n": int(ordinary.sum()), "job_mail": round(float(taken.mean()), 4),
                           "job_mail_confident": round(float(sure.mean()), 4)}
        log(f"ordinary mail taken for job mail: {taken.mean():.2%} "
            f"({sure.mean():.2%} confident)")
    return out, thresholds


def category_confidence(pred: np.ndarray, truth: np.ndarray, conf: np.ndarray,
                        texts: pd.Series, thresholds: dict[str, float],
                        out: dict[str, Any]) -> np.ndarray:
    """Which held-out category answers are confident: above their class's unsure threshold,
    or rejections the category model was unsure of that a stock rejection phrase confirms (the
    second look, kept only when those answers were right ``UNSURE_TARGET`` of the time)."""
    thresholds |= class_thresholds(pred, truth, conf, thresholds["category"])
    confident = conf >= np.array([thresholds.get(f"category:{c}", thresholds["category"])
                                  for c in pred])
    look = (pred == "rejection") & ~confident & np.array([stock_rejection(t) for t in texts])
    right = float((truth[look] == "rejection").mean()) if look.any() else None
    out["second_look"] = {"confirmed": int(look.sum()), "right": right}
    if right is not None and right >= UNSURE_TARGET:
        thresholds[SECOND_LOOK] = 1.0
        confident = confident | look
    return confident


MIN_CLASS_ANSWERS = 100  # fewer held-out answers of a class: the task's one threshold holds


def class_thresholds(pred: np.ndarray, truth: np.ndarray, confidence: np.ndarray,
                     overall: float) -> dict[str, float]:
    """An unsure threshold per answer: a rejection is told apart from the rest far more surely
    than an outreach from an interview, so one cut for all flags too many rejections (and a
    flagged rejection gets no draft) or too few of the rest."""
    out = {}
    for label in sorted(set(pred)):
        mine = pred == label
        if mine.sum() >= MIN_CLASS_ANSWERS:
            out[f"category:{label}"] = unsure_threshold(truth[mine] == label, confidence[mine])
    return out


GATE_GRID = (0.0, *(round(t, 2) for t in np.arange(0.30, 0.96, 0.05)))  # 0: no gate


def gate_table(category: tuple[np.ndarray, np.ndarray], job: np.ndarray, truth: np.ndarray,
               ordinary: np.ndarray) -> list[dict[str, float | None]]:
    """For each gate threshold: ordinary mail taken for job mail, job mail kept, macro-F1."""
    rows = []
    for t in GATE_GRID:
        pred, _ = gated(*category, job, t)
        f1 = score(list(truth), list(pred), TASKS["category"]).macro_f1
        rows.append({"threshold": t, "category_macro_f1": round(f1, 4),
                     "ordinary_job_mail": round(float((pred[ordinary] != "other").mean()), 4)
                     if ordinary.any() else None,
                     "job_mail_kept": round(float((pred[truth != "other"] != "other").mean()),
                                            4)})
    return rows


def choose_gate(table: list[dict[str, float]]) -> float:
    """The threshold with the best category macro-F1 among those that leave ordinary mail
    alone (``ORDINARY_TARGET``); without ordinary seeds, or when none does, the best F1."""
    meeting = [r for r in table if r["ordinary_job_mail"] is not None
               and r["ordinary_job_mail"] <= ORDINARY_TARGET]
    best = max(meeting or table, key=lambda r: (r["category_macro_f1"], -r["threshold"]))
    return float(best["threshold"])


def fit_task_features(task: str, data: pd.DataFrame, use: np.ndarray,
                      categories: np.ndarray) -> dict[str, Any]:
    """The features a task fits for itself, on its training rows: the feedback model's own
    TF-IDF weights, the sender-kind model's stage tokens."""
    if task == FEEDBACK:
        return {FEEDBACK_FEATURES: build_feedback_features().fit(with_cues(data[use]))}
    if task == "sender_kind":
        return {STAGE_FEATURES: token_counts().fit(stage_column(data["meta"][use],
                                                                categories[use]))}
    return {}


def task_input(x: Any, data: pd.DataFrame, use: np.ndarray, own: dict[str, Any],
               categories: np.ndarray) -> Any:
    """What the task's model reads for the rows ``use`` (``x``: the shared features)."""
    if FEEDBACK_FEATURES in own:
        return own[FEEDBACK_FEATURES].transform(with_cues(data[use]))
    if STAGE_FEATURES in own:
        return with_stage(x[use], own[STAGE_FEATURES], data["meta"][use], categories[use])
    return x[use]


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


def model_card(manifest: dict[str, Any], validation: Any = None, source: str = "",
               ordinary: Any = None, looks: int | None = None) -> str:
    """The model card: what the model is, what it was trained on, how well it does and where
    it fails. Figures come from the manifest (grouped CV) and, when given, real mail: a
    labelled set (``validation``, with the number of candidate models ``looks`` that were
    scored on it, because a figure chosen among many looks is an optimistic one) and ordinary
    mail (``ordinary``, an ``OrdinaryScores``)."""
    counts = manifest["label_counts"]
    lines = [
        "# inboxcoach classifier: model card", "",
        f"Model version `{manifest['version']}`, trained {manifest['trained']} with scikit-learn "
        f"{manifest['sklearn']} and skops {manifest['skops']}.", "",
        "## What it does",
        "Calibrated linear models (LinearSVC with sigmoid calibration) over hashed TF-IDF word "
        "1-2-grams of the subject and the new text of the body (quoted history removed) and "
        "character 3-4-grams of its first 1,500 characters, plus tokens describing the sender "
        "and the automated-mail headers. "
        "One tags the `category` (8 classes), one the `sender_kind` (automated or personal), "
        "and one, on rejections only, whether the rejection gives its reasons (its own TF-IDF "
        "weights and reason cues)."
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
    lines += _cv_section(manifest)
    lines += _diversity_section(manifest)
    if validation is not None:
        lines += _validation_section(validation, source, looks)
    if ordinary is not None:
        lines += _ordinary_section(ordinary)
    return "\n".join(lines) + "\n"


SPLITS = {"files": "whole seed files held out (other writers, other styles): the headline",
          "families": "grouped by family (all copies of a seed in one fold)"}


def _cv_section(manifest: dict[str, Any]) -> list[str]:
    by_split = manifest.get("cv_by_split") or {}
    if not by_split:
        return []
    lines = [f"{manifest['cv_folds']}-fold cross-validation on the corpus:", "",
             "| split | task | accuracy | macro-F1 | ECE | confident answers wrong |",
             "|---|---|---|---|---|---|"]
    for split, cv in by_split.items():
        for task in ("category", "sender_kind", FEEDBACK):
            if task in cv:
                m = cv[task]
                wrong = cv.get(f"{task}_confident_wrong")
                lines.append(f"| {split} | {task} | {m['accuracy']:.3f} | {m['macro_f1']:.3f} | "
                             f"{m['ece']:.3f} | {'' if wrong is None else f'{wrong:.1%}'} |")
    lines += ["", *[f"- {split}: {SPLITS[split]}" for split in by_split], ""]
    for split, cv in by_split.items():
        if "ordinary" in cv:
            o = cv["ordinary"]
            lines.append(f"Ordinary mail seeds ({o['n']} examples, {split} held out) taken for "
                         f"job mail: {o['job_mail']:.2%}, with confidence "
                         f"{o['job_mail_confident']:.2%}.")
    lines += _feedback_test_lines(manifest)
    gate = manifest.get("thresholds", {}).get(GATE)
    if gate is None and not any("gate_choice" in cv for cv in by_split.values()):
        lines += ["", "Job-search gate: not measured for this model (`inboxcoach train --gate` "
                  "measures it); in the rounds it was measured, no threshold raised held-out "
                  "category macro-F1, so none shipped."]
    if gate is None and any("gate_choice" in cv for cv in by_split.values()):
        lines += ["", "Job-search gate: measured, not shipped (no threshold raised held-out "
                  "category macro-F1 with whole seed files held out)."]
    if gate is not None:
        lines += ["", f"Job-search gate threshold: {gate:.2f} (probability of job mail below it "
                  "means `other`), the best category macro-F1 among the thresholds that keep "
                  "held-out ordinary mail under 0.5%."]
    return [*lines, ""]


def _feedback_test_lines(manifest: dict[str, Any]) -> list[str]:
    t = manifest.get("feedback_test")
    if not t:
        return []
    return ["", f"Feedback given, on the team's held-out test set of {t['n']} rejections "
            f"(`models/corpus/feedback-test/`, never trained on): accuracy {t['accuracy']:.3f}, "
            f"macro-F1 {t['macro_f1']:.3f}; {t['unsure_share']:.0%} fall in the unsure band and "
            "get the reply that reads well either way; the rest get the right variant "
            f"{t['variant_right_when_sure']:.1%} of the time. By language: "
            + ", ".join(f"{k} {v:.2f}" for k, v in t["by_lang"].items()) + "."]


def _regularisation(manifest: dict[str, Any]) -> list[str]:
    c = manifest.get("svm_c")
    if not c:
        return []
    return ["SVM regularisation C: " + ", ".join(f"{task} {v}" for task, v in c.items()) +
            ". The sender kind's C and its pairing with the category date from earlier models, "
            "which chose them with the real development emails in view; this model's changes "
            "were chosen by cross-validation alone (README, \"The classifier\").", ""]


def _diversity_section(manifest: dict[str, Any]) -> list[str]:
    d = manifest.get("corpus_diversity")
    if not d:
        return []
    flat = sorted(d["by_file"], key=lambda r: r["trigrams_per_100_words"])[:3]
    return ["## How varied the corpus is", "",
            f"{d['seeds']} seeds in {d['files']} files "
            "(`python -m inboxcoach.train.diversity` prints "
            f"every file): {d['trigrams_per_100_words']:.1f} distinct word 3-grams per 100 words "
            "(seed-weighted mean of the files); the closest seed in the same file has median "
            f"TF-IDF cosine similarity {d['nn_same_file']:.3f}, the closest in another file "
            f"{d['nn_other_files']:.3f}; {d['near_copies_elsewhere']} seeds have a near-copy "
            "(similarity >= 0.8) in another file. Most repetitive files: "
            + ", ".join(f"`{r['file']}` {r['trigrams_per_100_words']:.1f}" for r in flat) + ".",
            ""]


def _validation_section(ev: Any, source: str, looks: int | None = None) -> list[str]:
    looked = ("" if looks is None else f" It is a test: {looks} candidate model"
              f"{'s have' if looks != 1 else ' has'} been scored on it since it became one, this "
              "one included, each chosen by cross-validation first; no setting was chosen by it.")
    lines = [f"On real emails it never saw ({source}, {ev.n} messages, read in place, never "
             f"trained on).{looked}", "",
             "| task | accuracy | macro-F1 | ECE | unsure | confident answers wrong | keyword "
             "baseline macro-F1 |", "|---|---|---|---|---|---|---|"]
    for task, s in ev.model.items():
        wrong, answered = ev.confident_wrong[task]
        share = f"{wrong} of {answered} ({wrong / answered:.1%})" if answered else "none"
        lines.append(f"| {task} | {s.accuracy:.3f} | {s.macro_f1:.3f} | {s.ece:.3f} | "
                     f"{ev.unsure_share[task]:.0%} | {share} | {ev.baseline[task].macro_f1:.3f} |")
    d = ev.drafts
    if d["due"]:
        lines += ["", f"Drafts a run would write: {d['drafted_due']} of the {d['due']} rejections "
                  f"with a human contact and a known From, {d['drafted_not_due']} where none is "
                  f"due; variant right {d['variant_right']}, wrong {d['variant_wrong']}, the reply "
                  f"that reads well either way {d['variant_either_way']}."]
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


def _ordinary_section(o: Any) -> list[str]:
    share = o.share
    return [f"On real ordinary mail ({o.n} messages, none of it job mail, read in place, never "
            f"trained on): {o.job_mail} taken for job mail ({share(o.job_mail):.2%}), "
            f"{o.job_mail_confident} with confidence ({share(o.job_mail_confident):.2%}), "
            f"{o.would_draft} would get a draft (targets: at most 0.5%, 0.2% and 0).", ""]
