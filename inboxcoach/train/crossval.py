"""Cross-validation for ``inboxcoach train``: folds that hold out whole seed files or families, the
out-of-fold answers of every task, and the unsure thresholds and the gate chosen on them.

Only held-out answers choose settings: a threshold fitted on the rows it is scored on would
promise a confidence the model does not have on mail it has not seen.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
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
    gated,
    stage_column,
    token_counts,
    with_cues,
    with_stage,
)
from inboxcoach.train.evaluation import feedback_band, score

# Ordinary mail (the ``ord-*`` seed files: lists, work, personal, commerce, system mail) may be
# taken for job mail at most this often, held out by whole files (the product's target).
ORDINARY_TARGET = 0.005
ORDINARY_FILES = "ord-"



UNSURE_TARGET = 0.95  # confident answers should be right at least this often (on held-out data)


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
