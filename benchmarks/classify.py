"""Benchmark: classifying parsed messages on one core, model load time, model size.

    python benchmarks/classify.py [--messages 5000]

Messages are the team's corpus (the seeds expanded as ``inboxcoach train`` does), parsed
first; only classification is timed. Results go to benchmarks/results/classify.json.
"""

from __future__ import annotations

import os

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # one core, as the target says

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inboxcoach.classify.model import Classifier  # noqa: E402
from inboxcoach.classify.model_files import MODEL_FILE, default_model_dir  # noqa: E402
from inboxcoach.train.corpus import expand, read_seeds  # noqa: E402
from inboxcoach.train.evaluation import emails_from_records  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    loads = []
    for _ in range(5):
        started = time.perf_counter()
        classifier = Classifier.load()
        loads.append(time.perf_counter() - started)
    records = list(expand(read_seeds(ROOT / "models" / "corpus" / "seeds")))
    records = (records * (args.messages // len(records) + 1))[: args.messages]
    mails = [m for m in emails_from_records(records) if not isinstance(m, str)]
    classifier.predict(mails[:50])  # warm up
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        for i in range(0, len(mails), 500):
            classifier.predict(mails[i:i + 500])
        runs.append(time.perf_counter() - started)
    best = min(runs)
    results = {
        "messages": len(mails), "machine": f"{platform.machine()}, 1 core used",
        "classify_s": round(best, 3), "messages_per_s": round(len(mails) / best),
        "model_load_s_median": round(statistics.median(loads), 3),
        "model_size_mb": round((default_model_dir() / MODEL_FILE).stat().st_size / 1e6, 1),
        "model_version": classifier.version, "measured": time.strftime("%Y-%m-%d"),
    }
    (ROOT / "benchmarks" / "results" / "classify.json").write_text(json.dumps(results, indent=2)
                                                                   + "\n")
    for key, value in results.items():
        print(f"{key:<22} {value}")


if __name__ == "__main__":
    main()
