"""Builders the tests share: imported from here, never from another test module."""

from __future__ import annotations

import email
import email.policy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inboxcoach.classify.model import CATEGORIES
from inboxcoach.train.corpus import read_seeds
from tests.mailgen import make_message

SEEDS = Path(__file__).parent.parent / "models" / "corpus" / "seeds"


def small_seed_dir(tmp_path: Path, per_category: int = 5) -> Path:
    """A few seeds of every category, both sender kinds where the corpus has them (so every
    fold of a tiny cross-validation has two classes to learn), and rejections with and without
    reasons for the feedback model."""
    chosen, counts = [], dict.fromkeys(CATEGORIES, 0)
    feedback = {True: 0, False: 0}
    kinds: dict[tuple[str, str], int] = {}
    for s in read_seeds(SEEDS):
        kind = (s["category"], s["sender_kind"])
        if s["category"] == "rejection":  # both kinds, for the feedback model's folds
            if feedback[bool(s["contains_feedback"])] >= per_category:
                continue
            feedback[bool(s["contains_feedback"])] += 1
        elif counts[s["category"]] >= per_category or kinds.get(kind, 0) > per_category // 2:
            continue
        kinds[kind] = kinds.get(kind, 0) + 1
        counts[s["category"]] += 1
        chosen.append({k: v for k, v in s.items() if k != "_source"})
    folder = tmp_path / "seeds"
    folder.mkdir()
    (folder / "small.jsonl").write_text("".join(json.dumps(s) + "\n" for s in chosen))
    return folder


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


def write_config(path: Path, accounts: list[dict], **tables: dict) -> Path:
    """Write a config file the way a user would (TOML, one [[accounts]] table each)."""
    lines = []
    for name, table in tables.items():
        if name == "top":
            lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
            continue
        lines.append(f"[{name}]")
        lines += [f"{k} = {toml_value(v)}" for k, v in table.items()]
    for account in accounts:
        lines.append("[[accounts]]")
        lines += [f"{k} = {toml_value(v)}" for k, v in account.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    return path


PERSONAL = ("Hi Sam,\n\nThank you for taking the time to apply for the Data Analyst role. After "
            "careful consideration we have decided to move forward with another candidate whose "
            "experience more closely matches our needs.\n\n"
            "Best regards,\nJane Doe\nTalent Partner\n")
AUTOMATED = ("Dear Candidate,\n\nThank you for your interest in Globex. Unfortunately we will not "
             "be moving forward with your application at this time. This mailbox is not "
             "monitored; please do not reply.\n\nGlobex Talent Acquisition\n")


RECENT = datetime.now(UTC) - timedelta(days=2)


def personal(i: int = 1, when: datetime = RECENT) -> bytes:
    return make_message(i, "Your application to Acme", PERSONAL,
                        sender="Jane Doe <jane.doe@acme.example>", when=when)


def automated(i: int = 2, when: datetime = RECENT) -> bytes:
    return make_message(i, "Your application", AUTOMATED,
                        sender="Globex Careers <no-reply@globex.example>", when=when)


def drafts_in(dovecot, folder="Drafts"):
    with dovecot.client() as c:
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        data = c.fetch(uids, ["FLAGS", "BODY.PEEK[]"]) if uids else {}
    return [(d[b"FLAGS"], email.message_from_bytes(d[b"BODY[]"], policy=email.policy.default))
            for d in data.values()]


def deep_multipart(depth: int) -> bytes:
    head = b"From: a@b.example\r\nSubject: deep\r\nMessage-ID: <deep@tricky.test>\r\n"
    parts = [head]
    for i in range(depth):
        parts.append(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i))
    return b"".join(parts) + b"Content-Type: text/plain\r\n\r\nbottom\r\n"


@dataclass
class Inbox:
    received: list[tuple[list[str], bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.received.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"
