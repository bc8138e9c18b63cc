"""Where inboxcoach's messages go: stderr at the level -v/-q ask for, and, for unattended runs,
an owner-only log file that keeps INFO and up whatever -q says. Secrets never reach either:
they are held in ``secrets.Secret``, whose text hides them.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path


def setup_logging(verbose: int, quiet: bool, log_file: Path | None = None) -> None:
    if quiet:
        level = logging.ERROR
    elif verbose:
        level = logging.DEBUG if verbose >= 2 else logging.INFO
    else:
        level = logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("inboxcoach: %(levelname)s: %(message)s"))
    handler.setLevel(level)
    handlers: list[logging.Handler] = [handler]
    if log_file is not None:  # the record of unattended runs: INFO and up, whatever -q says
        handlers.append(file_handler(log_file, min(level, logging.INFO)))
    root = logging.getLogger()
    root.handlers[:] = handlers
    root.setLevel(min(h.level for h in handlers))
    # imapclient's protocol log redacts LOGIN/AUTHENTICATE; it is shown only with -vv.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)


def file_handler(path: Path, level: int) -> logging.Handler:
    """An append-only log readable by the owner alone: it names folders and subjects."""
    from inboxcoach.paths import private_dir

    path = path.expanduser()
    private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)  # an older log made with looser permissions is tightened
    os.close(fd)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: "
                                           "%(message)s"))
    handler.setLevel(level)
    return handler
