"""A seed trial compares like with like: the corpus's files in the same folds either way."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from inboxcoach.train import seed_trial
from inboxcoach.train.corpus import read_seeds
from inboxcoach.train.crossval import grouped_folds
from tests.builders import small_seed_dir


def split_into_files(folder: Path, files: int) -> None:
    """The one small seed file as several, so whole files can be held out."""
    seeds = [{k: v for k, v in s.items() if k != "_source"} for s in read_seeds(folder)]
    (folder / "small.jsonl").unlink()
    for n in range(files):
        part = seeds[n::files]
        for s in part:
            s["family"] = f"part{n}-{s['family']}"
        (folder / f"part{n}.jsonl").write_text("".join(json.dumps(s) + "\n" for s in part))


def added_dir(tmp_path: Path, source: Path) -> Path:
    """New seeds: a base file's seeds under other family ids."""
    folder = tmp_path / "added"
    folder.mkdir()
    seeds = [{k: v for k, v in s.items() if k != "_source"} for s in read_seeds(source)]
    for s in seeds[::2]:
        s["family"] = "new-" + s["family"]
    (folder / "new.jsonl").write_text("".join(json.dumps(s) + "\n" for s in seeds[::2]))
    return folder


def test_the_corpus_keeps_its_folds_and_the_new_files_are_held_out_whole(tmp_path,
                                                                         monkeypatch):
    seeds = small_seed_dir(tmp_path, per_category=6)
    split_into_files(seeds, 3)
    added = added_dir(tmp_path, seeds)
    splits = []
    real = seed_trial.cross_validate

    def spy(data, labels, rows, families, folds):
        splits.append((list(families), np.asarray(folds)))
        return real(data, labels, rows, families, folds)

    monkeypatch.setattr(seed_trial, "cross_validate", spy)
    result = seed_trial.trial(seeds, added, folds=3, log=lambda *_: None)
    (base_families, before), (all_families, after) = splits
    files = [f.split("-")[0] for f in base_families]
    assert (before == grouped_folds(files, 3)).all()
    new = np.array([f.startswith("new-") for f in all_families])
    assert (after[new] == 3).all()  # one more fold: the new files, trained on the corpus alone
    assert (after[~new] == before).all()
    assert result.added_rows == int(new.sum()) > 0
    assert {"category", "sender_kind"} <= set(result.before) == set(result.after)
    assert "category" in result.added
    table = seed_trial.format_trial(result)
    assert "| category macro-F1 |" in table and "new examples" in table


def test_a_family_in_both_folders_is_refused(tmp_path):
    seeds = small_seed_dir(tmp_path)
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "again.jsonl").write_text((seeds / "small.jsonl").read_text())
    with pytest.raises(ValueError, match="rename"):
        seed_trial.trial(seeds, clash, folds=2, log=lambda *_: None)
