"""Load the TOML config into validated, immutable settings.

Every error names the exact key (``accounts[1].host``) and says how to fix it, because the user
reading it is usually looking at a cron mail, not at the code.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from datetime import date, datetime
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from inboxcoach.errors import ConfigError
from inboxcoach.paths import default_state_dir, env_state_dir
from inboxcoach.settings import (
    AccountConfig,
    DeliverySettings,
    DigestSettings,
    DraftSettings,
    FetchSettings,
    ImapAccount,
    LocalAccount,
    SecretSpec,
    Settings,
)
from inboxcoach.vocab import SourceKind

log = logging.getLogger("inboxcoach")
KINDS = tuple(SourceKind)
SECURITY_PORTS = {"tls": 993, "starttls": 143}
SMTP_PORTS = {"tls": 465, "starttls": 587}
# The seven keys a secret can come from: the password itself, or a command, a variable or a file
# giving a password or an OAuth2 access token.
SECRET_KEYS = {"password": ("password", "literal")} | {
    f"{'password' if kind == 'password' else 'oauth2_token'}_{source}": (kind, source)
    for kind in ("password", "oauth2") for source in ("command", "env", "file")}


class _Table:
    """Typed reads from one TOML table, remembering which keys were used to report the rest."""

    def __init__(self, data: Any, key: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(key, "must be a table", f"write it as [{key}] or {{ ... }}")
        self.data, self.key = data, key
        self.used: set[str] = set()

    def path(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def get(self, name: str, types: type | tuple[type, ...], default: Any = None) -> Any:
        self.used.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in _as_tuple(types):
            value = object()  # TOML true is not a number here
        if not isinstance(value, types):
            wanted = " or ".join(t.__name__ for t in _as_tuple(types))
            raise ConfigError(self.path(name), f"must be {_article(wanted)}", _example(name))
        return value

    def require(self, name: str, types: type | tuple[type, ...]) -> Any:
        value = self.get(name, types)
        if value is None or value == "":
            raise ConfigError(self.path(name), "is missing", f"add {_example(name)}")
        return value

    def positive(self, name: str, default: float, integer: bool = False) -> Any:
        value = self.get(name, int if integer else (int, float), default)
        if value <= 0:
            raise ConfigError(self.path(name), "must be greater than 0", f"e.g. {name} = {default}")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            allowed = ", ".join(sorted(self.used))
            raise ConfigError(
                self.path(unknown[0]), "is not a known setting",
                f"remove it or check the spelling (known here: {allowed})",
            )


def _as_tuple(types: type | tuple[type, ...]) -> tuple[type, ...]:
    return types if isinstance(types, tuple) else (types,)


def _article(name: str) -> str:
    return f"an {name}" if name[0] in "aeiou" else f"a {name}"


_EXAMPLES = {
    "host": 'host = "imap.example.com"',
    "username": 'username = "you@example.com"',
    "name": 'name = "personal"',
    "folders": 'folders = ["INBOX"]',
    "path": 'path = "~/Mail/jobs"',
    "password_command": 'password_command = ["pass", "show", "mail"]',
    "oauth2_token_command": 'oauth2_token_command = ["oauth2-token", "you@gmail.com"]',
    "since": "since = 2026-01-01",
    "port": "port = 993",
}


def _example(name: str) -> str:
    return _EXAMPLES.get(name, f"see config.example.toml for {name}")


def load_settings(path: Path) -> Settings:
    """``load_config``, its warnings logged (a password in a file others can read)."""
    settings = load_config(path)
    for warning in settings.warnings:
        log.warning("%s", warning)
    return settings


def load_config(path: Path) -> Settings:
    """Read and validate the config file at ``path``."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "", f"config file {path} does not exist",
            "run 'inboxcoach init' to write a commented one there, or pass --config PATH",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            "", f"cannot read config file {path} ({exc})", "check its permissions"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"{path} is not valid TOML ({exc})", "fix the syntax there") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path | None = None) -> Settings:
    top = _Table(data, "")
    state = top.get("state_dir", str)
    fetch = _fetch_settings(_Table(top.get("fetch", dict, {}), "fetch"))
    drafts = _draft_settings(_Table(top.get("drafts", dict, {}), "drafts"), path)
    apps = _Table(top.get("applications", dict, {}), "applications")
    no_reply_days = apps.positive("no_reply_days", 21, integer=True)
    apps.finish()
    digest = _digest_settings(_Table(top.get("digest", dict, {}), "digest"), path)
    delivery = _delivery_settings(_Table(top.get("delivery", dict, {}), "delivery"), path, drafts)
    raw_accounts = top.get("accounts", list, [])
    top.finish()
    if not raw_accounts:
        raise ConfigError("accounts", "is missing", "add at least one [[accounts]] table")
    accounts = tuple(
        _account(_Table(a, f"accounts[{i}]"), path) for i, a in enumerate(raw_accounts)
    )
    _check_unique_names(accounts)
    state_dir = env_state_dir() or (
        _resolve(state, path) if state else default_state_dir()
    )
    warnings = tuple(_permission_warnings(accounts, path))
    return Settings(accounts, state_dir, fetch, path, warnings, drafts, no_reply_days, digest,
                    delivery)


