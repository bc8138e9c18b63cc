"""Where inboxcoach keeps its files, so every command and every test agrees on one place."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

STATE_DIR_ENV = "INBOXCOACH_STATE_DIR"
CONFIG_ENV = "INBOXCOACH_CONFIG"


def default_config_path() -> Path:
    env = os.environ.get(CONFIG_ENV)
    return Path(env).expanduser() if env else user_config_path("inboxcoach") / "config.toml"


def example_config() -> str:
    """The commented example config: in the wheel beside the package, in a source checkout at
    the top of the repository (one file, ``config.example.toml``)."""
    packaged = Path(__file__).parent / "config.example.toml"
    source = Path(__file__).parent.parent / "config.example.toml"
    return (packaged if packaged.is_file() else source).read_text("utf-8")


def default_state_dir() -> Path:
    return user_data_path("inboxcoach")


def env_state_dir() -> Path | None:
    """The environment wins over the config so tests and one-off runs can never touch real state."""
    env = os.environ.get(STATE_DIR_ENV)
    return Path(env).expanduser() if env else None


def private_dir(path: Path) -> Path:
    """Create a directory only the owner can read: it holds mail."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> Path:
    """Write a whole file or nothing: readers (a browser, a mail client, the next run) never
    see half of one, and a crash leaves the old version in place. Callers hold the run lock,
    so a temporary file of ours (``.<name>.<random>.tmp``, same suffix) is one a killed run
    left behind."""
    import tempfile

    private_dir(path.parent)
    for stale in path.parent.glob(f".*{path.suffix}.*.tmp"):  # left by a writer killed
        stale.unlink(missing_ok=True)  # mid-write, perhaps under another name
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
