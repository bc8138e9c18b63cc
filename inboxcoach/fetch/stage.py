"""The fetch stage: new mail from every configured source into the store, incrementally.

Per folder: open it read-only, resume from the committed checkpoint, skip references already
stored, then fetch, parse and commit in batches. A connection that drops is reopened with
backoff a bounded number of times and resumes from the last committed batch. One bad message,
folder or account never stops the others; each failure is recorded and reflected in the exit code.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, TypeVar

from inboxcoach.errors import ConfigError, ExitCode, FolderNotFound, MailboxError
from inboxcoach.fetch.open import Opener, mailbox_opener
from inboxcoach.fetch.parse import BatchParser
from inboxcoach.fetch.protocol import Mailbox
from inboxcoach.progress import NoProgress
from inboxcoach.records import Email, RawMessage
from inboxcoach.rows import Failure
from inboxcoach.settings import AccountConfig, FetchSettings, ImapAccount, Settings
from inboxcoach.store.database import Store

log = logging.getLogger(__name__)
T = TypeVar("T")


class Progress(Protocol):
    def grow(self, n: int) -> None: ...

    def advance(self, n: int) -> None: ...


@dataclass
class FolderReport:
    account: str
    folder: str
    stored: int = 0
    duplicates: int = 0
    failed: int = 0
    error: str | None = None


@dataclass
class AccountReport:
    account: str
    folders: list[FolderReport] = field(default_factory=list)
    error: str | None = None
    error_code: ExitCode | None = None
    reconnects: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and all(f.error is None for f in self.folders)


@dataclass
class FetchReport:
    accounts: list[AccountReport]
    seconds: float = 0.0

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for a in self.accounts for f in a.folders)

    @property
    def exit_code(self) -> ExitCode:
        failed = [a for a in self.accounts if a.error is not None]
        if failed and len(failed) == len(self.accounts):
            codes = {a.error_code for a in failed}
            for worst in (ExitCode.CONFIG, ExitCode.INTERNAL):
                if worst in codes:
                    return worst
            return ExitCode.NETWORK
        if failed or any(not a.ok for a in self.accounts) or self.total("failed"):
            return ExitCode.PARTIAL
        return ExitCode.OK

    def summary(self) -> str:
        folders = sum(len(a.folders) for a in self.accounts)
        parts = [
            f"fetch: {len(self.accounts)} account(s), {folders} folder(s)",
            f"{self.total('stored')} new",
            f"{self.total('duplicates')} already stored",
            f"{self.total('failed')} unreadable",
        ]
        errors = [a for a in self.accounts if not a.ok]
        if errors:
            parts.append(f"{len(errors)} account(s) with errors")
        return ", ".join(parts) + f" in {self.seconds:.1f}s"


def fetch_all(
    settings: Settings, store: Store, progress: Progress | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> FetchReport:
    started = time.monotonic()
    reports = []
    with BatchParser() as parser:
        for account in settings.accounts:
            if should_stop():
                break
            try:
                opener = mailbox_opener(account, settings)
            except ConfigError as exc:
                log.error("%s: %s", account.name, exc)
                reports.append(AccountReport(account.name, error=str(exc),
                                             error_code=exc.exit_code))
                continue
            try:
                reports.append(fetch_account(account, opener, store, settings.fetch,
                                             progress or NoProgress(), should_stop,
                                             parser=parser))
            except Exception as exc:  # a bug or an odd source: the other accounts still go
                log.exception("%s: unexpected error", account.name)
                reports.append(AccountReport(account.name, error=f"unexpected error: {exc!r}",
                                             error_code=ExitCode.INTERNAL))
    return FetchReport(reports, time.monotonic() - started)


def fetch_account(
    account: AccountConfig, opener: Opener, store: Store, opts: FetchSettings,
    progress: Progress, should_stop: Callable[[], bool] = lambda: False,
    sleep: Callable[[float], None] = time.sleep, parser: BatchParser | None = None,
) -> AccountReport:
    folders = {f: FolderReport(account.name, f) for f in account.folders}
    report = AccountReport(account.name, list(folders.values()))
    done: set[str] = set()
    while True:
        try:
            with opener() as mailbox:
                for folder in account.folders:
                    if folder in done or should_stop():
                        continue
                    _sync_or_record(mailbox, store, account, folders[folder], opts, progress,
                                    should_stop, parser or BatchParser(workers=1))
                    done.add(folder)
            return report
        except MailboxError as exc:
            if not exc.transient or report.reconnects >= opts.retries:
                log.error("%s: %s", account.name, exc)
                report.error, report.error_code = str(exc), exc.exit_code
                for folder in set(account.folders) - done:
                    store.record_error(account.name, folder, str(exc))
                return report
            report.reconnects += 1
            delay = opts.retry_backoff_seconds * 2 ** (report.reconnects - 1)
            log.warning("%s: %s; retrying in %.1fs (%d/%d)", account.name, exc, delay,
                        report.reconnects, opts.retries)
            sleep(delay)


def _sync_or_record(
    mailbox: Mailbox, store: Store, account: AccountConfig, report: FolderReport,
    opts: FetchSettings, progress: Progress, should_stop: Callable[[], bool],
    parser: BatchParser,
) -> None:
    """Sync one folder; a missing folder is recorded against it and the others go on."""
    try:
        since = account.since if isinstance(account, ImapAccount) else None
        sync_folder(mailbox, store, report, since, opts, progress, should_stop, parser)
    except FolderNotFound as exc:
        log.error("%s/%s: %s", account.name, report.folder, exc)
        store.record_error(account.name, report.folder, str(exc))
        report.error = str(exc)


def sync_folder(
    mailbox: Mailbox, store: Store, report: FolderReport, since: date | None,
    opts: FetchSettings, progress: Progress, should_stop: Callable[[], bool] = lambda: False,
    parser: BatchParser | None = None,
) -> FolderReport:
    """Bring one folder up to date, adding what was done to ``report`` (kept across retries)."""
    account, folder = report.account, report.folder
    state = mailbox.select(folder)
    checkpoint = store.start_folder(account, folder, state.uidvalidity)
    candidates = mailbox.list_new(checkpoint.last_uid, since)
    known = store.known_refs(account, folder, state.uidvalidity, (r.ref for r in candidates))
    todo = [r for r in candidates if r.ref not in known]
    progress.grow(len(todo))
    parser = parser or BatchParser(workers=1)
    for batch in chunked(todo, opts.batch_size):
        parsed, failures = split_results(parser.parse(mailbox.fetch(batch, opts.max_message_bytes)))
        result = store.commit_batch(account, folder, state.uidvalidity, parsed, failures,
                                    last_uid=max(r.uid for r in batch))
        report.stored += result.stored
        report.duplicates += result.duplicates
        report.failed += result.failed
        progress.advance(len(batch))
        if should_stop():
            return report
    store.mark_synced(account, folder)
    return report


def split_results(
    results: Iterable[tuple[RawMessage, Email | str]],
) -> tuple[list[tuple[RawMessage, Email]], list[Failure]]:
    parsed, failures = [], []
    for raw, result in results:
        if isinstance(result, str):
            log.warning("%s/%s %s: unreadable, recorded: %s", raw.account, raw.folder,
                        raw.ref.ref, result)
            failures.append(Failure(raw, result))
        else:
            parsed.append((raw, result))
    return parsed, failures


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

