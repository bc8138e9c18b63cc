"""Turn a SecretSpec into the secret itself, without ever letting it reach a log or a message.

Commands run without a shell (an argv list), so a password manager call cannot be subverted by
quoting, and their output is never echoed in errors: a failing ``pass`` may print the secret.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from inboxcoach.errors import ConfigError
from inboxcoach.settings import SecretSpec

COMMAND_TIMEOUT = 60


@dataclass(frozen=True)
class Secret:
    kind: str  # "password" or "oauth2"
    _value: str

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.kind}, ***)"

    __str__ = __repr__


def resolve_secret(spec: SecretSpec) -> Secret:
    reader = {"literal": _literal, "command": _command, "env": _env, "file": _file}[spec.source]
    value = reader(spec).strip("\r\n")
    if not value:
        raise ConfigError(spec.key, "gave an empty secret", "check that it prints the secret")
    return Secret(spec.kind, value)


def _literal(spec: SecretSpec) -> str:
    return str(spec.value)


def _command(spec: SecretSpec) -> str:
    argv = list(spec.value)
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=COMMAND_TIMEOUT, check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise ConfigError(spec.key, f"runs {argv[0]!r}, which was not found",
                          "give the full path of the program") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(spec.key, f"did not finish within {COMMAND_TIMEOUT}s",
                          "make sure it does not wait for input") from None
    except OSError as exc:
        raise ConfigError(spec.key, f"could not run {argv[0]!r} ({exc.strerror})",
                          "check the program and its permissions") from None
    if done.returncode != 0:
        raise ConfigError(spec.key, f"exited with status {done.returncode}",
                          "run the command by hand to see why (its output is not shown here)")
    first_line = done.stdout.decode("utf-8", "replace").splitlines()
    return first_line[0] if first_line else ""


def _env(spec: SecretSpec) -> str:
    name = str(spec.value)
    if name not in os.environ:
        raise ConfigError(spec.key, f"names ${name}, which is not set",
                          f"export {name} in the environment that runs inboxcoach (cron too)")
    return os.environ[name]


def _file(spec: SecretSpec) -> str:
    path = Path(str(spec.value)).expanduser()
    try:
        return path.read_text("utf-8").splitlines()[0] if path.stat().st_size else ""
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ConfigError(spec.key, f"names {path}, which cannot be read ({reason})",
                          "check the path and that the file is readable by you") from None
