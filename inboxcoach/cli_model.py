"""The commands about the model itself: ``classify`` (tag files), ``evaluate`` (score it on
labelled or ordinary mail) and ``train`` (a source checkout's seeds to a new model).

They need no config and no state: they read files and the model, so they live apart from the
commands that run the pipeline on a user's mailbox. Only these import ``inboxcoach.train``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from inboxcoach.errors import ExitCode, InputError

log = logging.getLogger("inboxcoach")


def cmd_classify(args: argparse.Namespace) -> int:
    import json

    from inboxcoach.classify.model import Classifier
    from inboxcoach.classify.stage import classify_raws, not_mail, read_paths, source_name
    from inboxcoach.fetch.parse import BatchParser
    from inboxcoach.fetch.stage import chunked
    from inboxcoach.settings import FetchSettings

    raws, rejected = not_mail(list(read_paths(args.paths, FetchSettings().max_message_bytes)))
    for raw, reason in rejected:
        print(json.dumps({"source": source_name(raw), "error": "not an email", "reason": reason})
              if args.json else f"not an email ({reason})  [{source_name(raw)}]")
    if not raws:
        raise InputError("nothing to tag: no input is an email")
    classifier = Classifier.load(args.model)
    failed_any = False
    with BatchParser() as parser:
        for batch in chunked(raws, 500):
            done, failed = classify_raws(classifier, batch, parser)
            for item in done:
                row = item.as_json()
                print(json.dumps(row, ensure_ascii=False) if args.json else _classified_line(row))
            for raw, reason in failed:
                failed_any = True
                log.warning("%s/%s: unreadable: %s", raw.folder, raw.ref.ref, reason)
    if rejected:  # the user named something that is not mail: a usage mistake
        return int(ExitCode.CONFIG)
    return int(ExitCode.PARTIAL if failed_any else ExitCode.OK)


def _classified_line(row: dict) -> str:
    unsure = " (unsure)" if row["category_unsure"] else ""
    kind = f"{row['sender_kind']}{' (unsure)' if row['sender_unsure'] else ''}"
    return (f"{row['category']:<15} {row['category_confidence']:.2f}{unsure:<9} {kind:<19} "
            f"{(row['subject'] or '(no subject)')[:60]}  [{row['source']}]")


def add_classify_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=".eml file, Maildir, mbox, a folder of .eml files, or - for stdin")
    p.add_argument("--json", action="store_true", help="one JSON object per message")
    p.add_argument("--model", type=Path, help="model folder (default: the installed model)")


def cmd_evaluate(args: argparse.Namespace) -> int:
    import json

    from inboxcoach.classify.model import Classifier
    from inboxcoach.train.evaluation import evaluate, format_evaluation, load_evaluation_set

    if args.ordinary:
        return _evaluate_ordinary(args)
    if args.applications:
        return _evaluate_applications(args)
    if not args.file.is_file():
        raise InputError(f"{args.file} does not exist" if not args.file.exists() else
                         f"{args.file} is a folder; a labelled set is one .jsonl file (or use "
                         "--ordinary for a folder of mail that is not job mail)")
    records, mails = load_evaluation_set(args.file)
    result = evaluate(Classifier.load(args.model), records, mails)
    if args.json:
        print(json.dumps({task: s.as_dict() for task, s in result.model.items()}, indent=2))
    else:
        print(format_evaluation(result))
    return 0


def _evaluate_applications(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from inboxcoach.train.grouping_eval import format_grouping, load_mailbox, score_grouping

    if not args.file.exists():
        raise InputError(f"{args.file} does not exist")
    files = sorted(args.file.glob("*.jsonl")) if args.file.is_dir() else [args.file]
    if not files:
        raise InputError(f"{args.file} holds no .jsonl files")
    result = score_grouping(load_mailbox(files))
    print(json.dumps(asdict(result), indent=2) if args.json else format_grouping(result))
    return 0


def _evaluate_ordinary(args: argparse.Namespace) -> int:
    import json

    from inboxcoach.classify.model import Classifier
    from inboxcoach.train.ordinary_eval import evaluate_ordinary, format_ordinary, load_ordinary

    if not args.file.exists():
        raise InputError(f"{args.file} does not exist")
    mails, sources, kinds, unreadable = load_ordinary([args.file])
    if not mails:
        raise InputError(f"{args.file} holds no readable mail")
    result = evaluate_ordinary(Classifier.load(args.model), mails, sources, kinds, unreadable)
    print(json.dumps(result.as_dict(), indent=2) if args.json else format_ordinary(result))
    return 0


def add_evaluate_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", type=Path, metavar="PATH",
                   help="labelled emails (FILE.jsonl), or with --ordinary a folder of .eml "
                        "files, a Maildir or an mbox of mail that is not job-search mail")
    p.add_argument("--ordinary", action="store_true",
                   help="PATH is ordinary mail: report how much of it is taken for job mail "
                        "and how many drafts it would get")
    p.add_argument("--applications", action="store_true",
                   help="PATH is a mailbox with the true application of every message (a "
                        ".jsonl file or a folder of them, as tests/data/applications/): score "
                        "the grouping into applications, the employer and the role")
    p.add_argument("--json", action="store_true", help="machine-readable scores")
    p.add_argument("--model", type=Path, help="model folder (default: the installed model)")


def cmd_train(args: argparse.Namespace) -> int:
    import json

    from inboxcoach.classify.model import Classifier
    from inboxcoach.classify.model_files import MANIFEST_FILE
    from inboxcoach.train.evaluation import evaluate, load_evaluation_set
    from inboxcoach.train.model_card import model_card
    from inboxcoach.train.ordinary_eval import evaluate_ordinary, load_ordinary
    from inboxcoach.train.training import train

    if args.trial is not None:  # a measurement only: nothing is written
        from inboxcoach.train.seed_trial import format_trial, trial

        print(format_trial(trial(args.seeds, args.trial, folds=max(args.folds, 2))))
        return 0
    if args.card_only:  # the model as it is; only its card is written again
        manifest = json.loads((args.out / MANIFEST_FILE).read_text("utf-8"))
    else:
        manifest = train(args.seeds, args.out, folds=args.folds, gate=args.gate).manifest
    validation = ordinary = None
    if args.validate is not None and args.validate.is_file():
        records, mails = load_evaluation_set(args.validate)
        validation = evaluate(Classifier.load(args.out), records, mails)
    elif args.validate is not None:
        log.warning("%s is not there: the model card reports cross-validation only",
                    args.validate)
    if args.ordinary is not None and args.ordinary.exists():
        mails, sources, kinds, unreadable = load_ordinary([args.ordinary])
        ordinary = evaluate_ordinary(Classifier.load(args.out), mails, sources, kinds, unreadable)
    elif args.ordinary is not None:
        log.warning("%s is not there: the model card leaves ordinary mail out", args.ordinary)
    card = model_card(manifest, validation, str(args.validate), ordinary, args.looks)
    (args.out / "MODEL_CARD.md").write_text(card, "utf-8")
    what = "model card" if args.card_only else "model"
    print(f"{what} {manifest['version']} written to {args.out}")
    return 0


def add_train_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seeds", type=Path, default=Path("models/corpus/seeds"),
                   help="folder of seed .jsonl files (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path("models"),
                   help="where the model, manifest and corpus go (default: %(default)s)")
    p.add_argument("--folds", type=int, default=5,
                   help="grouped cross-validation folds; 0 skips evaluation (default: 5)")
    p.add_argument("--validate", type=Path, metavar="FILE.jsonl",
                   help="real labelled emails to score the new model on for the model card "
                        "(read in place, never trained on), e.g. a development set kept outside "
                        "the repository")
    p.add_argument("--card-only", action="store_true",
                   help="write MODEL_CARD.md again for the model in --out, without training "
                        "(with --validate, --ordinary and --looks as given)")
    p.add_argument("--trial", type=Path, metavar="DIR",
                   help="measure what the seed files in DIR would add, without training: the "
                        "corpus's files held out in the same folds with and without them, and "
                        "DIR's files held out whole")
    p.add_argument("--gate", action="store_true",
                   help="also measure the job-search gate in cross-validation (it ships only "
                        "when it raises held-out macro-F1)")
    p.add_argument("--looks", type=int, metavar="N",
                   help="how many candidate models were scored on the --validate set this "
                        "round, counting this one; the model card states it")
    p.add_argument("--ordinary", type=Path, metavar="PATH",
                   help="real mail that is not job mail (.eml folder, Maildir or mbox) to score "
                        "the new model on for the model card (read in place, never trained on)")
