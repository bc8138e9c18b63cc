"""Server faults between and during runs, against the real Dovecot and a loopback proxy: a stalled
server, a connection cut in the middle of APPEND, a restart, a folder deleted or renamed, and a
server that advertises neither UIDPLUS nor CONDSTORE. Each run ends with the documented code and
the next one finishes the job without duplicates."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.errors import ExitCode
from inboxcoach.store.database import Store
from tests.builders import drafts_in, personal
from tests.dovecot import Dovecot, dovecot_available
from tests.mailgen import make_message
from tests.proxy import CutProxy

pytestmark = pytest.mark.dovecot
DRAFTS = {"your_name": "Sam Candidate", "your_email": "sam@example.org"}
FAST = {"retry_backoff_seconds": 0.01, "timeout_seconds": 2, "retries": 0, "batch_size": 10}


def _stored(cfg: Path) -> int:
    with Store.open(load_config(cfg).db_path) as store:
        return store.message_count()


def _run(cfg: Path) -> int:
    return main(["run", "--config", str(cfg), "-q"])


def test_a_stalled_server_times_out_with_the_network_code_and_the_next_run_resumes(
        dovecot, config_file):
    dovecot.append("INBOX", [make_message(i, pad=3000) for i in range(40)])
    with CutProxy(dovecot.imaps_port, cut_after=60_000, stall=True) as proxy:
        cfg = config_file([dovecot.account(port=proxy.port)], drafts=DRAFTS, fetch=FAST)
        started = time.monotonic()
        assert _run(cfg) == ExitCode.NETWORK
        assert time.monotonic() - started < 30  # the read timeout fired; nothing hung
        partial = _stored(cfg)
        assert 0 < partial < 40 and proxy.cut_count == 1
        assert _run(cfg) == 0  # the proxy now passes everything
    assert _stored(cfg) == 40


def test_a_connection_cut_during_append_leaves_exactly_one_draft(dovecot, config_file,
                                                                  tmp_path: Path, monkeypatch,
                                                                  state_dir: Path):
    dovecot.append("INBOX", [personal()])
    # a clean run through a counting proxy: how many bytes the last connection (the APPEND
    # to Drafts) sends, so the cut can fall inside the draft itself
    with CutProxy(dovecot.imaps_port) as probe:
        monkeypatch.setenv("INBOXCOACH_STATE_DIR", str(tmp_path / "probe"))
        cfg = config_file([dovecot.account(port=probe.port)], drafts=DRAFTS, fetch=FAST)
        assert _run(cfg) == 0
        append_connection, append_bytes = probe.connections, probe.upstream_bytes[-1]
    monkeypatch.setenv("INBOXCOACH_STATE_DIR", str(state_dir))
    assert len(drafts_in(dovecot)) == 1
    with dovecot.client() as c:  # start over: no draft, a new state
        c.select_folder("Drafts")
        c.delete_messages(c.search(["ALL"]))
        c.expunge()
    with CutProxy(dovecot.imaps_port, upstream_cut_after=append_bytes - 700,
                  on_connection=append_connection) as proxy:
        cfg = config_file([dovecot.account(port=proxy.port)], drafts=DRAFTS, fetch=FAST)
        assert _run(cfg) == ExitCode.PARTIAL  # stored and tagged; the draft waits
        assert proxy.cut_count == 1
        with Store.open(load_config(cfg).db_path) as store:
            assert [r.state for r in store.draft_rows()] in (["pending"], ["failed"])
        assert _run(cfg) == 0
        assert _run(cfg) == 0
    assert len(drafts_in(dovecot)) == 1


def test_a_server_restarted_between_runs_is_just_another_run(dovecot, config_file):
    dovecot.append("INBOX", [make_message(i) for i in range(5)])
    cfg = config_file([dovecot.account()], drafts=DRAFTS, fetch=FAST)
    assert _run(cfg) == 0
    dovecot.restart()
    dovecot.append("INBOX", [make_message(i) for i in range(5, 8)])
    assert _run(cfg) == 0
    assert _stored(cfg) == 8


@pytest.mark.parametrize("change", ["delete", "rename"])
def test_a_folder_gone_between_runs_is_partial_and_the_rest_goes_on(dovecot, config_file,
                                                                     capsys, change: str):
    dovecot.append("Jobs", [make_message(i, domain="jobs.example") for i in range(3)])
    dovecot.append("INBOX", [make_message(i) for i in range(3)])
    cfg = config_file([dovecot.account(folders=["INBOX", "Jobs"])], drafts=DRAFTS, fetch=FAST)
    assert _run(cfg) == 0
    with dovecot.client() as c:
        if change == "delete":
            c.delete_folder("Jobs")
        else:
            c.rename_folder("Jobs", "Jobs 2026")
    dovecot.append("INBOX", [make_message(9)])
    assert _run(cfg) == ExitCode.PARTIAL
    assert "Jobs" in capsys.readouterr().err
    assert _stored(cfg) == 7  # the new INBOX message came in; nothing was lost or doubled
    assert (load_config(cfg).digest_dir / "digest.html").exists()
    if change == "rename":  # pointed at the new name: the same messages are not stored again
        cfg = config_file([dovecot.account(folders=["INBOX", "Jobs 2026"])], drafts=DRAFTS,
                          fetch=FAST)
        assert _run(cfg) == 0 and _stored(cfg) == 7


def test_a_server_without_uidplus_or_condstore_still_gets_one_draft(config_file):
    if not dovecot_available():
        pytest.skip("dovecot is not installed (bash .ci/run installs it)")
    server = Dovecot(capability="IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE SPECIAL-USE "
                                "NAMESPACE").start()
    try:
        with server.client() as c:
            caps = set(c.capabilities())
        assert b"UIDPLUS" not in caps and b"CONDSTORE" not in caps
        server.append("INBOX", [personal()])
        cfg = config_file([server.account()], drafts=DRAFTS, fetch=FAST)
        assert _run(cfg) == 0
        assert _run(cfg) == 0
        assert len(drafts_in(server)) == 1
    finally:
        server.cleanup()
