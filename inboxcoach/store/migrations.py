"""Named, ordered schema migrations for the state file, as Python functions (the llm way).

Each is applied once, in order, inside one transaction with its record, and recorded by name.
Never edit one that has shipped: add a new one. ``pending`` says what would run, read-only.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from inboxcoach.vocab import skip_from_text

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(name: str) -> Callable[[Migration], Migration]:
    """Register ``fn`` under ``name``, after those registered before it."""
    def register(fn: Migration) -> Migration:
        MIGRATIONS.append((name, fn))
        return fn
    return register


def pending(conn: sqlite3.Connection) -> list[str]:
    """The migrations this state file has not had yet, in order; it changes nothing."""
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND "
                             "name='migrations'").fetchone()
    done = {r[0] for r in conn.execute("SELECT name FROM migrations")} if has_table else set()
    return [name for name, _ in MIGRATIONS if name not in done]


@migration("0001_initial")
def m0001_initial(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            msg_key TEXT NOT NULL UNIQUE,
            message_id TEXT,
            raw_sha256 TEXT NOT NULL,
            raw_z BLOB NOT NULL,
            raw_size INTEGER NOT NULL,
            headers_only INTEGER NOT NULL DEFAULT 0,
            subject TEXT NOT NULL DEFAULT '',
            from_addr TEXT NOT NULL DEFAULT '',
            date TEXT,
            record TEXT NOT NULL,
            parser_version INTEGER NOT NULL,
            first_seen TEXT NOT NULL
        )
    """)
    db.execute("CREATE INDEX messages_date ON messages(date)")
    db.execute("""
        CREATE TABLE locations (
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            ref TEXT NOT NULL,
            uid INTEGER NOT NULL DEFAULT 0,
            message_rowid INTEGER NOT NULL REFERENCES messages(id),
            flags TEXT NOT NULL DEFAULT '',
            seen_at TEXT NOT NULL,
            PRIMARY KEY (account, folder, uidvalidity, ref)
        )
    """)
    db.execute("CREATE INDEX locations_message ON locations(message_rowid)")
    db.execute("""
        CREATE TABLE folders (
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL DEFAULT 0,
            last_sync TEXT,
            last_error TEXT,
            last_error_at TEXT,
            PRIMARY KEY (account, folder)
        )
    """)
    db.execute("""
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY,
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            ref TEXT NOT NULL,
            reason TEXT NOT NULL,
            raw_z BLOB,
            raw_size INTEGER NOT NULL DEFAULT 0,
            recorded_at TEXT NOT NULL,
            UNIQUE (account, folder, uidvalidity, ref)
        )
    """)
    db.execute("""
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            exit_code INTEGER,
            summary TEXT
        )
    """)