def _digest_settings(t: _Table, config_path: Path | None) -> DigestSettings:
    d = DigestSettings()
    folder = t.get("folder", str)
    s = DigestSettings(
        enabled=t.get("enabled", bool, d.enabled),
        folder=_resolve(folder, config_path) if folder else None,
        keep_days=t.positive("keep_days", d.keep_days, integer=True),
    )
    t.finish()
    return s


def _delivery_settings(t: _Table, config_path: Path | None, drafts: DraftSettings
                       ) -> DeliverySettings:
    enabled = t.get("enabled", bool, False)
    if not enabled:
        # a prepared but disabled table is still checked for misspelt keys
        t.used.update(k for k in t.data if k in _DELIVERY_KEYS or k in SECRET_KEYS)
        t.finish()
        return DeliverySettings()
    security = t.get("security", str, "starttls")
    if security not in SMTP_PORTS:
        raise ConfigError(t.path("security"), f"is {security!r}",
                          'use "starttls" (port 587) or "tls" (port 465); plaintext SMTP is not '
                          "supported")
    port = t.get("port", int, SMTP_PORTS[security])
    if not 0 < port < 65536:
        raise ConfigError(t.path("port"), f"is {port}", "use a port between 1 and 65535")
    to = _one_address(t, t.get("to", str, drafts.your_email).strip())
    ca_file = t.get("ca_file", str)
    username = t.get("username", str)
    s = DeliverySettings(
        enabled=True, host=t.require("host", str), port=port, security=security,
        ca_file=_existing_file(t, "ca_file", ca_file, config_path) if ca_file else None,
        username=username, secret=_secret(t, config_path) if username else None, to=to,
        hour=t.get("hour", int, 7),
    )
    if not username:
        for key in SECRET_KEYS:
            if key in t.data:
                raise ConfigError(t.path(key), "is set but username is not",
                                  'add username = "you@example.com"')
    if not 0 <= s.hour <= 23:
        raise ConfigError(t.path("hour"), f"is {s.hour}", "use an hour from 0 to 23, e.g. hour = 7")
    t.finish()
    return s


def _one_address(t: _Table, value: str) -> str:
    """Exactly one plain address: the digest may only ever go to its owner."""
    if not value:
        raise ConfigError(t.path("to"), "is missing",
                          'add to = "you@example.com" (your own address: the digest goes only '
                          "there)")
    name, address = parseaddr(value)
    if (name or address != value or address.count("@") != 1
            or any(c in value for c in ",;<>\r\n\t ")):
        raise ConfigError(t.path("to"), f"is {value!r}, not one plain address",
                          'write your own address alone, e.g. to = "you@example.com"')
    return address


_DELIVERY_KEYS = {"enabled", "host", "port", "security", "ca_file", "username", "to", "hour"}


def _draft_settings(t: _Table, config_path: Path | None) -> DraftSettings:
    d = DraftSettings()
    templates = t.get("templates_dir", str)
    folder = t.get("folder", str)
    s = DraftSettings(
        enabled=t.get("enabled", bool, d.enabled),
        your_name=t.get("your_name", str, d.your_name).strip(),
        your_email=t.get("your_email", str, d.your_email).strip(),
        signature=t.get("signature", str, d.signature).strip("\n"),
        templates_dir=_resolve(templates, config_path) if templates else None,
        folder=_resolve(folder, config_path) if folder else None,
        append_to_imap=t.get("append_to_imap", bool, d.append_to_imap),
        max_age_days=t.positive("max_age_days", d.max_age_days, integer=True),
        hold_hours=float(t.get("hold_hours", (int, float), d.hold_hours)),
    )
    if s.templates_dir is not None and not s.templates_dir.is_dir():
        raise ConfigError(t.path("templates_dir"), f"names {s.templates_dir}, not a folder",
                          "point it at a folder with ask.txt.j2, ask_after_interview.txt.j2 "
                          "and thanks.txt.j2 (any of them)")
    if s.hold_hours < 0:
        raise ConfigError(t.path("hold_hours"), "must not be negative", "e.g. hold_hours = 24")
    t.finish()
    return s


def _fetch_settings(t: _Table) -> FetchSettings:
    d = FetchSettings()
    s = FetchSettings(
        batch_size=t.positive("batch_size", d.batch_size, integer=True),
        max_message_mb=float(t.positive("max_message_mb", d.max_message_mb)),
        timeout_seconds=float(t.positive("timeout_seconds", d.timeout_seconds)),
        retries=t.get("retries", int, d.retries),
        retry_backoff_seconds=float(t.get("retry_backoff_seconds", (int, float),
                                          d.retry_backoff_seconds)),
    )
    if s.retries < 0 or s.retry_backoff_seconds < 0:
        raise ConfigError("fetch.retries", "and retry_backoff_seconds must not be negative",
                          "use 0 to turn retries off")
    t.finish()
    return s


