"""The daily loop: fetch -> classify -> drafts -> digest -> (optional) delivery.

Each stage is the library call its own command makes. A stage that fails is recorded and the
later stages still run on what is stored (a digest is worth writing when one account is down),
and the exit code says what went wrong. ``should_stop`` is polled between batches and stages so
SIGTERM from systemd or a shutdown ends the run with everything so far committed.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inboxcoach.config import Settings
from inboxcoach.drafts import DraftReport, make_drafts
from inboxcoach.errors import ExitCode, InboxcoachError
from inboxcoach.fetch import FetchReport, Progress, fetch_all
from inboxcoach.modelfiles import installed_version
from inboxcoach.sources import mailbox_opener
from inboxcoach.store import Store

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    fetch: FetchReport | None = None
    classified: int = 0
    drafts: DraftReport | None = None
    digest: Path | None = None
    new_in_digest: int = 0
    delivered: bool = False
    problems: list[tuple[str, ExitCode]] = field(default_factory=list)
    stopped: bool = False
    seconds: float = 0.0

    def problem(self, stage: str, exc: InboxcoachError) -> None:
        log.error("%s: %s", stage, exc)
        self.problems.append((f"{stage}: {exc}", exc.exit_code))

    @property
    def exit_code(self) -> ExitCode:
        """Stopped (143), else every account unreachable (3 or 2), else a config problem in a
        later stage (2), else anything short of complete (4), else 0."""
        if self.stopped:
            return ExitCode.STOPPED
        fetched = self.fetch.exit_code if self.fetch else ExitCode.OK
        if fetched in (ExitCode.NETWORK, ExitCode.CONFIG):
            return fetched
        codes = {code for _, code in self.problems}
        if ExitCode.CONFIG in codes:
            return ExitCode.CONFIG
        if codes or fetched != ExitCode.OK:
            return ExitCode.PARTIAL
        return ExitCode.OK

    def summary(self) -> str:
        f = self.fetch
        parts = [f"{f.total('stored')} new message(s)" if f else "no fetch",
                 f"{self.classified} classified"]
        if self.drafts is not None:
            parts.append(f"{len(self.drafts.created)} draft(s) written, "
                         f"{self.drafts.appended} added to Drafts")
        if self.digest is not None:
            parts.append(f"digest {self.digest} ({self.new_in_digest} new)")
        if self.delivered:
            parts.append("digest mailed to you")
        if self.problems or (f and f.exit_code != ExitCode.OK):
            failed = len(self.problems) + (0 if not f else sum(not a.ok for a in f.accounts))
            parts.append(f"{failed} problem(s)")
        if self.stopped:
            parts.append("stopped by a signal before the end")
        return f"run: {', '.join(parts)} in {self.seconds:.1f}s (exit {int(self.exit_code)})"


def classify_pending(store: Store) -> int:
    """Tag what has no label from the installed model; scikit-learn is only imported when
    there is something to tag, so a run with nothing new stays fast."""
    if not store.unlabelled(installed_version(), 1):
        return 0
    from inboxcoach.classify import classify_store
    from inboxcoach.model import Classifier

    return classify_store(store, Classifier.load())


def run_pipeline(settings: Settings, store: Store, progress: Progress | None = None,
                 should_stop: Callable[[], bool] = lambda: False,
                 now: datetime | None = None) -> RunReport:
    started = time.monotonic()
    report = RunReport()
    report.fetch = fetch_all(settings, store, progress, should_stop)
    stages: list[tuple[str, Callable[[RunReport], None]]] = [
        ("classify", lambda r: setattr(r, "classified", classify_pending(store))),
        ("drafts", lambda r: _drafts(settings, store, r)),
        ("digest", lambda r: _digest(settings, store, r, now)),
    ]
    for name, stage in stages:
        if should_stop():
            report.stopped = True
            break
        try:
            stage(report)
        except InboxcoachError as exc:
            report.problem(name, exc)
    report.stopped = report.stopped or should_stop()
    report.seconds = time.monotonic() - started
    return report


def _drafts(settings: Settings, store: Store, report: RunReport) -> None:
    report.drafts = make_drafts(settings, store, lambda a: mailbox_opener(a, settings)())
    for draft_id, error in report.drafts.failed:
        report.problems.append((f"drafts: {draft_id}: {error}", ExitCode.PARTIAL))


def _digest(settings: Settings, store: Store, report: RunReport, now: datetime | None) -> None:
    if not settings.digest.enabled:
        return
    from inboxcoach.digest import gather
    from inboxcoach.report import render, write_digest

    now = now or datetime.now(UTC)
    replied = report.drafts.replied if report.drafts else frozenset()
    digest = gather(store, settings, now, replied)
    html = render(digest, installed_version())
    written = write_digest(html, settings.digest_dir, now, settings.digest.keep_days)
    digest_id = store.record_digest(now.isoformat(timespec="seconds"),
                                    digest.since.isoformat(timespec="seconds"),
                                    str(written.latest), digest.new_count)
    report.digest, report.new_in_digest = written.latest, digest.new_count
    if settings.delivery.enabled and _delivery_due(store, settings, now, digest.new_count):
        from inboxcoach.delivery import send_digest

        try:
            send_digest(settings.delivery, html, f"Your job search: {digest.new_count} new "
                                                 f"({now.astimezone():%a %d %b})")
        except InboxcoachError as exc:
            report.problem("delivery", exc)
            return
        store.mark_delivered(digest_id)
        report.delivered = True


def _delivery_due(store: Store, settings: Settings, now: datetime, new: int) -> bool:
    last = store.last_delivery()
    if not new:
        return False
    return last is None or now - datetime.fromisoformat(last) >= timedelta(
        hours=settings.delivery.every_hours)


@contextmanager
def stop_on_sigterm() -> Iterator[Callable[[], bool]]:
    """Turn SIGTERM into a flag the pipeline polls, so the batch in hand is committed first."""
    stop = {"asked": False}

    def handler(signum: int, frame: object) -> None:
        log.warning("SIGTERM received: stopping after the current batch")
        stop["asked"] = True

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield lambda: stop["asked"]
    finally:
        signal.signal(signal.SIGTERM, previous)
