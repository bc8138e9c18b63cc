"""The README's setup works when its lines are copied one by one on a fresh account: the
virtual environment line, and ``inboxcoach init`` writing a config where every command looks
for it (which ``cp config.example.toml ...`` into a folder that did not exist never did)."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

from inboxcoach.cli import main
from inboxcoach.config import parse_config

README = (Path(__file__).parent.parent / "README.md").read_text("utf-8")


def block_after(heading: str) -> list[str]:
    section = README.split(f"## {heading}\n", 1)[1]
    code = re.search(r"```sh\n(.*?)```", section, re.S)
    assert code, f"no sh block under {heading}"
    return [ln for ln in code.group(1).splitlines() if ln.strip()]


def fresh_account(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INBOXCOACH_", "XDG_"))}
    bin_dir = str(Path(sys.executable).parent)  # this installation's inboxcoach
    return env | {"HOME": str(tmp_path), "PATH": f"{bin_dir}:{env.get('PATH', '')}"}


def test_the_venv_line_of_the_install_block_works_on_a_fresh_account(tmp_path):
    line = block_after("Install and see it work")[0]
    assert line.startswith("python3 -m venv") and shutil.which("python3")
    done = subprocess.run(["bash", "-c", f"{line} && pip --version && echo $VIRTUAL_ENV"],
                          env=fresh_account(tmp_path), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith(str(tmp_path))


def test_the_init_line_writes_a_private_valid_config_where_commands_look(tmp_path):
    line = next(ln for ln in block_after("Run") if ln.startswith("inboxcoach init"))
    done = subprocess.run(["bash", "-c", line], env=fresh_account(tmp_path),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    written = tmp_path / ".config" / "inboxcoach" / "config.toml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600 and str(written) in done.stdout
    settings = parse_config(tomllib.loads(written.read_text("utf-8")), written)
    assert settings.accounts  # the example, to be edited: every key with its default
    again = subprocess.run(["bash", "-c", line], env=fresh_account(tmp_path),
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "exists already" in again.stderr


def test_init_to_a_path_of_ones_own(tmp_path, capsys):
    target = tmp_path / "new" / "dir" / "c.toml"
    assert main(["init", "--config", str(target)]) == 0
    assert target.is_file() and f"--config {target}" in capsys.readouterr().out
