"""A broken install or config under ``inboxcoach run`` (as cron runs it, in a subprocess): a
tampered model, a model from another scikit-learn, a corrupt manifest, unknown keys, wrong
types, an unreadable secret. Each gives its message and documented exit code, no traceback,
and what can still be done is done."""

from __future__ import annotations

import json
import mailbox
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inboxcoach.classify.model_files import MANIFEST_FILE, MODEL_FILE, default_model_dir
from tests.builders import write_config
from tests.mailgen import make_message

ROOT = Path(__file__).parent.parent
# Loads the package from this checkout with the model folder swapped for the test's copy.
RUN_WITH_MODEL = ("import sys; from pathlib import Path; "
                  "import inboxcoach.classify.model_files as m; "
                  "m.PACKAGED_MODEL_DIR = m.REPO_MODEL_DIR = Path(sys.argv[1]); "
                  "from inboxcoach.cli import main; sys.exit(main(sys.argv[2:]))")


def _run(argv: list[str], model: Path | None = None) -> subprocess.CompletedProcess:
    cmd = ([sys.executable, "-c", RUN_WITH_MODEL, str(model)] if model
           else [sys.executable, "-m", "inboxcoach"])
    return subprocess.run([*cmd, *argv], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.fixture
def local_config(tmp_path: Path) -> Path:
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, when=datetime.now(UTC) - timedelta(hours=1)))
    return write_config(tmp_path / "config.toml",
                        [{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                        drafts={"your_name": "Sam", "your_email": "sam@example.org"})


def _tamper(folder: Path, how: str) -> None:
    if how == "altered bytes":
        data = bytearray((folder / MODEL_FILE).read_bytes())
        data[len(data) // 2] ^= 0xFF
        (folder / MODEL_FILE).write_bytes(bytes(data))
    elif how == "other scikit-learn":
        manifest = json.loads((folder / MANIFEST_FILE).read_text())
        manifest["sklearn"] = "0.24.2"
        (folder / MANIFEST_FILE).write_text(json.dumps(manifest))
    elif how == "corrupt manifest":
        (folder / MANIFEST_FILE).write_text("{not json")
    elif how == "missing file":
        (folder / MODEL_FILE).unlink()


@pytest.mark.parametrize(("how", "says"), [
    ("altered bytes", "does not match its manifest"),
    ("other scikit-learn", "scikit-learn 0.24.2"),
    ("corrupt manifest", "cannot read the model manifest"),
    ("missing file", "classifier.skops"),
])
def test_a_broken_model_is_exit_2_with_a_message_and_the_mail_is_kept(
        tmp_path: Path, local_config: Path, how: str, says: str):
    model = tmp_path / "model"
    shutil.copytree(default_model_dir(), model)
    _tamper(model, how)
    done = _run(["run", "--config", str(local_config)], model)
    assert done.returncode == 2, done.stderr
    assert says in done.stderr and "Traceback" not in done.stderr
    state = Path(os.environ["INBOXCOACH_STATE_DIR"])
    assert (state / "inboxcoach.sqlite3").exists()  # the mail is stored, untagged


@pytest.mark.parametrize(("text", "says"), [
    ('[fetch]\nbatch_sise = 10\n', "fetch.batch_sise is not a known setting"),
    ('[fetch]\nbatch_size = "ten"\n', "fetch.batch_size must be an int"),
    ('[digest]\nkeep_days = 0\n', "digest.keep_days must be greater than 0"),
    ('[drafts]\nenabled = "yes"\n', "drafts.enabled must be a bool"),
    ("[fetch\n", "is not valid TOML"),
])
def test_a_bad_config_is_exit_2_naming_the_key(tmp_path: Path, text: str, says: str):
    cfg = tmp_path / "config.toml"
    cfg.write_text(text + '[[accounts]]\nkind = "eml"\npath = "."\n')
    done = _run(["run", "--config", str(cfg)])
    assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr


def test_an_unreadable_secret_file_is_exit_2_and_names_the_key(tmp_path: Path):
    secret = tmp_path / "pw"
    secret.write_text("x\n")
    secret.chmod(0o000)
    cfg = write_config(tmp_path / "config.toml", [{
        "name": "mail", "host": "127.0.0.1", "port": 1, "username": "me",
        "password_file": str(secret)}])
    if os.geteuid() == 0:  # root reads anything: a folder where the file should be instead
        secret.chmod(0o600)
        secret.unlink()
        secret.mkdir()
    done = _run(["run", "--config", str(cfg)])
    assert done.returncode == 2, done.stderr
    assert "accounts[0].password_file names" in done.stderr and "Traceback" not in done.stderr
