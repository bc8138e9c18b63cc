"""Named, ordered schema migrations for the state file (the sqlite-utils way).

Each is applied once, in order, inside a transaction, and recorded by name. Never edit one
that has shipped: add a new one.
"""

from __future__ import annotations

MIGRATIONS: list[tuple[str, str]] = [
    ("0001_initial", """
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
        );
        CREATE INDEX messages_date ON messages(date);
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
        );
        CREATE INDEX locations_message ON locations(message_rowid);
        CREATE TABLE folders (
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            last_uid INTEGER NOT NULL DEFAULT 0,
            last_sync TEXT,
            last_error TEXT,
            last_error_at TEXT,
            PRIMARY KEY (account, folder)
        );
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
        );
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            exit_code INTEGER,
            summary TEXT
        );
    """),
]

MIGRATIONS.append(("0002_labels", """
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
    );
    CREATE INDEX labels_version ON labels(model_version);
"""))

MIGRATIONS.append(("0003_drafts", """
    ALTER TABLE labels ADD COLUMN feedback_probability REAL;
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
    );
    CREATE TABLE draft_skips (
        message_rowid INTEGER PRIMARY KEY REFERENCES messages(id),
        reason TEXT NOT NULL,
        decided_at TEXT NOT NULL
    );
"""))

MIGRATIONS.append(("0004_digests", """
    CREATE TABLE digests (
        id INTEGER PRIMARY KEY,
        written_at TEXT NOT NULL,
        since TEXT NOT NULL,
        path TEXT NOT NULL,
        new_messages INTEGER NOT NULL,
        delivered_at TEXT
    );
"""))

MIGRATIONS.append(("0005_understanding", """
    ALTER TABLE labels ADD COLUMN company TEXT;
    ALTER TABLE labels ADD COLUMN role TEXT;
    ALTER TABLE labels ADD COLUMN understood INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE digests ADD COLUMN fingerprint TEXT
"""))

# Every run asks which stored mail the user sent (replies_from); without this it reads the
# whole table: 1.4 s at 100,000 messages.
MIGRATIONS.append(("0006_from_index", """
    CREATE INDEX messages_from ON messages(from_addr)
"""))

# A rejection the model was unsure of is skipped for the model that said so; a new model
# decides again. Recording it keeps each run from re-reading every such rejection, and the
# category index lets the drafts stage find rejections without reading every label.
MIGRATIONS.append(("0007_provisional_skips", """
    ALTER TABLE draft_skips ADD COLUMN model_version TEXT;
    CREATE INDEX labels_category ON labels(category, model_version)
"""))

# The employer and role with where each was read, the requisition ids and the employer's
# domain, as one JSON record (records.JobFacts): applications weigh facts by their source.
# Rows from before it have no facts and are read again once.
MIGRATIONS.append(("0008_job_facts", """
    ALTER TABLE labels ADD COLUMN facts TEXT
"""))