def _account(t: _Table, config_path: Path | None) -> AccountConfig:
    kind = t.get("kind", str, SourceKind.IMAP)
    if kind not in KINDS:
        raise ConfigError(t.path("kind"), f"is {kind!r}", f"use one of {', '.join(KINDS)}")
    name = t.get("name", str) or t.key
    account = (_imap_account(t, name, config_path) if kind == SourceKind.IMAP
               else _local_account(t, name, SourceKind(kind), config_path))
    t.finish()
    return account


def _imap_account(t: _Table, name: str, config_path: Path | None) -> ImapAccount:
    security = t.get("security", str, "tls")
    if security not in SECURITY_PORTS:
        raise ConfigError(
            t.path("security"), f"is {security!r}",
            'use "tls" (port 993) or "starttls" (port 143); plaintext IMAP is not supported',
        )
    port = t.get("port", int, SECURITY_PORTS[security])
    if not 0 < port < 65536:
        raise ConfigError(t.path("port"), f"is {port}", "use a port between 1 and 65535")
    ca_file = t.get("ca_file", str)
    folders = _folders(t)
    return ImapAccount(
        name=name, key=t.key, host=t.require("host", str), username=t.require("username", str),
        secret=_secret(t, config_path), port=port, security=security,
        ca_file=_existing_file(t, "ca_file", ca_file, config_path) if ca_file else None,
        folders=folders, sent_folder=t.get("sent_folder", str),
        drafts_folder=t.get("drafts_folder", str), since=_since(t),
    )


def _local_account(t: _Table, name: str, kind: SourceKind, config_path: Path | None
                   ) -> LocalAccount:
    """A path that is not there is not a config error: the disk may be unmounted today. The
    fetch reports that account and goes on with the others (``errors.SourceMissing``)."""
    path = _resolve(t.require("path", str), config_path)
    return LocalAccount(name, t.key, kind, path, (path.name or str(path),))


def _folders(t: _Table) -> tuple[str, ...]:
    folders = t.get("folders", list, ["INBOX"])
    if not folders or not all(isinstance(f, str) and f.strip() for f in folders):
        raise ConfigError(t.path("folders"), "must be a non-empty list of folder names",
                          'e.g. folders = ["INBOX", "[Gmail]/All Mail"]')
    return tuple(dict.fromkeys(folders))


def _since(t: _Table) -> date | None:
    since = t.get("since", (date, str))
    if isinstance(since, datetime):
        return since.date()
    if isinstance(since, str):
        try:
            return date.fromisoformat(since)
        except ValueError:
            raise ConfigError(
                t.path("since"), f"is {since!r}", "write a date: since = 2026-01-01"
            ) from None
    return since


def _secret(t: _Table, config_path: Path | None) -> SecretSpec:
    given = [k for k in SECRET_KEYS if k in t.data]
    for k in SECRET_KEYS:
        t.used.add(k)
    if len(given) != 1:
        problem = "has no password or token" if not given else f"has {' and '.join(given)}"
        raise ConfigError(
            t.key, problem,
            "set exactly one of password_command, password_env, password_file, password, "
            "oauth2_token_command, oauth2_token_env, oauth2_token_file",
        )
    key = given[0]
    kind, source = SECRET_KEYS[key]
    value = t.data[key]
    if source == "command":
        if not (isinstance(value, list) and value and all(isinstance(v, str) for v in value)):
            raise ConfigError(t.path(key), "must be a list of strings (run without a shell)",
                              f"e.g. {_example(key)}")
        value = tuple(value)
    elif not isinstance(value, str) or not value:
        raise ConfigError(t.path(key), "must be a non-empty string", "see config.example.toml")
    elif source == "file":
        value = str(_resolve(value, config_path))
    return SecretSpec(kind, source, value, t.path(key))


def _resolve(value: str, config_path: Path | None) -> Path:
    path = Path(value).expanduser()
    if not path.is_absolute() and config_path is not None:
        path = config_path.parent / path
    return path


def _existing_file(t: _Table, name: str, value: str, config_path: Path | None) -> Path:
    path = _resolve(value, config_path)
    if not path.is_file():
        raise ConfigError(t.path(name), f"names {path}, which is not a file",
                          "give the path of the CA certificate (PEM) that signed the server's")
    return path


def _check_unique_names(accounts: tuple[AccountConfig, ...]) -> None:
    seen: dict[str, str] = {}
    for a in accounts:
        if a.name in seen:
            raise ConfigError(f"{a.key}.name", f"repeats {a.name!r} from {seen[a.name]}",
                              "give every account its own name")
        seen[a.name] = a.key


def _permission_warnings(accounts: tuple[AccountConfig, ...], path: Path | None) -> list[str]:
    literal = [a.secret.key for a in accounts
               if isinstance(a, ImapAccount) and a.secret.source == "literal"]
    if not literal or path is None:
        return []
    mode = os.stat(path).st_mode
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return [
            f"{path} holds a password ({literal[0]}) and is readable by other users: "
            f"run chmod 600 {path}, or use password_command / password_env instead"
        ]
    return []

