"""Choose the Mailbox for an account; the rest of the pipeline only sees the interface."""

from __future__ import annotations

from collections.abc import Callable

from inboxcoach.fetch.local import open_local
from inboxcoach.fetch.protocol import DraftsMailbox, Mailbox
from inboxcoach.secrets import Secret, resolve_secret
from inboxcoach.settings import AccountConfig, ImapAccount, LocalAccount, SecretSpec, Settings

Opener = Callable[[], Mailbox]
# Secrets from commands (password managers may prompt), kept in memory for this process only.
_resolved: dict[SecretSpec, Secret] = {}


def mailbox_opener(account: AccountConfig, settings: Settings) -> Opener:
    """A callable that opens (and, for IMAP, connects) a fresh Mailbox each time it is called.

    A secret from a command is resolved once per process, not per retry or stage, so a
    password manager asks only once; env and file secrets are read fresh each time.
    """
    if isinstance(account, LocalAccount):
        return lambda: open_local(account.name, account.path, account.kind)
    return imap_opener(account, settings)


def imap_opener(account: ImapAccount, settings: Settings) -> Callable[[], DraftsMailbox]:
    """Like ``mailbox_opener``, for an IMAP account, whose mailbox also takes drafts."""
    from inboxcoach.fetch.imap import ImapMailbox  # imapclient is needed only for IMAP accounts

    secret = _resolved.get(account.secret) or resolve_secret(account.secret)
    if account.secret.source == "command":
        _resolved[account.secret] = secret
    timeout = settings.fetch.timeout_seconds
    return lambda: ImapMailbox(account, secret, timeout)
