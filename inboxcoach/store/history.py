"""What inboxcoach itself did: the digests it wrote and mailed, and its runs (digests, runs).

The digest's window starts where the last digest ended, and ``status`` reports the last run's
exit code, so both are read from here rather than from files beside the store.
"""

from __future__ import annotations

import json
from datetime import datetime

from inboxcoach.rows import DigestRow, RunRow
from inboxcoach.store.base import Connection, now, stamp


class HistoryQueries(Connection):
    def record_digest(self, written_at: datetime, since: datetime, path: str,
                      new_messages: int, fingerprint: str | None = None) -> int:
        with self.transaction() as c:
            cur = c.execute("INSERT INTO digests(written_at, since, path, new_messages, "
                            "fingerprint) VALUES (?,?,?,?,?)",
                            (stamp(written_at), stamp(since), path, new_messages, fingerprint))
        return int(cur.lastrowid or 0)

    def digest_times(self) -> tuple[datetime, datetime] | None:
        """(where the first digest's window began, when the last digest was written)."""
        row = self.conn.execute("SELECT (SELECT since FROM digests ORDER BY id LIMIT 1), "
                                "MAX(written_at) FROM digests").fetchone()
        if row is None or row[1] is None:
            return None
        return datetime.fromisoformat(row[0]), datetime.fromisoformat(row[1])

    def last_digest(self) -> DigestRow | None:
        row = self.rows("SELECT id, path, new_messages, fingerprint FROM digests "
                        "ORDER BY id DESC LIMIT 1").fetchone()
        return DigestRow(**dict(row)) if row else None

    def fingerprint(self) -> str:
        """Changes whenever anything the digest shows could: mail, tags, drafts, deliveries."""
        row = self.conn.execute("""SELECT
            (SELECT max(id) FROM messages), (SELECT count(*) FROM labels),
            (SELECT max(classified_at) FROM labels), (SELECT count(*) FROM drafts),
            (SELECT max(coalesce(appended_at, created_at)) FROM drafts),
            (SELECT count(*) FROM drafts WHERE state != 'appended'),
            (SELECT count(*) FROM draft_skips), (SELECT max(delivered_at) FROM digests),
            (SELECT count(*) FROM corrections), (SELECT max(corrected_at) FROM corrections)
        """).fetchone()
        return "|".join(map(str, row))

    def last_delivery(self) -> str | None:
        return self.conn.execute("SELECT max(delivered_at) FROM digests").fetchone()[0]

    def mark_delivered(self, digest_id: int) -> None:
        with self.transaction() as c:
            c.execute("UPDATE digests SET delivered_at=? WHERE id=?", (now(), digest_id))

    def start_run(self, command: str) -> int:
        with self.transaction() as c:
            cur = c.execute("INSERT INTO runs(command, started_at) VALUES (?, ?)", (command, now()))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, exit_code: int, summary: dict) -> None:
        with self.transaction() as c:
            c.execute(
                "UPDATE runs SET finished_at=?, exit_code=?, summary=? WHERE id=?",
                (now(), exit_code, json.dumps(summary), run_id),
            )

    def last_run(self, command: str) -> RunRow | None:
        row = self.rows("SELECT started_at, finished_at, exit_code FROM runs WHERE command=? "
                        "ORDER BY id DESC LIMIT 1", (command,)).fetchone()
        return RunRow(**dict(row)) if row else None
