"""Fetching from a real Dovecot over TLS: incremental, read-only, resilient, no duplicates."""

from __future__ import annotations

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.fetch.stage import fetch_all
from inboxcoach.store.database import Store
from tests.dovecot import PASSWORD
from tests.mailgen import make_message
from tests.proxy import CutProxy

pytestmark = pytest.mark.dovecot


def fetch(config_path):
    settings = load_config(config_path)
    with Store.open(settings.db_path) as store:
        report = fetch_all(settings, store)
        return report, store.message_count()


def test_first_then_incremental_fetch(dovecot, config_file):
    dovecot.append("INBOX", [make_message(i) for i in range(5)])
    cfg = config_file([dovecot.account()])
    report, count = fetch(cfg)
    assert (report.total("stored"), count, int(report.exit_code)) == (5, 5, 0)

    dovecot.append("INBOX", [make_message(i) for i in range(5, 8)])
    report, count = fetch(cfg)
    assert (report.total("stored"), report.total("duplicates"), count) == (3, 0, 8)

    report, count = fetch(cfg)
    assert (report.total("stored"), report.total("duplicates"), count) == (0, 0, 8)


def test_fetch_changes_no_flag(dovecot, config_file):
    dovecot.append("INBOX", [make_message(i) for i in range(4)])
    dovecot.append("INBOX", [make_message(i) for i in range(4, 6)], flags=("\\Flagged",))
    before = dovecot.flags()
    assert "\\Seen" not in before
    assert main(["fetch", "--config", str(config_file([dovecot.account()]))]) == 0
    assert dovecot.flags() == before


def test_uidvalidity_reset_stores_nothing_twice(dovecot, config_file):
    messages = [make_message(i) for i in range(6)]
    dovecot.append("Jobs", messages)
    cfg = config_file([dovecot.account(folders=["Jobs"])])
    report, count = fetch(cfg)
    assert count == 6
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        old = store.checkpoint("test", "Jobs")

    dovecot.delete_folder("Jobs")
    dovecot.append("Jobs", [*messages, make_message(6)])
    report, count = fetch(cfg)
    assert (report.total("stored"), report.total("duplicates"), count) == (1, 6, 7)
    with Store.open(settings.db_path) as store:
        new = store.checkpoint("test", "Jobs")
        statuses = {s.folder: s.messages for s in store.folder_statuses()}
    assert new.uidvalidity != old.uidvalidity and new.last_uid == 7
    assert statuses["Jobs"] == 7


def test_connection_cut_mid_fetch_resumes_without_loss_or_duplicates(dovecot, config_file):
    dovecot.append("INBOX", [make_message(i, pad=20_000) for i in range(40)])
    with CutProxy(dovecot.imaps_port, cut_after=300_000) as proxy:
        cfg = config_file(
            [dovecot.account(port=proxy.port)],
            fetch={"batch_size": 5, "retry_backoff_seconds": 0.01, "timeout_seconds": 5},
        )
        report, count = fetch(cfg)
        assert proxy.cut_count == 1 and proxy.connections == 2
    assert report.accounts[0].reconnects == 1
    assert (report.total("stored"), report.total("duplicates"), count) == (40, 0, 40)
    assert int(report.exit_code) == 0


def test_connection_cut_every_time_gives_up_with_network_code(dovecot, config_file, capsys):
    dovecot.append("INBOX", [make_message(i, pad=20_000) for i in range(20)])
    with CutProxy(dovecot.imaps_port, cut_after=150_000, cuts=100) as proxy:
        cfg = config_file(
            [dovecot.account(port=proxy.port)],
            fetch={"batch_size": 2, "retries": 2, "retry_backoff_seconds": 0.01},
        )
        assert main(["fetch", "--config", str(cfg)]) == 3
        assert proxy.connections == 3
    # what was committed before each cut stays; the next run finishes the job
    assert main(["fetch", "--config", str(cfg), "-q"]) == 0
    _, count = fetch(cfg)
    assert count == 20


def test_wrong_password_is_clear_and_secret_free(dovecot, config_file, monkeypatch, capsys):
    monkeypatch.setenv("INBOXCOACH_TEST_PW", "not-the-password-123")
    cfg = config_file([dovecot.account()])
    assert main(["fetch", "--config", str(cfg)]) == 3
    out = capsys.readouterr()
    text = out.out + out.err
    assert "refused the credentials" in text and "Traceback" not in text
    assert "not-the-password-123" not in text and PASSWORD not in text


def test_unknown_host(config_file, capsys):
    cfg = config_file([{
        "name": "nowhere", "host": "imap.nonexistent.invalid", "username": "u",
        "password": "pw-unknown-host-42",
    }], fetch={"retries": 0})
    assert main(["fetch", "--config", str(cfg)]) == 3
    text = "".join(capsys.readouterr())
    assert "not found" in text and "Traceback" not in text and "pw-unknown-host-42" not in text


def test_untrusted_certificate_is_refused_with_advice(dovecot, config_file, capsys):
    account = dovecot.account()
    del account["ca_file"]
    assert main(["fetch", "--config", str(config_file([account]))]) == 3
    text = "".join(capsys.readouterr())
    assert "not trusted" in text and "ca_file" in text


