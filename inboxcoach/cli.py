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
from inboxcoach.config import Settings, load_config
from inboxcoach.errors import ExitCode, InboxcoachError
from inboxcoach.paths import default_config_path

log = logging.getLogger("inboxcoach")
Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(args.verbose, args.quiet, getattr(args, "log_file", None))
    try:
        return int(args.func(args))
    except InboxcoachError as exc:
        log.error("%s", exc)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inboxcoach",
        description="Reads your job-search mail, tells you what came back, and drafts polite "
                    "feedback requests. It never sends, moves, deletes or marks mail.",
    )
    parser.add_argument("--version", action="version", version=f"inboxcoach {__version__}")
    parser.set_defaults(func=lambda args: parser.print_help() or 0, verbose=0, quiet=False)
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


def setup_logging(verbose: int, quiet: bool, log_file: Path | None = None) -> None:
    if quiet:
        level = logging.ERROR
    elif verbose:
        level = logging.DEBUG if verbose >= 2 else logging.INFO
    else:
        level = logging.WARNING
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("inboxcoach: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # imapclient's protocol log redacts LOGIN/AUTHENTICATE; it is shown only with -vv.
    logging.getLogger("imapclient").setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)


def settings_from(args: argparse.Namespace) -> Settings:
    settings = load_config(args.config)
    for warning in settings.warnings:
        log.warning("%s", warning)
    return settings


# -- commands ----------------------------------------------------------------------------------
def cmd_fetch(args: argparse.Namespace) -> int:
    from inboxcoach.fetch import fetch_all
    from inboxcoach.progress import progress_bar
    from inboxcoach.store import Store

    settings = settings_from(args)
    with Store.open(settings.db_path) as store:
        run_id = store.start_run("fetch")
        with progress_bar("fetch", None if not args.quiet else False) as progress:
            report = fetch_all(settings, store, progress)
        code = report.exit_code
        store.finish_run(run_id, int(code), {"summary": report.summary()})
    if not args.quiet or code != ExitCode.OK:
        print(report.summary())
    return int(code)


def cmd_status(args: argparse.Namespace) -> int:
    from inboxcoach.status import status_lines
    from inboxcoach.store import Store

    settings = settings_from(args)
    with Store.open(settings.db_path) as store:
        for line in status_lines(store, show_failures=args.failures):
            print(line)
    return 0


def add_status_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--failures", action="store_true", help="list every message that could not "
                   "be read, with the reason")


def cmd_check(args: argparse.Namespace) -> int:
    from inboxcoach.check import check_account
    from inboxcoach.sources import mailbox_opener

    settings = settings_from(args)
    code = ExitCode.OK
    for account in settings.accounts:
        if args.account and account.name != args.account:
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
    return int(code)


def add_account_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--account", help="only this account (by name)")


COMMANDS: list[tuple[str, Command, str, Callable[[argparse.ArgumentParser], None] | None]] = [
    ("fetch", cmd_fetch, "store new mail from every configured account (read-only)", None),
    ("status", cmd_status, "per account and folder: messages stored, last sync, errors",
     add_status_args),
    ("check", cmd_check, "log in, list folders, show the Sent and Drafts folders; changes nothing",
     add_account_arg),
]
