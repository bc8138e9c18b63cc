"""How well messages are grouped into applications, and how well their employer and role are
read: measured on a mailbox whose true application of every message is written down
(``tests/data/applications/``, team-written, never the user's mail).

The grouping is scored with the true categories, so that it is judged apart from the
classifier: what ``applications.group`` and ``understand`` do with correctly tagged mail. The
user's own mail (folder Sent) takes part, as it does when a Sent folder is fetched, but only
the mail they received is judged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from itertools import combinations
from pathlib import Path
from typing import Any

from inboxcoach.classify.applications import group
from inboxcoach.classify.understand import Me, same_name
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import Email, MessageRef, RawMessage
from inboxcoach.train.corpus import checked_lines, record_message_id, record_to_raw

FIELDS = ("id", "application", "employer", "role", "category", "folder", "day", "time",
          "thread", "from_name", "from_addr", "to_addr", "subject", "body")


def message_problems(m: Any) -> list[str]:
    if not isinstance(m, dict):
        return ["a JSON object is needed"]
    out = [f"missing {k}" for k in FIELDS if k not in m]
    if m.get("folder") not in ("INBOX", "Sent"):
        out.append("folder must be INBOX or Sent")
    return out


def load_mailbox(paths: Sequence[Path]) -> list[dict[str, Any]]:
    from inboxcoach.errors import InputError

    rows, problems = [], []
    for path in paths:
        found, bad = checked_lines(path.read_text("utf-8"), path.name, message_problems)
        rows += found
        problems += bad
    if problems:
        raise InputError("; ".join(problems[:5]))
    return rows


def to_emails(rows: list[dict[str, Any]], now: datetime) -> list[Email]:
    """Each row as the pipeline would store it: dated ``day`` days before ``now``, threaded to
    the earlier rows of its ``thread`` by In-Reply-To and References."""
    def when(m: dict[str, Any]) -> datetime:
        hh, mm = (int(x) for x in str(m["time"]).split(":"))
        day = (now - timedelta(days=int(m["day"]))).date()
        return datetime.combine(day, time(hh, mm), UTC)

    earlier: dict[str, list[str]] = {}
    mails = []
    for m in sorted(rows, key=when):
        thread = earlier.setdefault(m["thread"], []) if m["thread"] else []
        headers = {"In-Reply-To": f"<{thread[-1]}>",
                   "References": " ".join(f"<{t}>" for t in thread)} if thread else {}
        raw = record_to_raw({**m, "to": m["to_addr"], "date": when(m).isoformat(),
                             "headers": headers})
        mails.append(parse_raw(RawMessage("test", m["folder"], MessageRef(m["id"]), raw)))
        thread.append(record_message_id(m))
    return mails


@dataclass(frozen=True)
class GroupingScores:
    messages: int  # grouped messages with a true application
    applications_true: int
    applications_found: int
    employer_accuracy: float
    role_accuracy: float
    pair_precision: float  # of the pairs put together, the share truly together
    pair_recall: float  # of the pairs truly together, the share put together
    wrong: list[tuple[str, str, str | None, str | None]]  # (id, field, true, found)


def _agrees(found: str | None, true: str | None) -> bool:
    if not true:
        return not found
    return bool(found and same_name(found, true))


def score_grouping(rows: list[dict[str, Any]], now: datetime | None = None) -> GroupingScores:
    now = now or datetime.now(UTC)
    by_id = {m["id"]: m for m in rows}
    key_of = {record_message_id(m): m["id"] for m in rows}
    mails = to_emails(rows, now)
    sent = [m for m in rows if m["folder"] == "Sent"]
    me = Me(frozenset(m["from_addr"].lower() for m in sent),
            tuple(dict.fromkeys(m["from_name"] for m in sent)))
    apps = group([(mail, by_id[key_of[mail.key]]["category"]) for mail in mails], now, me=me)
    found = {e.message_key: (i, a) for i, a in enumerate(apps) for e in a.events}
    judged = [(key_of[k], i, a) for k, (i, a) in found.items()
              if by_id[key_of[k]]["application"] and by_id[key_of[k]]["folder"] == "INBOX"]
    wrong = []
    for mid, _, app in judged:
        truth = by_id[mid]
        for name, got in (("employer", app.company), ("role", app.role)):
            if not _agrees(got, truth[name]):
                wrong.append((mid, name, truth[name], got))
    together = {(a, b) for (a, ia, _), (b, ib, _) in combinations(judged, 2) if ia == ib}
    truly = {(a, b) for (a, _, _), (b, _, _) in combinations(judged, 2)
             if by_id[a]["application"] == by_id[b]["application"]}
    n = len(judged)
    return GroupingScores(
        n, len({by_id[m]["application"] for m, _, _ in judged}),
        len({i for _, i, _ in judged}),
        1 - sum(w[1] == "employer" for w in wrong) / n if n else 0.0,
        1 - sum(w[1] == "role" for w in wrong) / n if n else 0.0,
        len(together & truly) / len(together) if together else 1.0,
        len(together & truly) / len(truly) if truly else 1.0, wrong)


def format_grouping(s: GroupingScores) -> str:
    lines = [f"{s.messages} messages of {s.applications_true} applications (true); "
             f"{s.applications_found} applications found",
             f"employer right: {s.employer_accuracy:.1%}   role right: {s.role_accuracy:.1%}",
             f"same application, pairwise: precision {s.pair_precision:.1%}, "
             f"recall {s.pair_recall:.1%}", "", "wrong (id, field, true, found):"]
    lines += [f"  {i}  {f}: {t!r} -> {g!r}" for i, f, t, g in s.wrong[:40]]
    return "\n".join(lines)

