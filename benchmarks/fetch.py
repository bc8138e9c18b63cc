"""Benchmark: `inboxcoach fetch` (or `run`) of N messages from a loopback Dovecot vs a bare
imapclient loop.

    python benchmarks/fetch.py [--messages 10000] [--command fetch|run]

Both sides fetch the same messages over TLS with BODY.PEEK[] in batches of 100; inboxcoach also
parses every message with mail-parser and commits it to SQLite. Prints messages/s for both,
the ratio, peak memory of each, and the time of a re-run with nothing new. ``--command run``
times the whole daily loop instead (fetch, classify, drafts, digest). Results are written to
benchmarks/results/<command>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import ssl
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, add_messages, run_child, seeded_dovecot, write_config

from tests.dovecot import PASSWORD, USER

BARE = """
import ssl, sys, time
from imapclient import IMAPClient
port, ca = int(sys.argv[1]), sys.argv[2]
c = IMAPClient("127.0.0.1", port=port, ssl=True,
               ssl_context=ssl.create_default_context(cafile=ca), timeout=60)
c.login(sys.argv[3], sys.argv[4])
c.select_folder("INBOX", readonly=True)
uids = c.search(["ALL"])
n = 0
for i in range(0, len(uids), 100):
    for uid, data in c.fetch(uids[i:i + 100], ["BODY.PEEK[]"]).items():
        n += len(data[b"BODY[]"])
c.logout()
assert len(uids) >= int(sys.argv[5]), f"server holds {len(uids)} messages"
"""


def _stored(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM messages").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--command", choices=("fetch", "run"), default="fetch")
    args = parser.parse_args()
    n = args.messages
    server = seeded_dovecot(n)
    work = Path(tempfile.mkdtemp(prefix="inboxcoach-bench-"))
    env = dict(os.environ, INBOXCOACH_STATE_DIR=str(work / "state"),
               INBOXCOACH_BENCH_PW=PASSWORD, PYTHONPATH=str(ROOT))
    config = write_config(work / "config.toml", server, drafts=args.command == "run")
    try:
        # warm the server's index so neither side pays for Dovecot's first scan
        bare = [sys.executable, "-c", BARE, str(server.imaps_port), str(server.ca_file), USER,
                PASSWORD, str(n)]
        assert run_child(bare)[2] == 0, "the server does not hold the seeded messages"
        bare_s, bare_mb, _ = run_child(bare)
        fetch = [sys.executable, "-m", "inboxcoach", args.command, "--config", str(config), "-q"]
        first_s, first_mb, code = run_child(fetch, env)
        assert code == 0, f"inboxcoach {args.command} exited {code}"
        rerun_s, rerun_mb, _ = run_child(fetch, env)
        add_messages(server, n, 100)
        more_s, _, _ = run_child(fetch, env)
        store_mb = (work / "state" / "inboxcoach.sqlite3").stat().st_size / 1e6
        stored = _stored(work / "state" / "inboxcoach.sqlite3")
        assert stored == n + 100, f"stored {stored} of {n + 100}"
    finally:
        server.cleanup()
    results = {
        "messages": n, "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(), "ssl": ssl.OPENSSL_VERSION,
        "bare_imapclient_s": round(bare_s, 2), "bare_msgs_per_s": round(n / bare_s),
        "command": f"inboxcoach {args.command}",
        "bare_peak_mb": round(bare_mb), "inboxcoach_s": round(first_s, 2),
        "inboxcoach_msgs_per_s": round(n / first_s), "inboxcoach_peak_mb": round(first_mb),
        "ratio_vs_bare": round(first_s / bare_s, 2), "rerun_nothing_new_s": round(rerun_s, 2),
        "rerun_peak_mb": round(rerun_mb), "rerun_100_new_s": round(more_s, 2),
        "store_mb": round(store_mb, 1), "measured": time.strftime("%Y-%m-%d"),
    }
    out = ROOT / "benchmarks" / "results" / f"{args.command}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    width = max(map(len, results))
    for key, value in results.items():
        print(f"{key:<{width}}  {value}")


if __name__ == "__main__":
    main()
