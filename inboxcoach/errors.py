"""Exit codes and the exceptions that map onto them.

Cron wrappers and getmail-style scripts decide what to do from the exit code alone, so every
failure the user can act on has a stable code and a one-line message; tracebacks are for bugs.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    CONFIG = 2
    NETWORK = 3
    PARTIAL = 4
    BUSY = 5  # another run holds the lock; this one did nothing
    STOPPED = 143  # SIGTERM: stopped cleanly between batches (128 + 15, as shells report it)


class InboxcoachError(Exception):
    """An expected failure with a message fit for the user and an exit code."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputError(InboxcoachError):
    """A command was given a path or value it cannot use (exit 2, like a usage error)."""

    exit_code = ExitCode.CONFIG


class ConfigError(InboxcoachError):
    """The config (or a secret it points to) is wrong; the message names the key and the fix."""

    exit_code = ExitCode.CONFIG

    def __init__(self, key: str, problem: str, fix: str = "") -> None:
        self.key = key
        self.problem = problem
        self.fix = fix
        text = f"{key} {problem}" if key else problem
        super().__init__(f"{text}: {fix}" if fix else text)


class MailboxError(InboxcoachError):
    """A mail source could not be read; worth retrying unless a subclass says otherwise."""

    exit_code = ExitCode.NETWORK
    transient = True


class AuthError(MailboxError):
    """The server refused the credentials; retrying would only lock the account."""

    transient = False


class TLSError(MailboxError):
    """The server's certificate could not be verified; retrying cannot fix that."""

    transient = False


class FolderNotFound(MailboxError):
    """A configured folder does not exist (deleted or renamed since the last run)."""

    transient = False


class SourceMissing(FolderNotFound):
    """A local account's path is not there (a disk not mounted, an export moved): that account
    is reported and skipped, the others go on; exit 2 when it was the only one."""

    exit_code = ExitCode.CONFIG


class ServerRefused(MailboxError):
    """The server answered NO (an APPEND to a missing or read-only folder, say): retrying the
    same command would get the same answer."""

    transient = False


class StoreError(InboxcoachError):
    """The local state file cannot be opened or is from a newer inboxcoach."""

    exit_code = ExitCode.CONFIG


class Busy(InboxcoachError):
    """Another ``inboxcoach run`` holds the lock; cron simply tries again next time."""

    exit_code = ExitCode.BUSY


class DeliveryError(InboxcoachError):
    """The digest could not be mailed to the owner; it is still on disk."""

    exit_code = ExitCode.NETWORK
