"""``inboxcoach run`` against the real Dovecot on a mailbox of rejections written for this test
(``tests/data/rejections/``, not the training corpus): a draft for every rejection a person can
be reached for, none for the rest, and the right variant: a thank-you where the rejection gave
its reasons, a request for pointers where it did not.

The targets are the product's: drafts for at least 95% of the rejections with a
human contact and none for anything else; the right variant for at least 95% of the drafts.
The shipped model drafts for all 30 (the one before it missed a clear rejection below its
unsure threshold), so recall is held here at the target, not at today's figure. The
reply that reads well either way (the feedback model was unsure) is not counted wrong, but it
may not stand in for more than two in five of the answers.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import MessageRef, RawMessage
from inboxcoach.store.database import Store
from inboxcoach.train.corpus import record_to_raw

pytestmark = pytest.mark.dovecot

FIXTURE = Path(__file__).parent / "data" / "rejections" / "rejections.jsonl"
ASKS = {"ask", "ask_after_interview"}
RECALL_FLOOR = 0.95  # the target; 30 of 30 measured (model 499de667b30c)


def fixture_records() -> list[dict]:
    when = datetime.now(UTC) - timedelta(days=2)
    rows = [json.loads(line) for line in FIXTURE.read_text("utf-8").splitlines() if line.strip()]
    return [{**r, "date": (when + timedelta(minutes=i)).isoformat(),
             "to": "Robin Mayer <robin.mayer@example.org>"} for i, r in enumerate(rows)]


def message_id(raw: bytes) -> str:
    mail = parse_raw(RawMessage("t", "t", MessageRef("1"), raw))
    assert mail.message_id
    return mail.message_id


def test_the_fixture_is_big_enough_and_mixed():
    rows = fixture_records()
    contact = [r for r in rows if r["has_human_contact"]]
    assert len(rows) >= 40 and all(r["category"] == "rejection" for r in rows)
    assert 0 < len(contact) < len(rows)
    assert {r["contains_feedback"] for r in contact} == {True, False}


def test_run_drafts_for_every_rejection_a_person_can_be_reached_for(dovecot, config_file):
    rows = fixture_records()
    raws = [record_to_raw(r) for r in rows]
    truth = {message_id(raw): r for raw, r in zip(raws, rows, strict=True)}
    dovecot.append("INBOX", raws)
    cfg = config_file([dovecot.account()],
                      drafts={"your_name": "Robin Mayer", "your_email": "robin.mayer@example.org"})
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    with Store.open(load_config(cfg).db_path) as store:
        drafts = {row.message_key: row for row in store.draft_rows()}

    due = {key for key, r in truth.items() if r["has_human_contact"]}
    drafted = set(drafts)
    missed = sorted(truth[k]["id"] for k in due - drafted)
    stranger = sorted(truth[k]["id"] for k in drafted - due)
    assert not stranger, f"drafts where no person can be reached: {stranger}"
    assert len(due & drafted) >= RECALL_FLOOR * len(due), f"no draft for {missed}"

    wrong, either_way = [], []
    for key in due & drafted:
        variant, given = drafts[key].variant, truth[key]["contains_feedback"]
        if variant == "thanks_ask":
            either_way.append(truth[key]["id"])
        elif (variant == "thanks") != given or (not given and variant not in ASKS):
            wrong.append((truth[key]["id"], variant))
    assert len(wrong) <= 0.05 * len(due & drafted), f"wrong variants: {sorted(wrong)}"
    assert len(either_way) <= 0.4 * len(due & drafted), f"unsure: {sorted(either_way)}"
