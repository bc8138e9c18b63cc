"""What inboxcoach is configured to do, as immutable records: the accounts and each stage's
settings. ``config.py`` reads the TOML file into these; every stage reads only these.

An IMAP account and a local one are different types, so code that needs a host or a path
has it, and code that handles both says which it is with ``isinstance``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar

from inboxcoach.vocab import SourceKind


@dataclass(frozen=True)
class SecretSpec:
    """Where a secret comes from; the secret itself is only read when a connection needs it."""

    kind: str  # "password" or "oauth2"
    source: str  # "literal", "command", "env" or "file"
    value: str | tuple[str, ...] = field(repr=False)
    key: str = ""  # the config key, for error messages


@dataclass(frozen=True)
class ImapAccount:
    """A mailbox on an IMAP server: read-only, over TLS, with drafts added to its Drafts."""

    name: str
    key: str  # "accounts[0]", for error messages
    host: str
    username: str
    secret: SecretSpec
    port: int = 993
    security: str = "tls"  # "tls" or "starttls"
    ca_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX",)
    sent_folder: str | None = None  # None: the folder the server marks \Sent
    drafts_folder: str | None = None  # None: the folder the server marks \Drafts
    since: date | None = None
    kind: ClassVar[SourceKind] = SourceKind.IMAP


@dataclass(frozen=True)
class LocalAccount:
    """Mail on this machine (a Maildir, an mbox file, .eml files), read in place, never written:
    it has no Sent or Drafts folder, so its drafts are .eml files only."""

    name: str
    key: str
    kind: SourceKind  # MAILDIR, MBOX or EML
    path: Path
    folders: tuple[str, ...] = ()  # one name for the path, as status shows it


AccountConfig = ImapAccount | LocalAccount


@dataclass(frozen=True)
class FetchSettings:
    batch_size: int = 100
    max_message_mb: float = 25.0
    timeout_seconds: float = 60.0
    retries: int = 3
    retry_backoff_seconds: float = 2.0

    @property
    def max_message_bytes(self) -> int:
        return int(self.max_message_mb * 1024 * 1024)


@dataclass(frozen=True)
class DraftSettings:
    enabled: bool = True
    your_name: str = ""  # who signs; required for drafts
    your_email: str = ""  # From of the drafts; default: the account's username
    signature: str = ""
    templates_dir: Path | None = None
    folder: Path | None = None  # .eml copies; default: <state_dir>/drafts
    append_to_imap: bool = True
    max_age_days: int = 30
    hold_hours: float = 0.0


@dataclass(frozen=True)
class DigestSettings:
    enabled: bool = True
    folder: Path | None = None  # default: <state_dir>/digest
    keep_days: int = 365  # dated copies older than this are removed


@dataclass(frozen=True)
class DeliverySettings:
    """Optional SMTP delivery of the digest, to the owner's own address and nowhere else."""

    enabled: bool = False
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    ca_file: Path | None = None
    username: str | None = None
    secret: SecretSpec | None = None
    to: str = ""
    hour: int = 7  # local hour of the day from which the day's digest is mailed


@dataclass(frozen=True)
class Settings:
    accounts: tuple[AccountConfig, ...]
    state_dir: Path
    fetch: FetchSettings = FetchSettings()
    config_path: Path | None = None
    warnings: tuple[str, ...] = ()
    drafts: DraftSettings = DraftSettings()
    no_reply_days: int = 21
    digest: DigestSettings = DigestSettings()
    delivery: DeliverySettings = DeliverySettings()

    @property
    def drafts_dir(self) -> Path:
        return self.drafts.folder or self.state_dir / "drafts"

    @property
    def digest_dir(self) -> Path:
        return self.digest.folder or self.state_dir / "digest"

    @property
    def my_addresses(self) -> frozenset[str]:
        """The user's own addresses: their mail is never a rejection to answer or a reply to
        count, even when a folder such as Gmail's All Mail holds it."""
        mine = {a.username.lower() for a in self.accounts
                if isinstance(a, ImapAccount) and "@" in a.username}
        for address in (self.drafts.your_email, self.delivery.to):  # the digest mail too
            if address:
                mine.add(address.lower())
        return frozenset(mine)

    @property
    def imap_accounts(self) -> tuple[ImapAccount, ...]:
        """The accounts with a server: the only ones with Sent and Drafts folders."""
        return tuple(a for a in self.accounts if isinstance(a, ImapAccount))

    @property
    def db_path(self) -> Path:
        return self.state_dir / "inboxcoach.sqlite3"
