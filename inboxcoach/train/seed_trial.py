"""``inboxcoach train --trial DIR``: what new seed files would add, measured fairly.

Scores from two cross-validations over different corpora cannot be compared: a new file moves
the corpus's own files between folds, and it is held out and scored itself, so a file of a kind
no other file covers lowers the figure even when it helps every other file. (That is how the
first newsletter seeds were judged and dropped.) A trial keeps the corpus's files in the same
folds with and without the new files and scores only them, so the one difference is what the
new files teach; the new files are scored apart, held out whole against the corpus alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from inboxcoach.classify.model import FEEDBACK, TASKS
from inboxcoach.train.corpus import expand, read_seeds
from inboxcoach.train.crossval import ORDINARY_FILES, cross_validate, grouped_folds
from inboxcoach.train.evaluation import score
from inboxcoach.train.training import Corpus

BINARY = (True, False)


@dataclass(frozen=True)
class TaskFigures:
    """One task's held-out figures on one set of rows."""
    macro_f1: float
    recall: dict[str, float]  # per class present in the truth


@dataclass(frozen=True)
class TrialResult:
    before: dict[str, TaskFigures]  # the corpus's files, the corpus alone
    after: dict[str, TaskFigures]  # the same files in the same folds, new files in training
    added: dict[str, TaskFigures]  # the new files, held out whole
    ordinary: tuple[float, float]  # ordinary seeds taken for job mail: before, after
    added_rows: int


def _figures(y: np.ndarray, pred: np.ndarray, task: str) -> TaskFigures:
    names = TASKS.get(task, BINARY)
    s = score(list(y), list(pred), names)
    recall = {str(k): round(float(row["recall"]), 4) for k, row in s.table.iterrows()
              if k in set(y)}
    return TaskFigures(round(s.macro_f1, 4), recall)


def _task_figures(c: Corpus, held_out: dict[str, tuple[np.ndarray, np.ndarray]],
                  where: np.ndarray) -> dict[str, TaskFigures]:
    out = {}
    for task, (pred, conf) in held_out.items():
        use = c.rows[task] & where
        if task == FEEDBACK:
            pred = conf >= 0.5  # the probability of True, not of the answer
        if use.any():
            out[task] = _figures(c.labels[task][use], pred[use], task)
    return out


def _ordinary_share(c: Corpus, held_out: dict[str, tuple[np.ndarray, np.ndarray]],
                    where: np.ndarray) -> float:
    ordinary = np.array([f.startswith(ORDINARY_FILES) for f in c.files]) & where
    if not ordinary.any():
        return 0.0
    return round(float((held_out["category"][0][ordinary] != "other").mean()), 4)


def trial(seed_dir: Path, added_dir: Path, folds: int = 5, log: Any = print) -> TrialResult:
    """The corpus of ``seed_dir`` cross-validated with whole files held out, alone and with the
    seed files of ``added_dir`` in every training fold (and in one fold of their own)."""
    base = list(expand(read_seeds(seed_dir)))
    new = list(expand(read_seeds(added_dir)))
    if not new:
        raise ValueError(f"{added_dir} holds no seeds (*.jsonl)")
    clash = {r["family"] for r in new} & {r["family"] for r in base}
    if clash:
        raise ValueError(f"families in both folders, e.g. {sorted(clash)[0]}: rename them")
    alone, both = Corpus.of(base, log=log), Corpus.of(base + new, log=log)
    base_folds = grouped_folds(alone.files, folds)
    log("cross-validating the corpus alone")
    before = cross_validate(alone.data, alone.labels, alone.rows, alone.families, base_folds)
    base_families = {r["family"] for r in alone.records}
    is_base = np.array([r["family"] in base_families for r in both.records])
    split = np.full(len(both.records), folds)  # the new files: one more fold, held out whole
    split[is_base] = base_folds
    log("cross-validating with the new files")
    after = cross_validate(both.data, both.labels, both.rows, both.families, split)
    everywhere = np.ones(len(alone.records), dtype=bool)
    return TrialResult(
        before=_task_figures(alone, before, everywhere),
        after=_task_figures(both, after, is_base),
        added=_task_figures(both, after, ~is_base),
        ordinary=(_ordinary_share(alone, before, everywhere),
                  _ordinary_share(both, after, is_base)),
        added_rows=int((~is_base).sum()))


def format_trial(t: TrialResult) -> str:
    lines = ["| task | corpus alone | with the new files | new files held out |",
             "|---|---|---|---|"]
    for task in t.before:
        b, a = t.before[task], t.after[task]
        n = t.added.get(task)
        lines.append(f"| {task} macro-F1 | {b.macro_f1:.3f} | {a.macro_f1:.3f} | "
                     f"{'' if n is None else f'{n.macro_f1:.3f}'} |")
        for label in b.recall:
            new = "" if n is None or label not in n.recall else f"{n.recall[label]:.3f}"
            lines.append(f"| {task} recall {label} | {b.recall[label]:.3f} | "
                         f"{a.recall.get(label, 0.0):.3f} | {new} |")
    lines.append(f"| ordinary seeds taken for job mail | {t.ordinary[0]:.2%} | "
                 f"{t.ordinary[1]:.2%} | |")
    lines.append(f"\n{t.added_rows} new examples.")
    return "\n".join(lines)
