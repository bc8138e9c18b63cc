"""Builders the tests share: imported from here, never from another test module."""

from __future__ import annotations

import json
from pathlib import Path

from inboxcoach.corpus import read_seeds
from inboxcoach.model import CATEGORIES

SEEDS = Path(__file__).parent.parent / "models" / "corpus" / "seeds"


def small_seed_dir(tmp_path: Path, per_category: int = 5) -> Path:
    """A few seeds of every category, both sender kinds where the corpus has them (so every
    fold of a tiny cross-validation has two classes to learn), and rejections with and without
    reasons for the feedback model."""
    chosen, counts = [], dict.fromkeys(CATEGORIES, 0)
    feedback = {True: 0, False: 0}
    kinds: dict[tuple[str, str], int] = {}
    for s in read_seeds(SEEDS):
        kind = (s["category"], s["sender_kind"])
        if s["category"] == "rejection":  # both kinds, for the feedback model's folds
            if feedback[bool(s["contains_feedback"])] >= per_category:
                continue
            feedback[bool(s["contains_feedback"])] += 1
        elif counts[s["category"]] >= per_category or kinds.get(kind, 0) > per_category // 2:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        counts[s["category"]] += 1
        chosen.append({k: v for k, v in s.items() if k != "_source"})
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "small.jsonl").write_text("".join(json.dumps(s) + "\n" for s in chosen))
    return folder