def test_starttls(dovecot, config_file):
    cfg = config_file([dovecot.account(port=dovecot.imap_port, security="starttls")])
    dovecot.append("INBOX", [make_message(1)])
    report, count = fetch(cfg)
    assert count == 1 and int(report.exit_code) == 0


def test_folder_names_with_spaces_and_non_ascii(dovecot, config_file):
    folders = ["Job Search/Bewerbungen \u2013 Absagen", "[Archive]/All Mail", "Candidatures reçues"]
    for n, folder in enumerate(folders):
        dovecot.append(folder, [make_message(10 * n + i) for i in range(2)])
    report, count = fetch(config_file([dovecot.account(folders=folders)]))
    assert count == 6 and int(report.exit_code) == 0
    assert sorted(f.folder for f in report.accounts[0].folders) == sorted(folders)


def test_same_message_in_two_folders_is_stored_once(dovecot, config_file):
    dovecot.append("INBOX", [make_message(i) for i in range(3)])
    dovecot.append("Archive", [make_message(i) for i in range(3)])
    report, count = fetch(config_file([dovecot.account(folders=["INBOX", "Archive"])]))
    assert (count, report.total("stored"), report.total("duplicates")) == (3, 3, 3)


def test_missing_folder_is_partial_and_others_go_on(dovecot, config_file, capsys):
    dovecot.append("INBOX", [make_message(1)])
    cfg = config_file([dovecot.account(folders=["Gone", "INBOX"])])
    assert main(["fetch", "--config", str(cfg)]) == 4
    _, count = fetch(cfg)
    assert count == 1
    assert main(["status", "--config", str(cfg)]) == 0
    assert "Gone" in capsys.readouterr().out


def test_since_limits_the_first_fetch(dovecot, config_file):
    dovecot.append("INBOX", [make_message(1)])
    report, count = fetch(config_file([dovecot.account(since="2999-01-01")]))
    assert count == 0 and int(report.exit_code) == 0


def test_oversized_message_keeps_headers_only(dovecot, config_file):
    dovecot.append("INBOX", [make_message(1, pad=2 * 1024 * 1024), make_message(2)])
    cfg = config_file([dovecot.account()], fetch={"max_message_mb": 1})
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        fetch_all(settings, store)
        rows = dict(store.conn.execute("SELECT message_id, headers_only FROM messages"))
    assert rows == {"msg-1@test.example": 1, "msg-2@test.example": 0}


def test_check_lists_folders_and_special_use_without_changes(dovecot, config_file, capsys):
    dovecot.append("INBOX", [make_message(1)])
    before = dovecot.flags()
    assert main(["check", "--config", str(config_file([dovecot.account()]))]) == 0
    out = capsys.readouterr().out
    assert "sent folder: Sent" in out and "drafts folder: Drafts" in out
    assert "scan INBOX: 1 message(s)" in out
    assert dovecot.flags() == before


def test_oauth2_token_command_logs_in_with_xoauth2(tmp_path, config_file):
    """Gmail and Microsoft 365 need XOAUTH2: the token comes from a command, Dovecot checks it
    against a local token-introspection endpoint."""
    import json
    import sys
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer
    from urllib.parse import parse_qs

    from tests.dovecot import USER, Dovecot

    token = "ya29.test-token-abc"
    seen = []

    class Introspect(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            given = parse_qs(body).get("token", [""])[0] or self.headers.get(
                "Authorization", "").removeprefix("Bearer ")
            seen.append(given)
            answer = {"active": given == token, "username": USER}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    http = HTTPServer(("127.0.0.1", 0), Introspect)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    server = Dovecot(oauth2_url=f"http://127.0.0.1:{http.server_port}/introspect").start()
    try:
        server.append("INBOX", [make_message(1)])
        account = server.account()
        del account["password_env"]
        account["oauth2_token_command"] = [sys.executable, "-c", f"print({token!r})"]
        report, count = fetch(config_file([account]))
        assert count == 1 and int(report.exit_code) == 0 and token in seen
    finally:
        server.cleanup()
        http.shutdown()


def test_protocol_log_with_vv_redacts_the_password(dovecot, config_file, capsys):
    dovecot.append("INBOX", [make_message(1)])
    assert main(["fetch", "-vv", "--config", str(config_file([dovecot.account()]))]) == 0
    err = capsys.readouterr().err
    assert "LOGIN" in err or "login" in err  # the protocol log is really on
    assert PASSWORD not in err


def test_check_finds_sent_and_drafts_by_name_without_special_use(config_file, capsys):
    from tests.dovecot import Dovecot, dovecot_available

    if not dovecot_available():
        pytest.skip("dovecot is not installed")
    server = Dovecot(special_use=False).start()
    try:
        assert main(["check", "--config", str(config_file([server.account()]))]) == 0
        out = capsys.readouterr().out
        assert "[sent]" not in out and "[drafts]" not in out
        assert "sent folder: Sent" in out and "drafts folder: Drafts" in out
    finally:
        server.cleanup()
