"""``inboxcoach schedule``: a crontab line and a systemd user timer for this installation.

Written out with the user's real paths (this Python, this config, this state directory) so the
scheduled run sees what an interactive one sees; cron's bare environment is the usual reason a
job that works by hand fails at night.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

from inboxcoach.paths import STATE_DIR_ENV


def command(config: Path, log_file: Path) -> list[str]:
    exe = shutil.which("inboxcoach")
    argv = [exe] if exe else [sys.executable, "-m", "inboxcoach"]
    return [*argv, "run", "--quiet", "--config", str(config.resolve()),
            "--log-file", str(log_file.resolve())]


def _env() -> dict[str, str]:
    state = os.environ.get(STATE_DIR_ENV)
    return {STATE_DIR_ENV: str(Path(state).expanduser().resolve())} if state else {}


def crontab(config: Path, log_file: Path, minute: int = 17) -> str:
    """One crontab line; cron reads ``%`` as a newline, so it is escaped."""
    env = "".join(f"{k}={shlex.quote(v)} " for k, v in _env().items())
    line = f"{env}{shlex.join(command(config, log_file))}".replace("%", "\\%")
    return f"{minute} * * * * {line}"


def systemd_units(config: Path, log_file: Path) -> dict[str, str]:
    env = "".join(f'Environment="{k}={_unit(v)}"\n' for k, v in _env().items())
    exec_start = _unit(shlex.join(command(config, log_file)))
    service = (
        "[Unit]\nDescription=inboxcoach: read job-search mail, draft feedback requests, write "
        "the digest\nAfter=network-online.target\nWants=network-online.target\n\n"
        f"[Service]\nType=oneshot\n{env}ExecStart={exec_start}\n"
        "# 5: another run held the lock; 143: stopped cleanly by SIGTERM. Neither is a failure.\n"
        "SuccessExitStatus=5 143\n"
        "TimeoutStopSec=60\nNice=10\n"
    )
    timer = (
        "[Unit]\nDescription=Run inboxcoach every hour\n\n"
        "[Timer]\nOnCalendar=hourly\nRandomizedDelaySec=300\nPersistent=true\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    return {"inboxcoach.service": service, "inboxcoach.timer": timer}


def _unit(value: str) -> str:
    """systemd expands ``%`` specifiers in unit files; a literal one is written ``%%``."""
    return value.replace("%", "%%")


def instructions(config: Path, log_file: Path) -> str:
    units = systemd_units(config, log_file)
    unit_dir = "~/.config/systemd/user"
    return "\n".join([
        "# cron: run `crontab -e` and add this line (every hour at minute 17; only errors are",
        "# mailed by cron, everything else goes to the log file):",
        crontab(config, log_file),
        "",
        f"# systemd (user timer): save the two files below in {unit_dir}/, then run",
        "#   systemctl --user daemon-reload && systemctl --user enable --now inboxcoach.timer",
        "# and, so it runs while you are logged out: loginctl enable-linger $USER",
        *[line for name, text in units.items()
          for line in (f"# ---- {unit_dir}/{name} ----", text)],
    ])
