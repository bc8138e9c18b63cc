"""The model's labels and the job facts read beside them: the labels table, joined to messages.

Each message has at most one label row, from the model that tagged it last; a new model version
re-tags everything, so a label's version says whether it is current.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from inboxcoach.records import Email, JobFacts, Prediction, Tagged, TagRow
from inboxcoach.store.base import DATED_AFTER, Connection, marks, now, stamp, when

PREDICTION = ("l.category, l.category_confidence, l.category_unsure, l.sender_kind, "
              "l.sender_confidence, l.sender_unsure, l.feedback_probability, l.corrected")


def prediction(r: sqlite3.Row) -> Prediction:
    """A label row (the ``PREDICTION`` columns) as the model's answer."""
    return Prediction(r["category"], r["category_confidence"], bool(r["category_unsure"]),
                      r["sender_kind"], r["sender_confidence"], bool(r["sender_unsure"]),
                      r["feedback_probability"], bool(r["corrected"]))


class LabelQueries(Connection):
    def unlabelled(self, model_version: str, limit: int, after: int = 0
                   ) -> list[tuple[int, Email]]:
        """Messages never classified, or classified by another model version, from row id
        ``after`` on: a caller going through them in batches passes the last id it saw, so
        each batch starts where the last one ended instead of rereading the labelled ones."""
        rows = self.conn.execute(
            "SELECT m.id, m.record FROM messages m LEFT JOIN labels l ON l.message_rowid = m.id "
            "WHERE m.id > ? AND (l.model_version IS NULL OR l.model_version != ?) "
            "ORDER BY m.id LIMIT ?",
            (after, model_version, limit),
        ).fetchall()
        return [(rowid, Email.from_json(record)) for rowid, record in rows]

    def needs_labels(self, model_version: str) -> bool:
        """Whether any message lacks a label from this model. Counts over indexes: an hourly
        run with nothing new must not read every stored message to find that out."""
        return self.count("SELECT count(*) FROM labels WHERE model_version = ?",
                          (model_version,)) < self.count("SELECT count(*) FROM messages")

    def untagged_count(self) -> int:
        """Each message has at most one label, and a label always has its message, so
        messages minus labels is the untagged count."""
        return (self.count("SELECT count(*) FROM messages")
                - self.count("SELECT count(*) FROM labels"))

    def save_labels(self, model_version: str,
                    labels: Iterable[tuple[int, Prediction, JobFacts | None]]) -> int:
        """Store predictions, each with the job facts read from the mail, or None when they
        were not read (mail outside the job search needs none)."""
        at, n = now(), 0
        with self.transaction() as c:
            for rowid, p, facts in labels:
                c.execute(
                    "INSERT OR REPLACE INTO labels(message_rowid, model_version, category, "
                    "category_confidence, category_unsure, sender_kind, sender_confidence, "
                    "sender_unsure, classified_at, feedback_probability, company, role, "
                    "understood, facts) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (rowid, model_version, p.category, p.category_confidence,
                     int(p.category_unsure), p.sender_kind, p.sender_confidence,
                     int(p.sender_unsure), at, p.feedback_probability, *_fact_columns(facts)),
                )
                n += 1
        return n

    def save_understanding(self, facts: Iterable[tuple[str, JobFacts]]) -> None:
        """Job facts for messages labelled before they were kept (message key first)."""
        with self.transaction() as c:
            c.executemany("UPDATE labels SET company=?, role=?, understood=?, facts=? WHERE "
                          "message_rowid=(SELECT id FROM messages WHERE msg_key=?)",
                          [(*_fact_columns(f), key) for key, f in facts])

    def label_counts(self) -> dict[str, int]:
        """Tagged messages per category, corrections included."""
        return {r["category"]: r["n"] for r in self.rows(
            "SELECT category, count(*) AS n FROM tags GROUP BY category")}

    def tagged(self, categories: Iterable[str] | None = None,
               seen_after: datetime | None = None,
               dated_after: datetime | None = None) -> list[Tagged]:
        """Classified messages with their labels, oldest first; only ``categories`` if given,
        only those stored after ``seen_after`` and dated after ``dated_after`` (or undated)
        if given."""
        sql = (f"SELECT m.record, {PREDICTION}, m.first_seen, l.facts "  # noqa: S608
               "FROM messages m JOIN tags l ON l.message_rowid = m.id WHERE 1")
        args: list[str] = []
        if categories is not None:
            cats = list(categories)
            sql += f" AND l.category IN ({marks(cats)})"
            args += cats
        if seen_after is not None:
            sql += " AND m.first_seen > ?"
            args.append(stamp(seen_after))
        if dated_after is not None:
            sql += DATED_AFTER
            args.append(dated_after.isoformat())
        return [Tagged(Email.from_json(r["record"]), prediction(r),
                       datetime.fromisoformat(r["first_seen"]), _facts(r["facts"]))
                for r in self.rows(sql + " ORDER BY m.date, m.id", args)]

    def tagged_threads(self, categories: Iterable[str], senders: Iterable[str] = ()
                       ) -> Iterator[Tagged]:
        """Like ``tagged``, oldest first, but streamed, and each email a thread stub (ids,
        sender, subject, date) read with SQLite's JSON functions: memory stays small however
        large the store is. Mail from ``senders`` (the user's) comes whatever its category."""
        where, args = _in_categories_or_from(categories, senders)
        rows = self.rows(
            "SELECT m.msg_key, m.message_id, json_extract(m.record, '$.in_reply_to') AS irt, "  # noqa: S608
            "json_extract(m.record, '$.references') AS refs, m.from_addr, m.subject, m.date, "
            f"{PREDICTION}, m.first_seen, l.facts FROM messages m JOIN tags l "
            f"ON l.message_rowid = m.id WHERE {where} ORDER BY m.date, m.id", args)
        for r in rows:
            stub = Email.thread_stub(r["msg_key"], r["message_id"], r["irt"],
                                     tuple(json.loads(r["refs"] or "[]")), r["from_addr"],
                                     r["subject"], when(r["date"]))
            yield Tagged(stub, prediction(r), datetime.fromisoformat(r["first_seen"]),
                         _facts(r["facts"]))

    def not_understood(self, categories: Iterable[str], senders: Iterable[str] = (),
                       rules: int = 0) -> list[str]:
        """Keys of tagged messages whose job facts were never read, or read by rules other than
        version ``rules``."""
        where, args = _in_categories_or_from(categories, senders)
        sql = ("SELECT m.msg_key FROM messages m JOIN labels l ON l.message_rowid = m.id "  # noqa: S608
               "WHERE (l.facts IS NULL OR coalesce(json_extract(l.facts, '$.rules'), 0) != ?) "
               f"AND ({where})")
        return [r[0] for r in self.conn.execute(sql, [rules, *args])]

    def tag_subjects(self, category: str, seen_after: datetime, dated_after: datetime
                     ) -> Iterator[TagRow]:
        """Newest first, the messages of one category stored after ``seen_after`` and dated
        after ``dated_after`` (or undated), as TagRows whose ``key`` is the subject: enough to
        count them and name a few."""
        sql = ("SELECT m.date, m.first_seen, m.from_addr, m.subject FROM messages m "  # noqa: S608
               "JOIN tags l ON l.message_rowid = m.id WHERE l.category = ? "
               f"AND m.first_seen > ? {DATED_AFTER} ORDER BY m.date DESC")
        for r in self.rows(sql, (category, stamp(seen_after), dated_after.isoformat())):
            yield TagRow(when(r["date"]), datetime.fromisoformat(r["first_seen"]), category, "",
                         r["from_addr"], r["subject"])

    def tag_rows(self) -> Iterator[TagRow]:
        """Every tagged message's date, tags and sender, streamed in no particular order."""
        for r in self.rows(
                "SELECT m.date, m.first_seen, l.category, l.sender_kind, m.from_addr, "
                "m.msg_key FROM messages m JOIN tags l ON l.message_rowid = m.id"):
            yield TagRow(when(r["date"]), datetime.fromisoformat(r["first_seen"]),
                         r["category"], r["sender_kind"], r["from_addr"], r["msg_key"])


def _in_categories_or_from(categories: Iterable[str], senders: Iterable[str]
                           ) -> tuple[str, list[Any]]:
    """A WHERE clause: labelled with one of ``categories``, or sent from one of ``senders``."""
    cats, who = list(categories), list(senders)
    return (f"l.category IN ({marks(cats)}) OR lower(m.from_addr) IN ({marks(who) or 'NULL'})",
            cats + who)


def _fact_columns(facts: JobFacts | None) -> tuple[str | None, str | None, int, str | None]:
    """company and role stay beside the record for readers of the table."""
    if facts is None:
        return None, None, 0, None
    return facts.employer, facts.role, 1, facts.to_json()


def _facts(text: str | None) -> JobFacts | None:
    return JobFacts.from_json(text) if text else None
