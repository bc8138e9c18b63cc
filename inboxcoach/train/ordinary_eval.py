"""``inboxcoach evaluate --ordinary``: how much mail that is not job mail (lists, work, shops,
family) the model takes for job mail, and which of it would get a draft.

Most of a real inbox is such mail, so a small share here is most of what a user sees wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from inboxcoach.fetch.parse import BatchParser
from inboxcoach.records import Email


@dataclass(frozen=True)
class OrdinaryScores:
    """How much ordinary mail (none of it about the user's job search) the model leaves alone.
    Every message should come out ``other``; a job newsletter may be a ``job_alert``."""

    n: int
    unreadable: int
    predicted: pd.Series  # category -> count
    job_mail: int  # tagged with any category but other
    job_mail_confident: int  # ... and not flagged unsure
    not_alert: int  # job mail other than job_alert
    would_draft: int  # confident rejections with a human contact: a draft to a stranger
    by_kind: pd.DataFrame  # per kind of mail (from index.jsonl): n, job mail, confident
    false_alarms: pd.DataFrame  # the job-mail answers, most confident first

    def share(self, count: int) -> float | None:
        return round(count / self.n, 4) if self.n else None

    def as_dict(self) -> dict[str, Any]:
        share = self.share
        return {"n": self.n, "unreadable": self.unreadable,
                "job_mail": self.job_mail, "job_mail_share": share(self.job_mail),
                "job_mail_confident": self.job_mail_confident,
                "job_mail_confident_share": share(self.job_mail_confident),
                "job_mail_not_alert": self.not_alert, "would_draft": self.would_draft,
                "predicted": {k: int(v) for k, v in self.predicted.items()}}


def evaluate_ordinary(classifier: Any, mails: Sequence[Email], sources: Sequence[str],
                      kinds: dict[str, str], unreadable: int = 0) -> OrdinaryScores:
    """Score ordinary mail: the share taken for job mail, with confidence, and the drafts a run
    would write for it. ``kinds`` maps a source name to its kind of mail, where known."""
    from inboxcoach.classify.contact import human_contact

    preds = classifier.predict(mails)
    rows = [{"source": s, "kind": kinds.get(s, "unknown"), "category": p.category,
             "confidence": p.category_confidence, "unsure": p.category_unsure,
             "job": p.category != "other",
             "draft": p.category == "rejection" and not p.category_unsure
             and human_contact(m) is not None, "subject": m.subject[:70]}
            for m, p, s in zip(mails, preds, sources, strict=True)]
    table = pd.DataFrame(rows, columns=["source", "kind", "category", "confidence", "unsure",
                                        "job", "draft", "subject"])
    job = table[table["job"]]
    table["confident"] = table["job"] & ~table["unsure"]
    by_kind = table.groupby("kind").agg(n=("job", "size"), job_mail=("job", "sum"),
                                        confident=("confident", "sum"))
    return OrdinaryScores(
        len(table), unreadable, table["category"].value_counts(), int(table["job"].sum()),
        int(table["confident"].sum()), int((job["category"] != "job_alert").sum()),
        int(table["draft"].sum()), by_kind.sort_values("n", ascending=False),
        job.sort_values("confidence", ascending=False, ignore_index=True))


def format_ordinary(o: OrdinaryScores) -> str:
    def pct(count: int) -> str:
        return f"{count / o.n:.1%}" if o.n else "n/a"

    out = [f"{o.n} ordinary messages ({o.unreadable} unreadable, not counted); all should be "
           "'other' (a job newsletter may be 'job_alert')",
           f"tagged as job mail:       {o.job_mail:>5} ({pct(o.job_mail)})",
           f"  of them with confidence: {o.job_mail_confident:>4} ({pct(o.job_mail_confident)})",
           f"  other than job_alert:    {o.not_alert:>4} ({pct(o.not_alert)})",
           f"would get a feedback-request draft: {o.would_draft}",
           "", "answers:", o.predicted.to_string()]
    if len(o.by_kind) > 1:
        out += ["", "by kind of mail:", o.by_kind.to_string()]
    if len(o.false_alarms):
        out += ["", "taken for job mail, most confident first:",
                o.false_alarms[["source", "kind", "category", "confidence", "unsure",
                                "subject"]].head(25).to_string()]
    return "\n".join(out)


def load_ordinary(paths: Sequence[Path]) -> tuple[list[Email], list[str], dict[str, str], int]:
    """Ordinary mail from folders of .eml files, Maildirs or mboxes, with its kinds when an
    ``index.jsonl`` (``{"file": ..., "kind": ...}`` per line) lies in or beside the folder."""
    import json

    from inboxcoach.fetch.local import open_local

    mails, sources, kinds, unreadable = [], [], {}, 0
    for path in paths:
        for index in (path / "index.jsonl", path.parent / "index.jsonl"):
            if index.is_file():
                for line in index.read_text("utf-8").splitlines():
                    entry = json.loads(line) if line.strip() else {}
                    if "file" in entry:
                        kinds[Path(entry["file"]).name] = str(entry.get("kind", "unknown"))
                break
        with open_local("files", path) as box, BatchParser() as parser:
            for raw, result in parser.parse(list(box.fetch(box.list_new(0, None), 1 << 26))):
                if isinstance(result, str):
                    unreadable += 1
                    continue
                mails.append(result)
                sources.append(Path(raw.ref.ref).name)
    return mails, sources, kinds, unreadable
