"""Shared pieces of the benchmarks: a seeded loopback Dovecot and child-process measurements."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dovecot import USER, Dovecot  # noqa: E402

# 100,000 messages two minutes apart end in May 2024: all in the past, as a mailbox's are.
FIRST_DATE = datetime(2024, 1, 1, tzinfo=UTC)
SUBJECTS = ["Your application to {c}", "Thank you for applying - {c}", "Interview invitation",
            "Update on your application", "New jobs for you", "Re: {c} role"]


def sample_message(i: int) -> bytes:
    """A job-search-like message of a few KB with text and HTML parts."""
    company = f"Company{i % 97}"
    return (_template(company)
            .replace(b"@FROM@", f"Recruiter {i % 13} <talent{i % 13}@{company.lower()}.example>"
                     .encode())
            .replace(b"@SUBJECT@", SUBJECTS[i % len(SUBJECTS)].format(c=company).encode())
            .replace(b"Date:\n", b"Date: " + format_datetime(FIRST_DATE + timedelta(minutes=2 * i))
                     .encode() + b"\n")
            .replace(b"@ID@", f"<bench-{i}@{company.lower()}.example>".encode())
            .replace(b"@REF@", str(i).encode()))


@lru_cache(maxsize=128)
def _template(company: str) -> bytes:
    """One message per employer built with the email package, then filled in per message:
    seeding 100,000 messages takes seconds instead of minutes."""
    msg = EmailMessage()
    for name, mark in (("From", "@FROM@"), ("To", "applicant@example.org"),
                       ("Subject", "@SUBJECT@"), ("Message-ID", "@ID@")):
        msg[name] = mark
    msg["Date"] = ""  # filled in per message (the email package checks a date as it is set)
    text = (f"Hello,\n\nthank you for your interest in {company}. " * 6 + "\n\n") * 4
    msg.set_content(text + "Reference @REF@\n")
    msg.add_alternative(f"<html><body><p>{text}</p></body></html>", subtype="html")
    msg.set_boundary(f"===============bench-{company}==")
    return msg.as_bytes()


def seeded_dovecot(count: int) -> Dovecot:
    """Dovecot with ``count`` messages written as Maildir files before start (APPEND is slow)."""
    server = Dovecot()
    inbox = server.root / "mail" / USER
    for sub in ("cur", "new", "tmp"):
        (inbox / sub).mkdir(parents=True, exist_ok=True)
    stamp = int(time.time())
    for i in range(count):
        path = inbox / "new" / f"{stamp}.M{i}P1.bench"
        path.write_bytes(sample_message(i))
        _own(path)
    for path in (inbox.parent, inbox, *(inbox / sub for sub in ("cur", "new", "tmp"))):
        _own(path)
    return server.start()


def _own(path: Path) -> None:
    """Dovecot's mail user must own the seeded files when the benchmark runs as root."""
    if os.geteuid() == 0:
        shutil.chown(path, "nobody", "nogroup")


def add_messages(server: Dovecot, start: int, count: int) -> None:
    inbox = server.root / "mail" / USER / "new"
    stamp = int(time.time())
    for i in range(start, start + count):
        path = inbox / f"{stamp}.M{i}P2.bench"
        path.write_bytes(sample_message(i))
        _own(path)


# Runs a command and reports its own peak memory. Linux carries the peak RSS of the process
# that starts a child into the child's figure (through fork and exec), so a benchmark that grew
# while seeding 100,000 messages would be reported as the child's peak. A small launcher
# forks the command instead: the inherited figure is then the launcher's few MB.
LAUNCHER = """
import os, sys, time
report, argv = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(argv[0], argv)
_, status, usage = os.wait4(pid, 0)
with open(report, "w") as f:
    f.write(f"{time.perf_counter() - started} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Run a command; return wall seconds, its peak RSS in MB (the command's process or its
    largest child), and its exit code."""
    with tempfile.NamedTemporaryFile("r", suffix=".txt") as report:
        code = subprocess.run([sys.executable, "-c", LAUNCHER, report.name, *argv], env=env,
                              stdout=subprocess.DEVNULL, check=False).returncode
        seconds, maxrss_kb = report.read().split()
    return float(seconds), int(maxrss_kb) / 1024, code


def write_config(path: Path, server: Dovecot, batch_size: int = 100,
                 drafts: bool = False) -> Path:
    sign = '[drafts]\nyour_name = "Bench Mark"\nyour_email = "bench@example.org"\n\n'
    path.write_text(
        "[fetch]\n"
        f"batch_size = {batch_size}\n\n"
        f"{sign if drafts else ''}"
        "[[accounts]]\n"
        'name = "bench"\nhost = "127.0.0.1"\n'
        f'port = {server.imaps_port}\nca_file = "{server.ca_file}"\n'
        f'username = "{USER}"\npassword_env = "INBOXCOACH_BENCH_PW"\n'
    )
    return path
