"""Input that is not what a command takes gets a clear answer and exit 2, never tags, a
traceback or exit 1 (which the README keeps for bugs). Each case failed before."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.fetch.parse import not_mail_reason
from tests.mailgen import make_message

SAMPLE = Path(__file__).parent.parent / "inboxcoach" / "sample" / "mailbox.jsonl"


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "empty"), (b" \r\n\n", "empty"),
    (b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary"),
    (b"just a note to self, no headers\n", "no mail header"),
    (b"Note: remember the milk\n\nand bread\n", "no mail header"),  # one field, not mail's
])
def test_what_is_not_an_email(data, reason):
    assert reason in not_mail_reason(data)


def test_what_is_an_email():
    assert not_mail_reason(make_message(1)) is None
    assert not_mail_reason(b"From someone@x Mon Jan  1 00:00:00 2026\nSubject: hi\n\nbody") is None
    assert not_mail_reason(b"Subject: only a subject\n\n") is None


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_says_not_an_email_and_tags_nothing(tmp_path, capsys):
    (tmp_path / "ls").write_bytes(Path(sys.executable).read_bytes()[:4096])
    (tmp_path / "empty.eml").write_bytes(b"")
    (tmp_path / "note.txt").write_text("a text file\n")
    for name in ("ls", "empty.eml", "note.txt"):
        code, out, err = run(capsys, "classify", str(tmp_path / name))
        assert code == 2 and out.startswith("not an email") and "Traceback" not in err
    code, out, _ = run(capsys, "classify", "--json", str(tmp_path / "note.txt"))
    assert code == 2 and json.loads(out.splitlines()[0])["error"] == "not an email"


def test_classify_tags_the_mail_and_still_reports_the_rest(tmp_path, capsys):
    (tmp_path / "a.eml").write_bytes(make_message(1))
    (tmp_path / "note.txt").write_text("a text file\n")
    code, out, _ = run(capsys, "classify", "--json", str(tmp_path / "a.eml"),
                       str(tmp_path / "note.txt"))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and len(rows) == 2
    assert {"error" in r for r in rows} == {True, False}


def test_classify_empty_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    code, out, _ = run(capsys, "classify", "-")
    assert code == 2 and "not an email (empty)" in out


def test_classify_a_folder_without_mail_or_a_missing_file(tmp_path, capsys):
    (tmp_path / "nothing").mkdir()
    code, _, err = run(capsys, "classify", str(tmp_path / "nothing"))
    assert code == 2 and "holds no mail" in err
    code, _, err = run(capsys, "classify", str(tmp_path / "missing.eml"))
    assert code == 2 and "does not exist" in err


@pytest.mark.parametrize(("content", "message"), [
    (b"", "holds no labelled messages"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\xff", "is not text"),
    (b"[fetch]\nbatch = 500\n", "t.jsonl:1: not JSON"),
    (b'{"category": "reject", "sender_kind": "automated", "body": "x"}\n',
     "field 'category' must be one of"),
    (b'{"category": "offer", "sender_kind": "personal"}\n', "no text"),
])
def test_evaluate_names_the_line_and_the_field(tmp_path, capsys, content, message):
    (tmp_path / "t.jsonl").write_bytes(content)
    code, _, err = run(capsys, "evaluate", str(tmp_path / "t.jsonl"))
    assert code == 2 and message in err and "Traceback" not in err


def test_evaluate_on_the_bundled_sample_says_it_has_no_labels(capsys):
    code, _, err = run(capsys, "evaluate", str(SAMPLE))
    assert code == 2 and "mailbox.jsonl:1: field 'category'" in err


def test_demo_dir_must_be_a_folder_it_may_use(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    code, _, err = run(capsys, "demo", "--dir", str(tmp_path / "file"))
    assert code == 2 and "is a file" in err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "mine.txt").write_text("x")
    code, _, err = run(capsys, "demo", "--dir", str(tmp_path / "full"))
    assert code == 2 and "not empty" in err
