"""The ``inboxcoach`` command line: parse arguments, call the library, map errors to exit codes.

Each command is a few lines of wiring; the work lives in the stage modules.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from inboxcoach import __version__
from inboxcoach.cli_correct import add_correct_args, cmd_correct
from inboxcoach.cli_model import (
    add_classify_args,
    add_evaluate_args,
    add_train_args,
    cmd_classify,
    cmd_evaluate,
    cmd_train,
)
from inboxcoach.config import Settings, load_settings
from inboxcoach.errors import Busy, ExitCode, InboxcoachError, InputError
from inboxcoach.logs import setup_logging
from inboxcoach.paths import default_config_path

log = logging.getLogger("inboxcoach")
Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, args.quiet, getattr(args, "log_file", None))
    try:
        return int(args.func(args))
    except Busy as exc:  # routine under cron: into the log file, onto a terminal, not into mail
        log.log(logging.ERROR if sys.stderr.isatty() else logging.INFO, "%s", exc)
        return int(exc.exit_code)
    except InboxcoachError as exc:
        log.error("%s", exc)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


def _print_help(parser: argparse.ArgumentParser) -> int:
    """``inboxcoach`` with no command: the list of commands, and success."""
    parser.print_help()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inboxcoach",
        description="Reads your job-search mail, tells you what came back, and drafts polite "
                    "feedback requests. It never sends, moves, deletes or marks mail.",
    )
    parser.add_argument("--version", action="version", version=f"inboxcoach {__version__}")
    parser.set_defaults(func=lambda args: _print_help(parser), verbose=0, quiet=False)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name, func, help_text, extra in COMMANDS:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--config", type=Path, help="config file (default: %(default)s)",
                       default=default_config_path())
        p.add_argument("-v", "--verbose", action="count", default=0,
                       help="more detail on stderr; -vv adds IMAP protocol lines (credentials "
                            "redacted)")
        p.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
        if extra:
            extra(p)
        p.set_defaults(func=func)
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(args.config)


# -- commands ----------------------------------------------------------------------------------
def cmd_fetch(args: argparse.Namespace) -> int:
    from inboxcoach.fetch.stage import fetch_all
    from inboxcoach.lock import RunLock
    from inboxcoach.progress import progress_bar
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    with RunLock(settings.state_dir), Store.open(settings.db_path) as store:
        run_id = store.start_run("fetch")
        with progress_bar("fetch", None if not args.quiet else False) as progress:
            report = fetch_all(settings, store, progress)
        code = report.exit_code
        summary = report.summary()
        try:
            from inboxcoach.run import classify_pending

            summary += f", {classify_pending(store, settings)} classified"
        except InboxcoachError as exc:  # the mail is safely stored; say why it is untagged
            log.error("classification skipped: %s", exc)
            code = max(code, exc.exit_code)
        store.finish_run(run_id, int(code), {"summary": summary})
    if not args.quiet or code != ExitCode.OK:
        print(summary)
    return int(code)


def cmd_status(args: argparse.Namespace) -> int:
    from inboxcoach.status import status_lines
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    with Store.open(settings.db_path) as store:
        for line in status_lines(store, show_failures=args.failures):
            print(line)
    return 0


def add_status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--failures", action="store_true", help="list every message that could not "
                   "be read, with the reason")


def cmd_check(args: argparse.Namespace) -> int:
    return int(check_accounts(settings_from(args), args.account))


def check_accounts(settings: Settings, only: str | None = None) -> ExitCode:
    """Log in to every account (or ``only`` one) and print what ``check`` reports."""
    from inboxcoach.check import check_account
    from inboxcoach.fetch.open import mailbox_opener

    code = ExitCode.OK
    for account in settings.accounts:
        if only and account.name != only:
            continue
        try:
            result = check_account(account, mailbox_opener(account, settings))
        except InboxcoachError as exc:
            print(f"{account.name}: error: {exc}")
            code = max(code, exc.exit_code)
            continue
        print("\n".join(result.lines()))
        if not result.ok:
            code = max(code, ExitCode.PARTIAL)
    return code


def add_account_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", help="only this account (by name)")


def cmd_drafts(args: argparse.Namespace) -> int:
    from inboxcoach.drafts.stage import make_drafts
    from inboxcoach.fetch.open import imap_opener
    from inboxcoach.lock import RunLock
    from inboxcoach.records import message_ref
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    with RunLock(settings.state_dir), Store.open(settings.db_path) as store:
        if not args.list:
            report = make_drafts(settings, store, lambda a: imap_opener(a, settings)(),
                                 dry_run=args.dry_run)
            if args.dry_run:
                for d in report.created:
                    print(f"would write: to {d.to} | {d.subject} | {d.variant}\n"
                          + "\n".join("    " + line for line in d.body.splitlines()))
                for subject, reason in report.skipped:
                    print(f"would skip: {subject} | {reason}")
            else:
                print(report.summary())
        for row in store.draft_rows():
            where = row.imap_folder or "not in Drafts yet"
            late = "" if row.due else ", no longer due"
            print(f"draft  {message_ref(row.message_key)}  {row.created_at:%Y-%m-%d}  to "
                  f"{row.to_addr}  {row.subject}  "
                  f"[{row.variant}, {row.state}, {where}{late}]  {row.eml_path or ''}")
        for s in store.skip_rows():
            day = f"{s.rejection_date:%Y-%m-%d}" if s.rejection_date else ""
            print(f"skip   {message_ref(s.message_key)}  {day}  {s.from_addr}  {s.subject}  "
                  f"[{s.note}]")
    return 0 if args.dry_run or args.list or not report.failed else int(ExitCode.PARTIAL)


def add_drafts_args(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--dry-run", action="store_true",
                       help="show the drafts that would be written and the skips; change nothing")
    group.add_argument("--list", action="store_true", help="only list drafts and skips")


def cmd_applications(args: argparse.Namespace) -> int:
    import json

    import pandas as pd

    from inboxcoach.classify.applications import stored_applications
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    with Store.open(settings.db_path) as store:
        apps = stored_applications(store, settings)
    rows = [a.as_dict() for a in apps]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    table = pd.DataFrame(rows, columns=["company", "role", "status", "no_reply_yet", "messages",
                                        "first_seen", "last_activity", "latest"])
    for column in ("first_seen", "last_activity"):
        table[column] = table[column].str[:10]
    if args.csv:
        print(table.to_csv(index=False), end="")
    elif table.empty:
        print("no applications yet: run 'inboxcoach fetch'")
    else:
        table["no_reply_yet"] = table["no_reply_yet"].map({True: "no reply yet", False: ""})
        print(table.fillna("?").to_string(index=False))
    return 0


def add_applications_args(p: argparse.ArgumentParser) -> None:
    group = p.add_mutually_exclusive_group()
    group.add_argument("--json", action="store_true", help="with each status timeline")
    group.add_argument("--csv", action="store_true", help="for a spreadsheet")


def cmd_run(args: argparse.Namespace) -> int:
    from inboxcoach.lock import RunLock
    from inboxcoach.progress import progress_bar
    from inboxcoach.run import run_pipeline, stop_on_sigterm
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    with RunLock(settings.state_dir), stop_on_sigterm() as should_stop, \
            Store.open(settings.db_path) as store:
        run_id = store.start_run("run")
        show = sys.stderr.isatty() and not args.quiet
        with progress_bar("fetch", None if show else False) as progress:
            report = run_pipeline(settings, store, progress, should_stop)
        store.finish_run(run_id, int(report.exit_code), {"summary": report.summary()})
    _say(report.summary(), report.exit_code, args)
    return int(report.exit_code)


def _say(summary: str, code: int, args: argparse.Namespace) -> None:
    """Quiet on success under cron (no terminal) unless -v; always a line when it failed."""
    log.info("%s", summary)
    if code != ExitCode.OK:
        print(summary, file=sys.stderr)
    elif args.verbose or (sys.stdout.isatty() and not args.quiet):
        print(summary)


def add_run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-file", type=Path, metavar="PATH",
                   help="append a timestamped record of every run here (owner-only file)")


def cmd_digest(args: argparse.Namespace) -> int:
    from inboxcoach.lock import RunLock
    from inboxcoach.run import write_digest_now
    from inboxcoach.store.database import Store

    settings = settings_from(args)
    if not settings.digest.enabled:
        print("the digest is off ([digest] enabled = false): nothing written")
        return 0
    with RunLock(settings.state_dir), Store.open(settings.db_path) as store:
        written = write_digest_now(settings, store)
    assert written is not None
    if written.kept:
        print(f"nothing changed since the last digest; it stands: {written.path} "
              f"({written.new} new)")
    else:
        print(f"digest written: {written.path} ({written.new} new)")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    from inboxcoach.paths import atomic_write, example_config

    path: Path = args.config
    if path.exists():
        raise InputError(f"{path} exists already; edit it, or give another --config PATH")
    atomic_write(path, example_config().encode("utf-8"), mode=0o600)
    print(f"wrote {path} (readable by you only). Edit it: your server, user name and where the "
          f"password comes from, and [drafts] your_name and your_email. Then: inboxcoach "
          f"check{'' if path == default_config_path() else f' --config {path}'}")
    return 0


def cmd_schedule(args: argparse.Namespace) -> int:
    from inboxcoach.schedule import instructions

    settings = settings_from(args)  # fail here, not at 3 a.m., if the config is wrong
    code = check_accounts(settings)  # ... or if an account cannot be reached
    if code != ExitCode.OK:
        print(f"inboxcoach schedule: fix what 'inboxcoach check --config {args.config}' reports "
              "above, then run schedule again; nothing was scheduled", file=sys.stderr)
        return int(code)
    log_file = args.scheduled_log or settings.state_dir / "run.log"
    print(instructions(args.config, log_file))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from inboxcoach.demo import run_demo

    result = run_demo(args.dir)
    report, folder = result.report, result.folder
    drafts = sorted(result.settings.drafts_dir.glob("*.eml"))
    stored = report.fetch.total("stored") if report.fetch else 0
    print(f"inboxcoach demo: the sample mailbox ({stored} messages) went through the whole "
          f"pipeline in {folder}\n"
          f"  digest:  {report.digest}\n"
          f"  drafts:  {len(drafts)} feedback-request drafts in {result.settings.drafts_dir}\n"
          f"  config:  {folder / 'config.toml'} (run 'inboxcoach run --config' on it again)\n"
          + (f"Open the digest in a browser: {report.digest.as_uri()}" if report.digest
             else "No digest was written: see the errors above."))
    return int(report.exit_code)


def add_demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", type=Path, help="where to build it (default: a new temporary "
                   "folder); an earlier demo folder is rebuilt")


def add_schedule_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-file", type=Path, metavar="PATH", dest="scheduled_log",
                   help="log file for the scheduled runs (default: <state_dir>/run.log)")


COMMANDS: list[tuple[str, Command, str, Callable[[argparse.ArgumentParser], None] | None]] = [
    ("run", cmd_run, "everything, for cron: fetch, classify, draft, write the digest (one run "
     "at a time)", add_run_args),
    ("demo", cmd_demo, "the whole pipeline on a bundled sample mailbox: no config, no network",
     add_demo_args),
    ("init", cmd_init, "write a commented config to edit (to --config, by default the usual "
     "place; never over an existing file)", None),
    ("schedule", cmd_schedule, "print a crontab line and a systemd user timer for 'run'",
     add_schedule_args),
    ("digest", cmd_digest, "write the HTML digest from what is stored (no fetching)", None),
    ("fetch", cmd_fetch, "store new mail from every configured account (read-only)", None),
    ("status", cmd_status, "per account and folder: messages stored, last sync, errors",
     add_status_args),
    ("check", cmd_check, "log in, list folders, show the Sent and Drafts folders; changes nothing",
     add_account_arg),
    ("classify", cmd_classify, "tag messages in files, a Maildir, an mbox or stdin",
     add_classify_args),
    ("evaluate", cmd_evaluate, "score the model on labelled emails, next to a keyword baseline",
     add_evaluate_args),
    ("applications", cmd_applications, "every application with its status; the ones with no "
     "reply for [applications] no_reply_days", add_applications_args),
    ("drafts", cmd_drafts, "write feedback-request drafts for rejections a person sent (never "
     "sends); list them and why other rejections got none", add_drafts_args),
    ("correct", cmd_correct, "fix a message's tags (category, sender, contact, feedback): it "
     "holds at once and survives new models", add_correct_args),
    ("train", cmd_train, "build the corpus from seeds and train the model (source checkout)",
     add_train_args),
]
