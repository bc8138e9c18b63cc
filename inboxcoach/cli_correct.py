"""``inboxcoach correct``: argument parsing and output for corrections; the work is in
``corrections.py``."""

from __future__ import annotations

import argparse
from pathlib import Path

from inboxcoach import corrections
from inboxcoach.config import load_settings
from inboxcoach.errors import InputError
from inboxcoach.lock import RunLock
from inboxcoach.store.database import Store
from inboxcoach.vocab import Category, SenderKind


def add_correct_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("refs", nargs="*", metavar="REF",
                   help="message references as the digest and `applications` show them "
                        "(m4f2a7q; a longer or shorter unique prefix works too)")
    p.add_argument("--category", choices=[c.value for c in Category],
                   help="what the message is")
    p.add_argument("--not-job", action="store_true",
                   help="not about your job search (the same as --category other)")
    p.add_argument("--sender", choices=[k.value for k in SenderKind],
                   help="who sent it: a person, or a system or template (an automated mail "
                        "may still name a person to write to: --contact goes with either)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--contact", metavar='"NAME <ADDRESS>"',
                     help="the person a feedback request should go to")
    who.add_argument("--no-contact", action="store_true",
                     help="no person can be reached: no draft")
    p.add_argument("--feedback", action=argparse.BooleanOptionalAction, default=None,
                   help="whether the rejection already gave its reasons (then the draft thanks "
                        "instead of asking); --no-feedback: it gave none")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--list", action="store_true", help="list every correction")
    what.add_argument("--undo", action="store_true",
                      help="remove the corrections of the REFs: the model's tags again")
    what.add_argument("--export", type=Path, metavar="FILE",
                      help="write every correction to FILE as JSON Lines (labelled-data format)")
    what.add_argument("--import", dest="import_file", type=Path, metavar="FILE",
                      help="read corrections from a file written by --export")


def cmd_correct(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    with RunLock(settings.state_dir), Store.open(settings.db_path) as store:
        for line in _run(args, store):
            print(line)
    return 0


def _run(args: argparse.Namespace, store: Store) -> list[str]:
    if args.list:
        return corrections.list_lines(store.corrections())
    if args.export is not None:
        lines = corrections.export_lines(store)
        args.export.write_text("".join(line + "\n" for line in lines), "utf-8")
        return [f"{len(lines)} correction(s) written to {args.export}"]
    if args.import_file is not None:
        stored, here = corrections.import_file(store, args.import_file)
        return [f"{stored} correction(s) imported, {here} for mail already stored (the others "
                "hold when that mail is fetched)"]
    if not args.refs:
        raise InputError("name the messages to correct (REF ...), or use --list, --export "
                         "or --import")
    if args.undo:
        return corrections.undo(store, args.refs)
    asked = corrections.Asked(args.category, args.sender, args.contact, args.no_contact,
                              args.feedback, args.not_job)
    done = corrections.apply(store, args.refs, corrections.correction_from(asked))
    return [*done, "the next `inboxcoach run` (or `drafts`) decides their drafts again"]
