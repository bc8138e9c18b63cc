"""The team's corpus of broken and hostile mail: each message ends stored or recorded as failed."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from imapclient.exceptions import IMAPClientError

from inboxcoach.config import load_config
from inboxcoach.fetch.stage import fetch_all
from inboxcoach.store.database import Store
from tests.builders import deep_multipart
from tests.data_paths import TRICKY
from tests.mailgen import make_message


def tricky_messages() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(TRICKY.glob("*.eml"))}


def big_attachment(megabytes: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = "HR <hr@bigcorp.example>"
    msg["To"] = "applicant@example.org"
    msg["Subject"] = "Offer documents"
    msg["Message-ID"] = "<big-attachment@tricky.test>"
    msg.set_content("Please find the documents attached.")
    msg.add_attachment(b"\0" * (megabytes * 1024 * 1024), maintype="application",
                       subtype="octet-stream", filename="documents.zip")
    return msg.as_bytes()


def outcome(store: Store) -> tuple[int, int]:
    stored = store.message_count()
    failed = len(store.failures())
    return stored, failed


def test_every_tricky_message_is_stored_or_recorded_from_eml_files(tmp_path, config_file):
    folder = tmp_path / "eml"
    folder.mkdir()
    messages = tricky_messages() | {"deep.eml": deep_multipart(1000)}
    for name, raw in messages.items():
        (folder / name).write_bytes(raw)
    cfg = config_file([{"name": "files", "kind": "eml", "path": str(folder)}])
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        report = fetch_all(settings, store)
        _stored, failed = outcome(store)
        locations = store.conn.execute("SELECT count(*) FROM locations").fetchone()[0]
        reasons = [f[3] for f in store.failures()]
    assert locations + failed == len(messages)  # every file accounted for, none lost
    assert report.total("stored") + report.total("duplicates") + report.total("failed") == len(
        messages)
    assert all(reason.strip() for reason in reasons)
    assert int(report.exit_code) in (0, 4)


@pytest.mark.dovecot
def test_tricky_mail_and_a_30mb_attachment_over_imap(dovecot, config_file):
    messages = [*list(tricky_messages().values()), deep_multipart(1000), big_attachment(30)]
    accepted = 0
    with dovecot.client() as client:
        for raw in messages:
            try:
                client.append("INBOX", raw)
            except IMAPClientError:  # the server may refuse a few (empty, NUL bytes): fine
                continue
            accepted += 1
    assert accepted >= len(messages) - 3
    cfg = config_file([dovecot.account()])
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        report = fetch_all(settings, store)
        failed = len(store.failures())
        locations = store.conn.execute("SELECT count(*) FROM locations").fetchone()[0]
        big = store.conn.execute(
            "SELECT headers_only, raw_size FROM messages WHERE message_id=?",
            ("big-attachment@tricky.test",)).fetchone()
    assert locations + failed == accepted
    assert big[0] == 1 and big[1] < 10_000  # over the 25 MB cap: headers only
    assert report.accounts[0].error is None


def test_malformed_message_is_recorded_and_the_run_goes_on(tmp_path, config_file):
    folder = tmp_path / "eml"
    folder.mkdir()
    (folder / "a-good.eml").write_bytes(make_message(1))
    (folder / "b-crash.eml").write_bytes((TRICKY / "parser-crash-inner-boundary.eml").read_bytes())
    (folder / "c-good.eml").write_bytes(make_message(2))
    cfg = config_file([{"name": "files", "kind": "eml", "path": str(folder)}])
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        first = fetch_all(settings, store)
        second = fetch_all(settings, store)
        failures = store.failures()
    assert first.total("stored") == 2
    assert [f[2] for f in failures] == ["b-crash.eml"]
    assert "AttributeError" in failures[0][3]
    assert int(first.exit_code) == 4
    assert second.total("stored") == second.total("failed") == 0  # recorded once, not retried


def test_big_mail_parses_headers_only_from_local_files(tmp_path, config_file):
    folder = tmp_path / "eml"
    folder.mkdir()
    (folder / "big.eml").write_bytes(big_attachment(3))
    cfg = config_file([{"name": "files", "kind": "eml", "path": str(folder)}],
                      fetch={"max_message_mb": 1})
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        fetch_all(settings, store)
        row = store.conn.execute("SELECT headers_only, raw_size FROM messages").fetchone()
    assert row[0] == 1 and row[1] < 2000
