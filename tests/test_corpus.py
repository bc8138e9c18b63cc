"""The corpus generator: deterministic, fills every placeholder, keeps families together."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import MessageRef, RawMessage
from inboxcoach.train.corpus import COPIES, build_corpus, expand, read_seeds, record_to_raw

SEEDS = Path(__file__).parent.parent / "models" / "corpus" / "seeds"
REQUIRED = {"family", "category", "sender_kind", "has_human_contact", "contains_feedback",
            "lang", "subject", "from_name", "from_addr", "body", "contact_name",
            "contact_email", "company", "role"}


def test_every_seed_is_complete_and_valid():
    seeds = read_seeds(SEEDS)
    assert len(seeds) >= 1000
    families = [s["family"] for s in seeds]
    assert len(families) == len(set(families))
    for s in seeds:
        assert set(s) >= REQUIRED, s["family"]
        assert s["category"] in {"rejection", "acknowledgement", "interview", "assessment",
                                 "offer", "outreach", "job_alert", "other"}
        assert s["sender_kind"] in {"automated", "personal"}


def test_every_seed_file_passes_the_seed_checker():
    from inboxcoach.train.corpus import check_seed_file

    files = [*SEEDS.glob("*.jsonl"), *(SEEDS.parent / "feedback-test").glob("*.jsonl")]
    assert len(files) > 20
    assert [p for f in files for p in check_seed_file(f)] == []


def test_the_seed_checker_names_what_is_wrong():
    from inboxcoach.train.corpus import seed_problems

    good = {"family": "x-001", "category": "rejection", "sender_kind": "automated",
            "has_human_contact": False, "contains_feedback": False, "stage": "application",
            "lang": "en", "subject": "x", "from_name": "", "from_addr": "no-reply@{domain}",
            "body": "Hi {candidate}", "contact_name": None, "contact_email": None,
            "company": "{company}", "role": None}
    assert seed_problems(good) == []
    assert seed_problems({**good, "body": "Hi {name}"}) == ["unknown placeholder {name}"]
    assert seed_problems({**good, "stage": None}) == [
        "a rejection needs stage application or interview"]
    assert "contains_feedback is for rejections only" in seed_problems(
        {**good, "category": "other", "stage": None, "contains_feedback": True})
    assert "no human contact, yet a contact_email" in seed_problems(
        {**good, "contact_email": "x@y.z"})
    # A name with a space or an accent cannot be an address part (it crashed the corpus build).
    assert seed_problems({**good, "from_addr": "{sender}@vaultgrid.com"})[0].startswith(
        "from_addr uses {sender}, which is not an address part")


def test_expansion_is_deterministic_and_fills_placeholders():
    seeds = read_seeds(SEEDS)[:60]
    first, second = list(expand(seeds)), list(expand(seeds))
    assert first == second and len(first) == COPIES * len(seeds)
    for r in first:
        text = json.dumps({k: r[k] for k in ("subject", "body", "from_name", "from_addr")})
        assert not re.search(r"(?<!\{)\{[a-z_]+\}(?!\})", text), r["id"]


def test_copies_keep_the_family_and_vary_the_people():
    seeds = [s for s in read_seeds(SEEDS) if "{company}" in s["body"]][:10]
    for s in seeds:
        copies = [r for r in expand([s])]
        assert {r["family"] for r in copies} == {s["family"]}
        assert len({r["company"] for r in copies}) >= 1
        assert copies[1]["headers"] == {}


def test_resent_automated_template_has_a_human_contact():
    seeds = [s for s in read_seeds(SEEDS) if s["sender_kind"] == "automated"
             and s["category"] == "rejection" and not s["has_human_contact"]]
    bulk = next(s for s in seeds if s["stage"] == "application")
    resent = list(expand([bulk]))[2]
    assert resent["sender_kind"] == "automated" and resent["has_human_contact"] is True
    assert resent["from_addr"] == resent["contact_email"]
    after_interview = next(s for s in seeds if s["stage"] == "interview")
    assert list(expand([after_interview]))[2]["sender_kind"] == "personal"


def test_records_become_parseable_messages():
    for r in list(expand(read_seeds(SEEDS)[:30])):
        mail = parse_raw(RawMessage("c", "c", MessageRef(r["id"]), record_to_raw(r)))
        assert mail.subject == " ".join(r["subject"].split())[:998]
        assert mail.from_.email == r["from_addr"]


def test_the_seeds_rebuild_the_corpus_the_shipped_model_was_trained_on(tmp_path):
    """train.jsonl is not committed: the seeds and the expansion must give back, byte for byte,
    the corpus whose hash the manifest records (a seed edited without retraining fails here)."""
    root = Path(__file__).parent.parent / "models"
    manifest = json.loads((root / "manifest.json").read_text("utf-8"))
    build_corpus(root / "corpus" / "seeds", tmp_path / "train.jsonl")
    digest = hashlib.sha256((tmp_path / "train.jsonl").read_bytes()).hexdigest()
    assert digest == manifest["corpus_sha256"]
