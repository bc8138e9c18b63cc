"""One run at a time: an advisory lock on a file in the state directory.

``flock`` is released by the kernel when the process dies, even by SIGKILL, so a crashed run
never leaves a stale lock behind and there is no PID file to clean up by hand.
"""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, datetime
from pathlib import Path

from inboxcoach.errors import Busy
from inboxcoach.paths import private_dir


class RunLock:
    def __init__(self, state_dir: Path) -> None:
        self.path = private_dir(state_dir) / "run.lock"
        self._fd: int | None = None

    def __enter__(self) -> RunLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise Busy(f"another inboxcoach run is in progress ({holder}); this one did "
                       f"nothing and exits (lock: {self.path})") from None
        os.ftruncate(fd, 0)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        os.pwrite(fd, f"pid {os.getpid()}, started {stamp}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
