"""Benchmark: how much ordinary mail (not about a job search) the model leaves alone.

    python benchmarks/ordinary.py PATH      (or INBOXCOACH_ORDINARY=PATH)

PATH is a folder of real non-job messages (.eml files, a Maildir or an mbox), kept outside the
repository and read in place, never copied or trained on. Every message should come out
``other``. Reports the share taken for job mail, the share taken with confidence, and the
feedback-request drafts a run would write for it, per kind of mail when an ``index.jsonl``
names them. Results go to benchmarks/results/ordinary.json (with the folder's name only).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inboxcoach.classify.model import Classifier  # noqa: E402
from inboxcoach.train.ordinary_eval import evaluate_ordinary, load_ordinary  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path,
                        default=os.environ.get("INBOXCOACH_ORDINARY"))
    args = parser.parse_args()
    if args.path is None or not args.path.exists():
        sys.exit(f"{args.path} is not there: give a folder of ordinary mail")
    mails, sources, kinds, unreadable = load_ordinary([args.path])
    classifier = Classifier.load()
    scores = evaluate_ordinary(classifier, mails, sources, kinds, unreadable)
    results = scores.as_dict() | {
        "by_kind": {k: {c: int(v) for c, v in row.items()}
                    for k, row in scores.by_kind.iterrows()},
        "path": args.path.name, "model_version": classifier.version,
        "measured": time.strftime("%Y-%m-%d"),
        "targets": {"job_mail_share": 0.005, "job_mail_confident_share": 0.002,
                    "would_draft": 0},
    }
    out = ROOT / "benchmarks" / "results" / "ordinary.json"
    out.write_text(json.dumps(results, indent=2) + "\n", "utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
