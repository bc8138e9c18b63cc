"""How varied the training corpus is: the measure behind "write seeds in many more voices".

A corpus written by few hands teaches a model one house style, and cross-validation with whole
seed files held out shows the price (a class written by one file is barely recognised without
it). Two numbers per seed file make that visible before training:

- distinct word 3-grams per 100 words: a file that repeats one skeleton scores low;
- nearest-neighbour similarity: for each seed, the TF-IDF cosine similarity of the closest seed
  in the *same* file (how alike its own seeds are) and in any *other* file (whether another
  writer already wrote it). A median near 1 means near-copies.

Seeds are read as written, placeholders and all, so the numbers describe the writing, not the
names the generator fills in. ``python -m inboxcoach.train.diversity [SEED_DIR]`` prints the table.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

WORD = re.compile(r"\w+|\{[a-z_]+\}", re.UNICODE)


@dataclass(frozen=True)
class FileDiversity:
    file: str
    seeds: int
    words: int
    trigrams: int  # distinct word 3-grams in the file
    trigrams_per_100_words: float  # distinct word 3-grams over all words, times 100
    nn_same_file: float  # median similarity of each seed to its closest sibling in the file
    nn_other_files: float  # median similarity of each seed to its closest seed elsewhere
    near_copies_elsewhere: int  # seeds with a seed in another file at similarity >= NEAR_COPY


NEAR_COPY = 0.8


def seed_text(seed: dict[str, Any]) -> str:
    return f"{seed.get('subject') or ''}\n{seed.get('body') or ''}"


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def distinct_trigrams(texts: list[str]) -> tuple[int, int]:
    """(distinct word 3-grams, words) over texts; 3-grams never span two texts."""
    grams: set[tuple[str, ...]] = set()
    total = 0
    for text in texts:
        w = words(text)
        total += len(w)
        grams.update(zip(w, w[1:], w[2:], strict=False))
    return len(grams), total


def nearest_neighbours(texts: list[str], groups: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each text, the cosine similarity of its closest text in the same group and in any
    other group (0 where there is none), on TF-IDF word 1-2-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(token_pattern=WORD.pattern, ngram_range=(1, 2), sublinear_tf=True,
                        lowercase=True).fit_transform(texts)
    g = np.asarray(groups)
    same = np.zeros(len(texts))
    other = np.zeros(len(texts))
    for start in range(0, len(texts), 500):  # blocks keep memory small on a large corpus
        sim = (x[start:start + 500] @ x.T).toarray()
        for i, row in enumerate(sim, start):
            row[i] = -1.0
            mine = g == g[i]
            same[i] = max(row[mine].max(initial=0.0), 0.0)
            other[i] = row[~mine].max(initial=0.0)
    return same, other


def corpus_diversity(seeds: list[dict[str, Any]]) -> list[FileDiversity]:
    files = [str(s["_source"]).rpartition(":")[0] for s in seeds]
    texts = [seed_text(s) for s in seeds]
    same, other = nearest_neighbours(texts, files)
    by_file: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(files):
        by_file[f].append(i)
    out = []
    for f, idx in sorted(by_file.items()):
        grams, total = distinct_trigrams([texts[i] for i in idx])
        out.append(FileDiversity(
            file=f, seeds=len(idx), words=total, trigrams=grams,
            trigrams_per_100_words=round(100 * grams / max(total, 1), 1),
            nn_same_file=round(float(np.median(same[idx])), 3),
            nn_other_files=round(float(np.median(other[idx])), 3),
            near_copies_elsewhere=int((other[idx] >= NEAR_COPY).sum())))
    return out


def summary(rows: list[FileDiversity]) -> dict[str, Any]:
    """The corpus-wide figures the manifest and model card carry."""
    seeds = sum(r.seeds for r in rows)
    weighted = {k: sum(getattr(r, k) * r.seeds for r in rows) / max(seeds, 1)
                for k in ("trigrams_per_100_words", "nn_same_file", "nn_other_files")}
    return {"files": len(rows), "seeds": seeds,
            **{k: round(v, 3) for k, v in weighted.items()},
            "near_copies_elsewhere": sum(r.near_copies_elsewhere for r in rows),
            "by_file": [asdict(r) for r in rows]}


def format_table(rows: list[FileDiversity]) -> str:
    head = (f"{'file':30} {'seeds':>5} {'words':>7} {'3-grams':>7} {'per 100w':>8} {'nn same':>8} "
            f"{'nn other':>8} {'copies':>6}")
    lines = [head] + [
        f"{r.file:30} {r.seeds:5} {r.words:7} {r.trigrams:7} {r.trigrams_per_100_words:8.1f} "
        f"{r.nn_same_file:8.3f} {r.nn_other_files:8.3f} {r.near_copies_elsewhere:6}"
        for r in rows]
    s = summary(rows)
    lines.append(f"{'all (seed-weighted)':30} {s['seeds']:5} {'':7} {'':7} "
                 f"{s['trigrams_per_100_words']:8.1f} {s['nn_same_file']:8.3f} "
                 f"{s['nn_other_files']:8.3f} {s['near_copies_elsewhere']:6}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    from inboxcoach.train.corpus import read_seeds

    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("models/corpus/seeds")
    print(format_table(corpus_diversity(read_seeds(folder))))
