"""Scoring the classifier honestly: per-class precision/recall/F1, confusion matrices, calibration
error, and a keyword-rule baseline, so a user can see what the model adds over grep."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

from inboxcoach.classify.senders import NOREPLY
from inboxcoach.fetch.parse import BatchParser
from inboxcoach.records import Email, MessageRef, RawMessage, feedback_given
from inboxcoach.train.corpus import checked_lines, record_to_raw

if TYPE_CHECKING:
    from inboxcoach.classify.understand import Understanding

# The kind of rules most open-source trackers use; first match wins.
_RULES = [
    ("offer", r"pleased to offer|offer letter|job offer|angebot|offre d.emploi|oferta de empleo|"
              r"aanbod"),
    ("rejection", r"unfortunately|regret to|not (?:be )?moving forward|other candidates|"
                  r"not been successful|unsuccessful|leider|malheureusement|lamentablemente|"
                  r"helaas|absage|decided to (?:pursue|proceed|move forward) with"),
    ("interview", r"\binterview|schedule a (?:call|time)|your availability|vorstellungsgespr|"
                  r"entretien|entrevista|sollicitatiegesprek"),
    ("assessment", r"assessment|coding challenge|take[- ]home|hackerrank|codility|codesignal|"
                   r"online test"),
    ("acknowledgement", r"received your application|thank you for (?:applying|your application)|"
                        r"application (?:has been )?received|eingang|bien reçu|hemos recibido|"
                        r"ontvangen"),
    ("job_alert", r"job alert|jobs you may|recommended jobs|new jobs|jobs for you|stellenangebote"),
    ("outreach", r"came across your profile|your background|opportunity|reaching out"),
]
BASELINE_RULES = [(category, re.compile(rx, re.I)) for category, rx in _RULES]


def baseline_category(mail: Email) -> str:
    text = f"{mail.subject}\n{mail.new_text}"
    return next((cat for cat, rx in BASELINE_RULES if rx.search(text)), "other")


def baseline_sender_kind(mail: Email) -> str:
    address = mail.from_.email if mail.from_ else ""
    automated = NOREPLY.search(address) or "list-unsubscribe" in mail.auto_headers
    return "automated" if automated else "personal"


@dataclass(frozen=True)
class Scores:
    labels: tuple[Hashable, ...]
    table: pd.DataFrame  # precision, recall, f1, support per label
    confusion: pd.DataFrame  # rows: true, columns: predicted
    accuracy: float
    macro_f1: float
    ece: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4), "macro_f1": round(self.macro_f1, 4),
            "ece": None if self.ece is None else round(self.ece, 4),
            "per_class": {k: {m: round(float(v), 4) if m != "support" else int(v)
                              for m, v in row.items()} for k, row in self.table.iterrows()},
            "confusion": self.confusion.to_dict(orient="index"),
        }


def score(y_true: Sequence[Hashable], y_pred: Sequence[Hashable], labels: Sequence[Hashable],
          confidence: Sequence[float] | None = None) -> Scores:
    present = [label for label in labels if label in set(y_true) | set(y_pred)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    table = pd.DataFrame({"precision": p, "recall": r, "f1": f, "support": s}, index=present)
    in_truth = [i for i, label in enumerate(present) if label in set(y_true)]
    cm = pd.DataFrame(confusion_matrix(y_true, y_pred, labels=list(present)), index=present,
                      columns=present)
    truth, pred = np.asarray(y_true), np.asarray(y_pred)
    ece = expected_calibration_error(truth == pred, confidence) if confidence is not None else None
    return Scores(tuple(present), table, cm, float((truth == pred).mean()),
                  float(np.mean(f[in_truth])) if in_truth else 0.0, ece)


def expected_calibration_error(correct: np.ndarray, confidence: Sequence[float],
                               bins: int = 10) -> float:
    """How far stated confidence is from observed accuracy, weighted over 10 confidence bins."""
    conf = np.asarray(confidence, dtype=float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in pairwise(edges):
        inside = (conf > lo) & (conf <= hi)
        if inside.any():
            total += inside.mean() * abs(correct[inside].mean() - conf[inside].mean())
    return float(total)


def emails_from_records(records: Sequence[dict[str, Any]]) -> list[Email | str]:
    """Parse labelled records through the same path as real mail (a parse error becomes str)."""
    raws = [RawMessage("labelled", "labelled", MessageRef(str(r.get("id", i))), record_to_raw(r))
            for i, r in enumerate(records)]
    with BatchParser() as parser:
        return [result for _, result in parser.parse(raws)]


def record_problems(record: Any) -> list[str]:
    """What makes one line of a labelled set unusable, one phrase per problem."""
    from inboxcoach.classify.model import TASKS

    if not isinstance(record, dict):
        return [f"a JSON object is needed, not {type(record).__name__}"]
    problems = [f"field '{field}' must be one of {', '.join(allowed)}"
                + (f" (it is {record[field]!r})" if field in record else " (it is missing)")
                for field, allowed in TASKS.items() if record.get(field) not in allowed]
    if not any(isinstance(record.get(k), str) and record[k].strip()
               for k in ("raw", "body", "body_html", "subject")):
        problems.append("no text: give 'raw' (the whole message) or 'subject' and 'body'")
    for field in ("has_human_contact", "contains_feedback"):
        if field in record and not isinstance(record[field], bool | None):
            problems.append(f"field '{field}' must be true, false or null")
    return problems


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """The labelled set at ``path``, checked line by line: a wrong file or a bad line is an
    ``InputError`` that names the line and the field, never a traceback."""
    from inboxcoach.errors import InputError

    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path} is not text: a labelled set is JSON Lines, one message "
                         "per line") from None
    records, problems = checked_lines(text, path.name, record_problems)
    if problems:
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        raise InputError("not a labelled set: " + "; ".join(problems[:5]) + more)
    if not records:
        raise InputError(f"{path} holds no labelled messages")
    return records


def load_evaluation_set(path: Path) -> tuple[list[dict[str, Any]], list[Email]]:
    records = read_labelled(path)
    results = emails_from_records(records)
    kept = [(r, m) for r, m in zip(records, results, strict=True) if not isinstance(m, str)]
    return [r for r, _ in kept], [m for _, m in kept]


@dataclass(frozen=True)
class Evaluation:
    n: int
    model: dict[str, Scores]  # task -> scores
    baseline: dict[str, Scores]
    unsure_share: dict[str, float]
    mistakes: pd.DataFrame  # the model's errors, most confident first
    extraction: pd.DataFrame  # per field: n, precision, recall (or accuracy)
    confident_wrong: dict[str, tuple[int, int]]  # task -> (wrong, answered) among confident ones
    drafts: dict[str, int]  # what the drafts stage would do with these messages (draft_scores)


def _contact_email(facts: Understanding) -> str | None:
    return facts.contact.email if facts.contact else None

def extraction_scores(records: Sequence[dict[str, Any]], mails: Sequence[Email],
                      preds: Sequence[Any]) -> pd.DataFrame:
    """How well contact, company, role and feedback are read, where the labels say. Contact and
    feedback are judged on rejections, the messages drafts are made for."""
    from inboxcoach.classify.understand import same_name, understand

    rows = []
    facts = [understand(m) for m in mails]
    rejections = [i for i, r in enumerate(records) if r.get("category") == "rejection"]
    for name, idx, truth, guess in (
        ("has_human_contact (rejections)", rejections,
         lambda r: r.get("has_human_contact"), lambda i: facts[i].contact is not None),
        ("contains_feedback (rejections)", rejections,
         lambda r: r.get("contains_feedback"),
         lambda i: feedback_given(preds[i].feedback_probability)),
    ):
        pairs = [(bool(t), bool(g)) for i in idx
                 if (t := truth(records[i])) is not None and (g := guess(i)) is not None]
        if pairs:
            hits = sum(t and g for t, g in pairs)
            rows.append({"field": name, "n": len(pairs),
                         "accuracy": float(np.mean([t == g for t, g in pairs])),
                         "precision": _ratio(hits, sum(g for _, g in pairs)),
                         "recall": _ratio(hits, sum(t for t, _ in pairs))})
    for name, get in (("company", lambda i: facts[i].company), ("role", lambda i: facts[i].role),
                      ("contact email", lambda i: _contact_email(facts[i]))):
        key = "contact_email" if name == "contact email" else name
        labelled = [i for i, r in enumerate(records) if key in r]
        if not labelled:
            continue
        found = [i for i in labelled if get(i)]
        right = [i for i in found if records[i][key] and same_name(get(i) or "", records[i][key])]
        rows.append({"field": name, "n": len(labelled), "accuracy": None,
                     "precision": _ratio(len(right), len(found)),
                     "recall": _ratio(len(right), sum(bool(records[i][key]) for i in labelled))})
    return pd.DataFrame(rows, columns=["field", "n", "accuracy", "precision", "recall"])


def _share(part: int, whole: int) -> str:
    return f"{part / whole:.1%}" if whole else "n/a"


def _ratio(a: float, b: float) -> float | None:
    return a / b if b else None


def evaluate(classifier: Any, records: Sequence[dict[str, Any]],
             mails: Sequence[Email]) -> Evaluation:
    from inboxcoach.classify.model import TASKS

    preds = classifier.predict(mails)
    model_scores, base_scores, unsure = {}, {}, {}
    confident_wrong: dict[str, tuple[int, int]] = {}
    rows = []
    for task, labels in TASKS.items():
        truth = [r[task] for r in records]
        field = "sender" if task == "sender_kind" else "category"
        guess = [getattr(p, task) for p in preds]
        conf = [getattr(p, f"{field}_confidence") for p in preds]
        model_scores[task] = score(truth, guess, labels, conf)
        baseline = baseline_category if task == "category" else baseline_sender_kind
        base_scores[task] = score(truth, [baseline(m) for m in mails], labels)
        flags = [getattr(p, f"{field}_unsure") for p in preds]
        unsure[task] = float(np.mean(flags))
        sure = [t != g for t, g, f in zip(truth, guess, flags, strict=True) if not f]
        confident_wrong[task] = (sum(sure), len(sure))
        rows += [{"id": r.get("id"), "task": task, "true": t, "predicted": g, "confidence": c,
                  "lang": r.get("lang"), "subject": r.get("subject", "")[:70]}
                 for r, t, g, c in zip(records, truth, guess, conf, strict=True) if t != g]
    mistakes = pd.DataFrame(rows, columns=["id", "task", "true", "predicted", "confidence",
                                           "lang", "subject"])
    mistakes = mistakes.sort_values("confidence", ascending=False, ignore_index=True)
    return Evaluation(len(records), model_scores, base_scores, unsure, mistakes,
                      extraction_scores(records, mails, preds), confident_wrong,
                      draft_scores(records, mails, preds))


def draft_scores(records: Sequence[dict[str, Any]], mails: Sequence[Email],
                 preds: Sequence[Any]) -> dict[str, int]:
    """The drafts a run would write: one is due for a rejection with a human contact (where
    the From line is known); a confident rejection with a contact found gets one. Its variant is
    right when it thanks for reasons given or asks when none were; the unsure variant reads
    well either way and is counted on its own."""
    from inboxcoach.classify.contact import human_contact
    from inboxcoach.records import FeedbackCall, feedback_call

    out = dict.fromkeys(("due", "drafted_due", "drafted_not_due", "variant_right",
                         "variant_wrong", "variant_either_way"), 0)
    for r, m, p in zip(records, mails, preds, strict=True):
        if not r.get("from_addr"):
            continue
        due = r.get("category") == "rejection" and bool(r.get("has_human_contact"))
        drafted = (p.category == "rejection" and not p.category_unsure
                   and human_contact(m) is not None)
        out["due"] += due
        out["drafted_due" if due else "drafted_not_due"] += drafted
        if drafted and due:
            call = feedback_call(p.feedback_probability)
            if call is FeedbackCall.UNSURE:
                out["variant_either_way"] += 1
            elif (call is FeedbackCall.GIVEN) == bool(r.get("contains_feedback")):
                out["variant_right"] += 1
            else:
                out["variant_wrong"] += 1
    return out


def format_evaluation(ev: Evaluation) -> str:
    out = [f"{ev.n} labelled messages"]
    for task, scores in ev.model.items():
        base = ev.baseline[task]
        side = scores.table[["precision", "recall", "f1", "support"]].copy()
        side["baseline_f1"] = base.table["f1"].reindex(side.index).fillna(0.0)
        out += ["", f"== {task} ==",
                f"model:    accuracy {scores.accuracy:.3f}  macro-F1 {scores.macro_f1:.3f}  "
                f"calibration error (ECE) {scores.ece:.3f}  unsure {ev.unsure_share[task]:.0%}",
                "confident answers wrong: {} of {} ({})".format(
                    *ev.confident_wrong[task], _share(*ev.confident_wrong[task])),
                f"keywords: accuracy {base.accuracy:.3f}  macro-F1 {base.macro_f1:.3f}",
                "", side.round(3).to_string(), "", "confusion matrix (rows: true, columns: "
                "predicted)", scores.confusion.to_string()]
    d = ev.drafts
    if d["due"] or d["drafted_not_due"]:
        drafted = d["drafted_due"] + d["drafted_not_due"]
        out += ["", "== drafts a run would write (rejections with a human contact) ==",
                f"due {d['due']}, drafted {d['drafted_due']} (recall "
                f"{_share(d['drafted_due'], d['due'])}), drafted where none is due "
                f"{d['drafted_not_due']} (precision {_share(d['drafted_due'], drafted)})",
                f"variant: right {d['variant_right']}, wrong {d['variant_wrong']}, the one that "
                f"reads well either way {d['variant_either_way']}"]
    if len(ev.extraction):
        out += ["", "== who, where, what (rule-based reading and the feedback model) ==",
                ev.extraction.round(3).to_string(index=False)]
    if len(ev.mistakes):
        out += ["", "mistakes, most confident first:", ev.mistakes.head(25).to_string()]
    return "\n".join(out)


def feedback_test_scores(classifier: Any, records: Sequence[dict[str, Any]],
                         mails: Sequence[Email]) -> dict[str, Any]:
    """The feedback model on a set of rejections alone (the team's held-out test set): how
    often it is right, per language, and how the drafts would come out (a thank-you where
    reasons were given, an ask where not, the either-way reply in the unsure band)."""
    from inboxcoach.records import FeedbackCall, feedback_call

    probs = classifier.feedback_probabilities(mails)
    truth = np.array([bool(r.get("contains_feedback")) for r in records])
    given = np.array([p is not None and p >= 0.5 for p in probs])
    calls = [feedback_call(p) for p in probs]
    sure = np.array([c not in (FeedbackCall.UNSURE, FeedbackCall.UNKNOWN) for c in calls])
    langs = pd.Series([r.get("lang", "?") for r in records])
    right = pd.Series(given == truth)
    scores = score(list(truth), list(given), (True, False))
    return {
        "n": len(records), "accuracy": round(scores.accuracy, 4),
        "macro_f1": round(scores.macro_f1, 4),
        "recall_given": round(float(given[truth].mean()), 4) if truth.any() else None,
        "precision_given": round(float(truth[given].mean()), 4) if given.any() else None,
        "unsure_share": round(float(1 - sure.mean()), 4),
        "variant_right_when_sure": round(float((given == truth)[sure].mean()), 4)
        if sure.any() else None,
        "variant_wrong": int(((given != truth) & sure).sum()),
        "by_lang": {lang: round(float(right[langs == lang].mean()), 4)
                    for lang in sorted(set(langs))},
    }


def feedback_band(truth: np.ndarray, probability: np.ndarray, target: float = 0.95
                  ) -> tuple[float, float]:
    """The narrowest band around 0.5 outside which held-out answers are right at least
    ``target`` of the time: inside it the drafts take the reply that reads well either way."""
    for half in np.round(np.arange(0.0, 0.46, 0.05), 2):
        outside = np.abs(probability - 0.5) >= half
        if outside.any() and ((probability >= 0.5) == truth)[outside].mean() >= target:
            return float(round(0.5 - half, 2)), float(round(0.5 + half, 2))
    return 0.05, 0.95
