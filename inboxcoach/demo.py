"""``inboxcoach demo``: the whole pipeline on the bundled sample mailbox, offline, no config.

The sample is built as two local Maildirs (INBOX and Sent) in a folder of its own, with a
config beside them, so what the demo shows is exactly what ``inboxcoach run`` does for a user:
same stages, same files, nothing faked. It never touches the network or the user's own state.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from inboxcoach.config import Settings, load_config
from inboxcoach.errors import InputError
from inboxcoach.run import RunReport, run_pipeline
from inboxcoach.samplebox import OWNER_EMAIL, OWNER_NAME, build_maildirs
from inboxcoach.store.database import Store

MARKER = ".inboxcoach-demo"
CONFIG = f"""\
# The demo's config: two local Maildirs built from inboxcoach's bundled sample mailbox.
# Copy config.example.toml from the project for your own mailbox.
state_dir = "state"

[drafts]
your_name = "{OWNER_NAME}"
your_email = "{OWNER_EMAIL}"
folder = "drafts"

[digest]
folder = "digest"

[[accounts]]
name = "inbox"
kind = "maildir"
path = "mail/INBOX"

[[accounts]]
name = "sent"
kind = "maildir"
path = "mail/Sent"
"""


@dataclass(frozen=True)
class DemoResult:
    folder: Path
    settings: Settings
    report: RunReport


def prepare(dest: Path | None) -> Path:
    """A fresh demo folder: new, empty, or one an earlier demo made (rebuilt from scratch)."""
    if dest is None:
        return Path(tempfile.mkdtemp(prefix="inboxcoach-demo-"))
    if dest.exists() and not dest.is_dir():
        raise InputError(f"{dest} is a file; --dir takes a folder (new, empty, or an earlier "
                         "demo's)")
    if dest.exists() and any(dest.iterdir()):
        if not (dest / MARKER).exists():
            raise InputError(f"{dest} is not empty and was not made by inboxcoach demo; "
                             "choose another --dir")
        for name in ("mail", "state", "drafts", "digest"):
            shutil.rmtree(dest / name, ignore_errors=True)
    dest.mkdir(parents=True, exist_ok=True, mode=0o700)
    return dest


def run_demo(dest: Path | None = None) -> DemoResult:
    folder = prepare(dest)
    (folder / MARKER).write_text("made by inboxcoach demo; safe to delete\n", "utf-8")
    build_maildirs(folder / "mail")
    config = folder / "config.toml"
    config.write_text(CONFIG, "utf-8")
    # the demo's own state dir, even when INBOXCOACH_STATE_DIR points elsewhere
    settings = replace(load_config(config), state_dir=folder / "state")
    with Store.open(settings.db_path) as store:
        report = run_pipeline(settings, store)
    return DemoResult(folder, settings, report)
