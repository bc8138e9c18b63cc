"""The daily loop: fetch -> classify -> drafts -> digest -> (optional) delivery.

Each stage is the library call its own command makes. A stage that fails is recorded and the
later stages still run on what is stored (a digest is worth writing when one account is down),
and the exit code says what went wrong. ``should_stop`` is polled between batches and stages so
SIGTERM from systemd or a shutdown ends the run with everything so far committed.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from inboxcoach import __version__
from inboxcoach.classify.applications import me_of
from inboxcoach.classify.model_files import installed_version
from inboxcoach.drafts.stage import DraftReport, make_drafts
from inboxcoach.errors import ExitCode, InboxcoachError
from inboxcoach.fetch.open import imap_opener
from inboxcoach.fetch.stage import FetchReport, Progress, fetch_all
from inboxcoach.settings import Settings
from inboxcoach.store.database import Store

log = logging.getLogger(__name__)


@dataclass
class RunReport:
    """What one run did, stage by stage, and the exit code that sums it up."""

    fetch: FetchReport | None = None
    classified: int = 0
    drafts: DraftReport | None = None
    digest: Path | None = None
    new_in_digest: int = 0
    delivered: bool = False
    problems: list[tuple[str, ExitCode]] = field(default_factory=list)
    stopped: bool = False  # a signal stopped it before the last stage
    seconds: float = 0.0

    def problem(self, stage: str, exc: InboxcoachError) -> None:
        log.error("%s: %s", stage, exc)
        self.problems.append((f"{stage}: {exc}", exc.exit_code))

    @property
    def exit_code(self) -> ExitCode:
        """Stopped (143), else every account failed (3, 2 or 1), else a bug (1) or a config
        problem (2) in a later stage, else anything short of complete (4), else 0."""
        if self.stopped:
            return ExitCode.STOPPED
        fetched = self.fetch.exit_code if self.fetch else ExitCode.OK
        if fetched in (ExitCode.NETWORK, ExitCode.CONFIG, ExitCode.INTERNAL):
            return fetched
        codes = {code for _, code in self.problems}
        for worst in (ExitCode.INTERNAL, ExitCode.CONFIG):
            if worst in codes:
                return worst
        if codes or fetched != ExitCode.OK:
            return ExitCode.PARTIAL
        return ExitCode.OK

    def summary(self) -> str:
        f = self.fetch
        parts = [f"{f.total('stored')} new message(s)" if f else "no fetch",
                 f"{self.classified} classified"]
        if self.drafts is not None and self.drafts.enabled:
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


def classify_pending(store: Store, settings: Settings) -> int:
    """Tag what has no label from the installed model; scikit-learn is only imported when
    there is something to tag, so a run with nothing new stays fast."""
    if not store.needs_labels(installed_version()):
        return 0
    from inboxcoach.classify.model import Classifier
    from inboxcoach.classify.stage import classify_store

    return classify_store(store, Classifier.load(), me_of(settings))


def run_pipeline(settings: Settings, store: Store, progress: Progress | None = None,
                 should_stop: Callable[[], bool] = lambda: False,
                 now: datetime | None = None) -> RunReport:
    """Every stage once. A failing stage is recorded and the next one runs: a digest written
    from what is stored is worth more than none. An unexpected error is a bug (exit 1), logged
    with its traceback, and still does not stop the later stages."""
    started = time.monotonic()
    report = RunReport()
    stages: list[tuple[str, Callable[[], None]]] = [
        ("fetch", lambda: setattr(report, "fetch", fetch_all(settings, store, progress,
                                                             should_stop))),
        ("classify", lambda: setattr(report, "classified", classify_pending(store, settings))),
        ("drafts", lambda: _drafts_stage(settings, store, report)),
        ("digest", lambda: _digest_stage(settings, store, report, now)),
    ]
    for name, stage in stages:
        if should_stop():
            report.stopped = True
            break
        log.info("stage: %s", name)
        try:
            stage()
        except InboxcoachError as exc:
            report.problem(name, exc)
        except Exception as exc:  # a bug in one stage must not lose the others
            log.exception("%s: unexpected error", name)
            report.problems.append((f"{name}: unexpected error: {exc!r}", ExitCode.INTERNAL))
    report.seconds = time.monotonic() - started
    return report


def _drafts_stage(settings: Settings, store: Store, report: RunReport) -> None:
    report.drafts = make_drafts(settings, store, lambda a: imap_opener(a, settings)())
    for draft_id, error in report.drafts.failed:
        report.problems.append((f"drafts: {draft_id}: {error}", ExitCode.PARTIAL))


def _digest_stage(settings: Settings, store: Store, report: RunReport,
                  now: datetime | None) -> None:
    replied = report.drafts.replied if report.drafts else None
    written = write_digest_now(settings, store, now, replied)
    if written is None:
        return
    report.digest, report.new_in_digest = written.path, written.new
    if settings.delivery.enabled and delivery_due(store, settings, written.now, written.new):
        from inboxcoach.digest.deliver import send_digest

        try:
            html = written.path.read_text("utf-8")  # read here: only a delivery needs it
            send_digest(settings.delivery, html, f"Your job search: {written.new} new "
                                                 f"({written.now.astimezone():%a %d %b})")
        except InboxcoachError as exc:
            report.problem("delivery", exc)
            return
        store.mark_delivered(written.digest_id)
        report.delivered = True


@dataclass(frozen=True)
class WrittenDigest:
    path: Path
    new: int
    digest_id: int
    now: datetime
    kept: bool = False  # nothing had changed: the last digest stands, not rewritten


def write_digest_now(settings: Settings, store: Store, now: datetime | None = None,
                     replied: frozenset[str] | None = None) -> WrittenDigest | None:
    """Gather, render and write the digest, and record it; None when digests are off."""
    if not settings.digest.enabled:
        return None
    from inboxcoach.digest.gather import gather
    from inboxcoach.digest.render import render, write_digest

    now = now or datetime.now(UTC)
    if replied is None:  # the drafts stage did not run: what the stored mail shows
        replied = frozenset(store.replies_from(set(settings.my_addresses)))
    version = model_version()
    fingerprint = "|".join(map(str, (store.fingerprint(), len(replied), version, __version__,
                                     now.astimezone().date(), settings.digest_dir)))
    unchanged = _unchanged_digest(store, fingerprint, now)
    if unchanged is not None:
        return unchanged
    digest = gather(store, settings, now, replied)
    html = render(digest, version)
    written = write_digest(html, settings.digest_dir, now, settings.digest.keep_days)
    digest_id = store.record_digest(now, digest.since, str(written.latest), digest.new_count,
                                    fingerprint)
    return WrittenDigest(written.latest, digest.new_count, digest_id, now)


def _unchanged_digest(store: Store, fingerprint: str, now: datetime) -> WrittenDigest | None:
    """The last digest, when nothing it shows has changed since (same day, same mail, tags,
    drafts and deliveries): an hourly run with no news does not rebuild it."""
    last = store.last_digest()
    if last is None or last.fingerprint != fingerprint:
        return None
    if not Path(last.path).is_file():  # deleted or moved by the user: write it again
        return None
    return WrittenDigest(Path(last.path), last.new_messages, last.id, now, kept=True)


def model_version() -> str | None:
    """For the digest's footer; a missing model is reported by the classify stage, not here."""
    try:
        return installed_version()
    except InboxcoachError:
        return None


def delivery_due(store: Store, settings: Settings, now: datetime, new_messages: int) -> bool:
    """Once a day, on the first run from ``delivery.hour`` (local time), and only with news;
    a day with none sends nothing and the next mail covers both days."""
    if not new_messages:
        return False
    local = now.astimezone()
    if local.hour < settings.delivery.hour:
        return False
    last = store.last_delivery()
    return last is None or datetime.fromisoformat(last).astimezone().date() < local.date()


@contextmanager
def stop_on_sigterm() -> Iterator[Callable[[], bool]]:
    """Turn SIGTERM into a flag the pipeline polls, so the batch in hand is committed first."""
    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        log.warning("SIGTERM received: stopping after the current batch")
        stop.set()

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield stop.is_set
    finally:
        signal.signal(signal.SIGTERM, previous)
