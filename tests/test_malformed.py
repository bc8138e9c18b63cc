"""Malformed and oversized mail through ``inboxcoach run`` (a subprocess, as cron runs it): a
50 MB attachment, a zip bomb, a 5 MB one-line body, a 100 KB header line, 1,000 sibling parts,
NUL bytes and an attachment named like a path. Each message ends stored or recorded as failed,
no file appears where an attachment name points, and peak memory stays bounded. (With the
default 25 MB cap the 50 MB message is stored with its headers only; a user who raises the cap
to 100 MB pays about 640 MB of peak memory to parse it, measured here.)"""

from __future__ import annotations

import io
import mailbox
import os
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path

from inboxcoach.config import load_config
from inboxcoach.store.database import Store
from tests.builders import write_config

# Bounded, not tight: 381 MB on one run here and 634 MB on another (CI on this machine); the
# 50 MB message is read whole before its header is cut, and the model is loaded.
MEMORY_BOUND_MB = 1024


def _message(key: str, subject: str, body: str = "Hello.\n") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "HR <hr@bigcorp.example>"
    msg["To"] = "applicant@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{key}@malformed.test>"
    msg.set_content(body)
    return msg


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("offer.pdf", b"\0" * (100 * 1024 * 1024))  # 100 MB of zeros in ~100 KB
    return buf.getvalue()


def malformed(target: Path) -> dict[str, bytes]:
    big = _message("fifty-mb", "Offer documents")
    big.add_attachment(os.urandom(50 * 1024 * 1024), maintype="application",
                       subtype="octet-stream", filename="documents.bin")
    bomb = _message("zip-bomb", "Your contract")
    bomb.add_attachment(_zip_bomb(), maintype="application", subtype="zip",
                        filename="contract.zip")
    line = _message("long-line", "One line", "x" * (5 * 1024 * 1024) + "\n")
    header = (b"From: a@b.example\r\nSubject: long header\r\nMessage-ID: <long-header@malformed"
              b".test>\r\nX-Long: " + b"y" * (100 * 1024) + b"\r\n\r\nbody\r\n")
    parts = _message("thousand-parts", "Many parts")
    for i in range(1000):
        parts.add_attachment(f"part {i}", filename=f"p{i}.txt")
    path_name = _message("path-name", "Attachment with a path for a name")
    path_name.add_attachment(b"pwned", maintype="application", subtype="octet-stream",
                             filename=f"../../../../{target}")
    nul = (b"From: n@b.example\r\nSubject: nul\x00 bytes\r\nMessage-ID: <nul@malformed.test>"
           b"\r\n\r\nbody\x00with\x00nuls\r\n")
    return {"50 MB attachment": big.as_bytes(), "zip bomb": bomb.as_bytes(),
            "5 MB line": line.as_bytes(), "100 KB header": header,
            "1,000 parts": parts.as_bytes(), "path as name": path_name.as_bytes(),
            "NUL bytes": nul}


def test_malformed_mail_is_stored_or_recorded_with_memory_bounded(tmp_path: Path,
                                                                  state_dir: Path):
    target = tmp_path / "escaped" / "pwned.txt"
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    messages = malformed(target)
    for raw in messages.values():
        box.add(raw)
    cfg = write_config(tmp_path / "config.toml",
                       [{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                       drafts={"your_name": "Sam", "your_email": "sam@example.org"})
    proc = subprocess.Popen([sys.executable, "-m", "inboxcoach", "run", "--config", str(cfg),
                             "-q"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024
    print(f"malformed mail: exit {code}, peak {peak_mb:.0f} MB")
    assert code in (0, 4), err
    assert "Traceback" not in err
    with Store.open(load_config(cfg).db_path) as store:
        stored = store.conn.execute("SELECT count(*) FROM locations").fetchone()[0]
        failed = len(store.failures())
        big = store.conn.execute("SELECT headers_only, raw_size FROM messages WHERE "
                                 "message_id='fifty-mb@malformed.test'").fetchone()
    assert stored + failed == len(messages)
    assert big is not None and big[0] == 1  # over fetch.max_message_mb (25): headers only
    assert not target.exists() and not target.parent.exists()
    assert peak_mb < MEMORY_BOUND_MB
