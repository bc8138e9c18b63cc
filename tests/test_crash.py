"""Crash anywhere: ``inboxcoach run`` killed with SIGKILL at many points (fetching, tagging,
drafting and appending, writing the digest), then run again. Each time the store is whole,
every message is stored and tagged once, every draft exists exactly once in the Drafts folder
and on disk, and the digest is whole. INBOXCOACH_LONG=1 tries more kill points."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.builders import AUTOMATED, PERSONAL, write_config
from tests.mailgen import make_message

pytestmark = pytest.mark.dovecot
KILL_POINTS = 20 if os.environ.get("INBOXCOACH_LONG") else 5
ARTIFACTS = Path(os.environ.get("INBOXCOACH_ARTIFACTS",
                                Path(__file__).parent.parent / "test-artifacts"))
RECENT = datetime.now(UTC) - timedelta(days=2)
EMPLOYERS = ("Acme", "Globex", "Initech")


def _mailbox() -> list[bytes]:
    mail = [make_message(i, when=RECENT - timedelta(hours=i)) for i in range(60)]
    for j, employer in enumerate(EMPLOYERS):
        mail.append(make_message(100 + j, f"Your application to {employer}",
                                 PERSONAL.replace("Jane Doe", f"Jane {employer}"),
                                 sender=f"Jane {employer} <jane@{employer.lower()}.example>",
                                 when=RECENT))
    mail.append(make_message(200, "Your application", AUTOMATED,
                             sender="Globex Careers <no-reply@globex.example>", when=RECENT))
    return mail


def _run(cfg: Path, state: Path, log: Path,
         kill_at: tuple[str, float] | None = None) -> str | None:
    """Run to the end, or SIGKILL it ``kill_at`` = (stage, seconds into it). Returns the
    stage it died in, or None when it finished."""
    env = dict(os.environ, INBOXCOACH_STATE_DIR=str(state))
    proc = subprocess.Popen([sys.executable, "-m", "inboxcoach", "run", "--config", str(cfg),
                             "--quiet", "--log-file", str(log)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    if kill_at is None:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err.decode()
        return None
    stage, offset = kill_at
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if log.exists() and f"stage: {stage}" in log.read_text():
            time.sleep(offset)
            break
        time.sleep(0.002)
    if proc.poll() is not None:
        return None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    return _last_stage(log)


def _stage_windows(log: Path, started: float) -> list[tuple[str, float, float]]:
    """(stage, start, end) in seconds after the process was started, from the log's stamps."""
    marks = []
    for line in log.read_text().splitlines():
        stamp = datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        if "stage: " in line:
            marks.append((line.rsplit("stage: ", 1)[1].strip(), stamp - started))
        elif " run: " in line:
            marks.append(("end", stamp - started))
    return [(name, t0, t1) for (name, t0), (_, t1) in itertools.pairwise(marks)]


def _kill_points(windows: list[tuple[str, float, float]], count: int
                 ) -> list[tuple[str, float]]:
    """Spread the kill points over the stages, not over the clock (loading the model takes
    most of the time): (stage, seconds after it began), timed from a full run's log."""
    points = []
    for k in range(count):
        name, t0, t1 = windows[k % len(windows)]
        rounds = -(-count // len(windows))
        points.append((name, (t1 - t0) * ((k // len(windows)) + 0.5) / rounds))
    return points


def _last_stage(log: Path) -> str:
    stages = [line.rsplit("stage: ", 1)[1].strip() for line in log.read_text().splitlines()
              if "stage: " in line]
    return stages[-1] if stages else "start"


def _check(dovecot, state: Path, expected: int) -> None:
    db = state / "inboxcoach.sqlite3"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
        labels = conn.execute("SELECT count(*) FROM labels").fetchone()[0]
        drafts = conn.execute("SELECT draft_message_id, state, eml_path FROM drafts").fetchall()
    assert messages == labels == expected
    assert len(drafts) == len(EMPLOYERS) and {s for _, s, _ in drafts} == {"appended"}
    with dovecot.client() as c:
        c.select_folder("Drafts", readonly=True)
        uids = c.search(["ALL"])
        heads = c.fetch(uids, ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]).values() if uids else []
    in_folder = sorted(next(v for k, v in h.items() if k.startswith(b"BODY")).decode().split(
        "<", 1)[1].split(">", 1)[0] for h in heads)
    assert in_folder == sorted(mid for mid, _, _ in drafts)  # each exactly once
    files = sorted((state / "drafts").iterdir())
    assert [p.name for p in files] == sorted(Path(p).name for _, _, p in drafts)
    digest = (state / "digest" / "digest.html").read_text("utf-8")
    assert digest.rstrip().endswith("</html>") and "Your job search" in digest
    assert not list((state / "digest").glob(".*"))  # no half-written file left


def _empty_drafts_folder(dovecot) -> None:
    with dovecot.client() as c:
        c.select_folder("Drafts")
        uids = c.search(["ALL"])
        if uids:
            c.delete_messages(uids)
            c.expunge()


def test_killed_anywhere_the_next_run_finishes_the_job_once(dovecot, tmp_path: Path):
    mail = _mailbox()
    dovecot.append("INBOX", mail)
    cfg = write_config(tmp_path / "config.toml", [dovecot.account()],
                       fetch={"batch_size": 8, "retry_backoff_seconds": 0.01},
                       drafts={"your_name": "Sam Candidate", "your_email": "sam@example.org"})
    started = time.time()
    _run(cfg, tmp_path / "full", tmp_path / "full.log")
    full = time.time() - started
    _check(dovecot, tmp_path / "full", len(mail))
    windows = _stage_windows(tmp_path / "full.log", started)
    tried = []
    for k, (stage, offset) in enumerate(_kill_points(windows, KILL_POINTS)):
        _empty_drafts_folder(dovecot)
        state, log = tmp_path / f"kill{k}", tmp_path / f"kill{k}.log"
        died_in = _run(cfg, state, log, kill_at=(stage, offset))
        _run(cfg, state, log)  # the next run, from cron an hour later
        _check(dovecot, state, len(mail))
        tried.append({"aimed_at": f"{stage} +{offset:.3f}s", "killed_in": died_in or "-"})
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "crash-points.json").write_text(json.dumps(
        {"full_run_s": round(full, 2), "stages": windows, "kill_points": tried}, indent=2))
    print(f"crash test: {len(tried)} kill points over a {full:.1f}s run: "
          + ", ".join(f"{t['aimed_at']} -> {t['killed_in']}" for t in tried))
    assert len(tried) == KILL_POINTS
    assert sum(t["killed_in"] != "-" for t in tried) >= KILL_POINTS - 1  # nearly all landed
