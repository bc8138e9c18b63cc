"""Choose the Mailbox for an account; the rest of the pipeline only sees the interface."""

from __future__ import annotations

from collections.abc import Callable

from inboxcoach.config import AccountConfig, Settings
from inboxcoach.local import open_local
from inboxcoach.mailbox import Mailbox
from inboxcoach.secrets import resolve_secret

Opener = Callable[[], Mailbox]


def mailbox_opener(account: AccountConfig, settings: Settings) -> Opener:
    """A callable that opens (and, for IMAP, connects) a fresh Mailbox each time it is called.

    The secret is resolved once here, not per retry, so a password manager asks only once.
    """
    if account.kind != "imap":
        assert account.path is not None
        path, kind = account.path, account.kind
        return lambda: open_local(account.name, path, kind)
    from inboxcoach.imap import ImapMailbox  # imapclient is needed only for IMAP accounts

    assert account.secret is not None
    secret = resolve_secret(account.secret)
    timeout = settings.fetch.timeout_seconds
    return lambda: ImapMailbox(account, secret, timeout)