@migration("0002_labels")
def m0002_labels(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE labels (
            message_rowid INTEGER PRIMARY KEY REFERENCES messages(id),
            model_version TEXT NOT NULL,
            category TEXT NOT NULL,
            category_confidence REAL NOT NULL,
            category_unsure INTEGER NOT NULL,
            sender_kind TEXT NOT NULL,
            sender_confidence REAL NOT NULL,
            sender_unsure INTEGER NOT NULL,
            classified_at TEXT NOT NULL
        )
    """)
    db.execute("CREATE INDEX labels_version ON labels(model_version)")


@migration("0003_drafts")
def m0003_drafts(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE labels ADD COLUMN feedback_probability REAL")
    db.execute("""
        CREATE TABLE drafts (
            id INTEGER PRIMARY KEY,
            message_rowid INTEGER NOT NULL REFERENCES messages(id),
            thread_key TEXT NOT NULL UNIQUE,
            account TEXT NOT NULL,
            draft_message_id TEXT NOT NULL UNIQUE,
            to_addr TEXT NOT NULL,
            subject TEXT NOT NULL,
            variant TEXT NOT NULL,
            raw_z BLOB NOT NULL,
            eml_path TEXT,
            state TEXT NOT NULL,
            imap_folder TEXT,
            imap_uid INTEGER,
            error TEXT,
            created_at TEXT NOT NULL,
            appended_at TEXT
        )
    """)
    db.execute("""
        CREATE TABLE draft_skips (
            message_rowid INTEGER PRIMARY KEY REFERENCES messages(id),
            reason TEXT NOT NULL,
            decided_at TEXT NOT NULL
        )
    """)


@migration("0004_digests")
def m0004_digests(db: sqlite3.Connection) -> None:
    db.execute("""
        CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            written_at TEXT NOT NULL,
            since TEXT NOT NULL,
            path TEXT NOT NULL,
            new_messages INTEGER NOT NULL,
            delivered_at TEXT
        )
    """)


@migration("0005_understanding")
def m0005_understanding(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE labels ADD COLUMN company TEXT")
    db.execute("ALTER TABLE labels ADD COLUMN role TEXT")
    db.execute("ALTER TABLE labels ADD COLUMN understood INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE digests ADD COLUMN fingerprint TEXT")


# Every run asks which stored mail the user sent (replies_from); without this it reads the
# whole table: 1.4 s at 100,000 messages.
@migration("0006_from_index")
def m0006_from_index(db: sqlite3.Connection) -> None:
    db.execute("CREATE INDEX messages_from ON messages(from_addr)")


# A rejection the model was unsure of is skipped for the model that said so; a new model
# decides again. Recording it keeps each run from re-reading every such rejection, and the
# category index lets the drafts stage find rejections without reading every label.
@migration("0007_provisional_skips")
def m0007_provisional_skips(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE draft_skips ADD COLUMN model_version TEXT")
    db.execute("CREATE INDEX labels_category ON labels(category, model_version)")


# The employer and role with where each was read, the requisition ids and the employer's
# domain, as one JSON record (records.JobFacts): applications weigh facts by their source.
# Rows from before it have no facts and are read again once.
@migration("0008_job_facts")
def m0008_job_facts(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE labels ADD COLUMN facts TEXT")


# Skip reasons were stored as English prose and compared by equality, so rewording one would
# have hidden every recorded skip: they are codes now (vocab.SkipReason), the detail apart.
@migration("0009_skip_codes")
def m0009_skip_codes(db: sqlite3.Connection) -> None:
    db.execute("ALTER TABLE draft_skips ADD COLUMN detail TEXT")
    for rowid, text in db.execute("SELECT message_rowid, reason FROM draft_skips").fetchall():
        skip = skip_from_text(text)
        db.execute("UPDATE draft_skips SET reason=?, detail=? WHERE message_rowid=?",
                   (skip.reason.value, skip.detail, rowid))


@migration("0010_corrections")
def m0010_corrections(db: sqlite3.Connection) -> None:
    """The user's corrections, keyed by message (they outlive a re-tag by a new model), and the
    ``tags`` view: each label with the correction laid over it, the model's answer beside it.
    Everything that shows or acts on tags reads the view."""
    db.execute("""
        CREATE TABLE corrections (
            msg_key TEXT PRIMARY KEY,
            category TEXT,
            sender_kind TEXT,
            contact_name TEXT,
            contact_email TEXT,
            no_contact INTEGER NOT NULL DEFAULT 0,
            feedback INTEGER,
            corrected_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE VIEW tags AS
        SELECT l.message_rowid, l.model_version, l.classified_at,
               coalesce(c.category, l.category) AS category,
               CASE WHEN c.category IS NULL THEN l.category_confidence ELSE 1.0 END
                   AS category_confidence,
               CASE WHEN c.category IS NULL THEN l.category_unsure ELSE 0 END AS category_unsure,
               coalesce(c.sender_kind, l.sender_kind) AS sender_kind,
               CASE WHEN c.sender_kind IS NULL THEN l.sender_confidence ELSE 1.0 END
                   AS sender_confidence,
               CASE WHEN c.sender_kind IS NULL THEN l.sender_unsure ELSE 0 END AS sender_unsure,
               CASE WHEN c.feedback IS NULL THEN l.feedback_probability
                    ELSE CAST(c.feedback AS REAL) END AS feedback_probability,
               l.company, l.role, l.understood, l.facts,
               l.category AS model_category, l.sender_kind AS model_sender_kind,
               c.msg_key IS NOT NULL AS corrected
        FROM labels l JOIN messages m ON m.id = l.message_rowid
        LEFT JOIN corrections c ON c.msg_key = m.msg_key""")
