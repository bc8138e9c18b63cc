"""``inboxcoach status``: what the store holds per account and folder, and what went wrong."""

from __future__ import annotations

from inboxcoach.errors import ExitCode
from inboxcoach.store.database import Store

EXIT_MEANINGS = {ExitCode.OK: "everything done", ExitCode.INTERNAL: "a bug: see the log",
                 ExitCode.CONFIG: "configuration or input", ExitCode.NETWORK: "server or network",
                 ExitCode.PARTIAL: "partial: some parts failed", ExitCode.BUSY: "another run "
                 "held the lock", ExitCode.STOPPED: "stopped by SIGTERM"}


def _meaning(code: int | None) -> str:
    known = {int(k): v for k, v in EXIT_MEANINGS.items()}
    return known.get(code, "see the README") if code is not None else "see the README"


def status_lines(store: Store, show_failures: bool = False) -> list[str]:
    rows = store.folder_statuses()
    lines = [f"state file: {store.path}", f"messages stored: {store.message_count()}"]
    for command in ("run", "fetch"):  # cron runs `run`; `fetch` is the manual one
        last = store.last_run(command)
        if last:
            lines.append(f"last {command}: {last.started_at}" + (
                f", exit code {last.exit_code} ({_meaning(last.exit_code)})" if last.finished_at
                else ", did not finish (stopped or crashed; the next run goes on)"))
    labels = store.label_counts()
    if labels:
        lines.append("tagged: " + ", ".join(f"{k} {v}" for k, v in sorted(labels.items())))
    if not rows:
        lines.append("no folder synced yet: run 'inboxcoach fetch'")
    for r in rows:
        sync = r.last_sync or "never"
        line = f"{r.account} / {r.folder}: {r.messages} message(s), last sync {sync}"
        if r.failures:
            line += f", {r.failures} unreadable"
        if r.last_error:
            line += f"\n    error at {r.last_error_at}: {r.last_error}"
        lines.append(line)
    if show_failures:
        lines.extend(f"unreadable: {f.account} / {f.folder} / {f.ref}: {f.reason} "
                     f"({f.recorded_at})" for f in store.failures())
    return lines
