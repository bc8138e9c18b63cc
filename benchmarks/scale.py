"""Benchmark: `inboxcoach run` as the mailbox grows, on a loopback Dovecot.

    python benchmarks/scale.py [--sizes 10000 100000]

For each size: a fresh Dovecot seeded with that many job-search-like messages (written as
Maildir files before it starts), then the first `inboxcoach run` (fetch, tag, drafts, digest),
a re-run with nothing new, and a re-run after 100 new messages. Reports wall time, messages/s,
peak memory (the run's process and its parser workers' largest) and the size of the state file,
so memory and re-run time can be compared across sizes. Results: benchmarks/results/scale.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, add_messages, run_child, seeded_dovecot, write_config

from tests.dovecot import PASSWORD


def measure(n: int) -> dict[str, object]:
    started = time.perf_counter()
    server = seeded_dovecot(n)
    seeded = time.perf_counter() - started
    work = Path(tempfile.mkdtemp(prefix="inboxcoach-scale-"))
    env = dict(os.environ, INBOXCOACH_STATE_DIR=str(work / "state"),
               INBOXCOACH_BENCH_PW=PASSWORD, PYTHONPATH=str(ROOT))
    config = write_config(work / "config.toml", server, drafts=True)
    run = [sys.executable, "-m", "inboxcoach", "run", "--config", str(config), "-q"]
    try:
        first_s, first_mb, code = run_child(run, env)
        assert code == 0, f"inboxcoach run exited {code}"
        rerun_s, rerun_mb, _ = run_child(run, env)
        add_messages(server, n, 100)
        more_s, more_mb, _ = run_child(run, env)
        db = work / "state" / "inboxcoach.sqlite3"
        with sqlite3.connect(db) as conn:
            stored = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        assert stored == n + 100, f"stored {stored} of {n + 100}"
        store_mb = sum(p.stat().st_size for p in db.parent.glob("inboxcoach.sqlite3*")) / 1e6
    finally:
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return {
        "messages": n, "seed_s": round(seeded, 1), "first_run_s": round(first_s, 1),
        "first_run_msgs_per_s": round(n / first_s), "first_run_peak_mb": round(first_mb),
        "rerun_nothing_new_s": round(rerun_s, 2), "rerun_peak_mb": round(rerun_mb),
        "rerun_100_new_s": round(more_s, 2), "rerun_100_new_peak_mb": round(more_mb),
        "store_mb": round(store_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    rows = [measure(n) for n in args.sizes]
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores",
               "python": platform.python_version(), "measured": time.strftime("%Y-%m-%d"),
               "runs": rows}
    (ROOT / "benchmarks" / "results" / "scale.json").write_text(
        json.dumps(results, indent=2) + "\n")
    keys = list(rows[0])
    print("  ".join(f"{k:>22}" for k in keys))
    for row in rows:
        print("  ".join(f"{row[k]!s:>22}" for k in keys))


if __name__ == "__main__":
    main()
