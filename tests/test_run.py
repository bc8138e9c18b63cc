"""``inboxcoach run`` end to end against the real Dovecot: the digest is written, drafts are
appended once, a re-run adds nothing, a second run waits for no one, and signals stop it cleanly."""

from __future__ import annotations

import mailbox
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from inboxcoach.cli import main
from inboxcoach.config import load_config
from inboxcoach.errors import ExitCode
from inboxcoach.lock import RunLock
from inboxcoach.run import run_pipeline, stop_on_sigterm
from inboxcoach.store.database import Store
from tests.builders import automated, drafts_in, personal
from tests.dovecot import free_port

DRAFTS = {"your_name": "Sam Candidate", "your_email": "sam@example.org"}


def _cli(cfg: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "inboxcoach", "run", "--config", str(cfg),
                           *extra], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, check=False)


@pytest.mark.dovecot
def test_run_fetches_drafts_and_writes_the_digest_once(dovecot, config_file):
    from datetime import UTC, datetime, timedelta

    today = datetime.now(UTC) - timedelta(hours=6)  # within the first digest's 24 hours
    dovecot.append("INBOX", [personal(when=today), automated(when=today)])
    cfg = config_file([dovecot.account()], drafts=DRAFTS)
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    settings = load_config(cfg)
    digest = settings.digest_dir / "digest.html"
    first = digest.read_text("utf-8")
    assert "Your application to Acme" in first and "automated: no one to ask" in first
    assert len(drafts_in(dovecot)) == 1

    assert main(["run", "--config", str(cfg), "-q"]) == 0  # nothing new: nothing added
    assert len(drafts_in(dovecot)) == 1
    with Store.open(settings.db_path) as store:
        assert store.message_count() == 2 and len(store.draft_rows()) == 1
        runs = store.conn.execute("SELECT exit_code FROM runs WHERE command='run'").fetchall()
    assert runs == [(0,), (0,)]
    assert len(list(settings.digest_dir.glob("digest-*.html"))) == 1  # one dated copy a day


@pytest.mark.dovecot
def test_a_run_while_another_holds_the_lock_exits_at_once_with_its_code(dovecot, config_file,
                                                                        tmp_path: Path):
    cfg = config_file([dovecot.account()], drafts=DRAFTS)
    log = tmp_path / "run.log"
    with RunLock(load_config(cfg).state_dir):
        quiet = _cli(cfg, "--quiet", "--log-file", str(log))
        verbose = _cli(cfg, "-v")
    assert quiet.returncode == verbose.returncode == ExitCode.BUSY == 5
    assert quiet.stderr == ""  # routine under cron: no mail about it
    assert "another inboxcoach run is in progress (pid" in log.read_text()
    assert "another inboxcoach run is in progress (pid" in verbose.stderr
    assert _cli(cfg).returncode == 0  # the lock went with its holder


@pytest.mark.dovecot
def test_one_failing_account_does_not_stop_the_others(dovecot, config_file):
    dovecot.append("INBOX", [personal()])
    down = dovecot.account(name="down", port=free_port())
    cfg = config_file([down, dovecot.account(name="up")], drafts=DRAFTS)
    assert main(["run", "--config", str(cfg), "-q"]) == ExitCode.PARTIAL
    settings = load_config(cfg)
    assert (settings.digest_dir / "digest.html").exists()
    assert len(drafts_in(dovecot)) == 1


@pytest.mark.dovecot
def test_run_under_cron_is_silent_on_success_and_logs_one_line(dovecot, config_file,
                                                                tmp_path: Path):
    dovecot.append("INBOX", [personal()])
    cfg = config_file([dovecot.account()], drafts=DRAFTS)
    log = tmp_path / "logs" / "run.log"
    done = _cli(cfg, "--log-file", str(log))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""
    lines = log.read_text().splitlines()
    assert len([line for line in lines if " run: " in line]) == 1
    assert "1 new message(s)" in lines[-1] and "(exit 0)" in lines[-1]
    assert oct(log.stat().st_mode)[-3:] == "600"
    assert os.environ["INBOXCOACH_TEST_PW"] not in log.read_text()


@pytest.mark.dovecot
def test_a_stop_between_batches_keeps_what_was_done_and_the_next_run_finishes(dovecot,
                                                                                config_file):
    from tests.mailgen import make_message

    dovecot.append("INBOX", [make_message(i) for i in range(30)])
    cfg = config_file([dovecot.account()], drafts=DRAFTS, fetch={"batch_size": 10})
    settings = load_config(cfg)
    with Store.open(settings.db_path) as store:
        # as if SIGTERM came while the first batch was being fetched
        report = run_pipeline(settings, store, should_stop=lambda: store.message_count() >= 10)
        assert report.stopped and report.exit_code == ExitCode.STOPPED
        assert store.message_count() == 10 and report.digest is None
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    with Store.open(settings.db_path) as store:
        assert store.message_count() == 30


def test_sigterm_becomes_a_flag_and_the_old_handler_comes_back():
    before = signal.getsignal(signal.SIGTERM)
    with stop_on_sigterm() as should_stop:
        assert not should_stop()
        os.kill(os.getpid(), signal.SIGTERM)
        assert should_stop()
    assert signal.getsignal(signal.SIGTERM) is before


def test_run_with_a_bad_config_names_the_key(tmp_path: Path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[[accounts]]\nname = "x"\nkind = "imap"\n')
    assert main(["run", "--config", str(cfg)]) == ExitCode.CONFIG
    assert "accounts[0].host is missing" in capsys.readouterr().err


def _maildir_config(tmp_path: Path, config_file) -> Path:
    import mailbox
    from datetime import UTC, datetime, timedelta

    from tests.mailgen import make_message

    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, when=datetime.now(UTC) - timedelta(hours=2)))
    return config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                       drafts=DRAFTS)


def test_without_a_model_the_digest_is_still_written_and_says_what_is_untagged(
        tmp_path: Path, config_file, monkeypatch):
    from inboxcoach.classify import model_files as modelfiles

    cfg = _maildir_config(tmp_path, config_file)
    monkeypatch.setattr(modelfiles, "PACKAGED_MODEL_DIR", tmp_path / "none")
    monkeypatch.setattr(modelfiles, "REPO_MODEL_DIR", tmp_path / "none")
    assert main(["run", "--config", str(cfg), "-q"]) == ExitCode.CONFIG
    html = (load_config(cfg).digest_dir / "digest.html").read_text()
    assert "1 stored message is not tagged yet" in html and "model none" in html


def test_a_bug_in_one_stage_is_exit_1_and_the_later_stages_still_run(
        tmp_path: Path, config_file, monkeypatch, capsys):
    import inboxcoach.run

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    cfg = _maildir_config(tmp_path, config_file)
    monkeypatch.setattr(inboxcoach.run, "make_drafts", broken)
    assert main(["run", "--config", str(cfg), "-q"]) == ExitCode.INTERNAL
    assert (load_config(cfg).digest_dir / "digest.html").exists()
    err = capsys.readouterr().err
    assert "drafts: unexpected error" in err and "RuntimeError: boom" in err


def test_a_run_with_nothing_new_keeps_the_digest_and_a_change_rebuilds_it(
        tmp_path: Path, config_file):
    cfg = _maildir_config(tmp_path, config_file)
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    settings = load_config(cfg)
    digest = settings.digest_dir / "digest.html"
    first = digest.stat().st_mtime_ns
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    assert digest.stat().st_mtime_ns == first
    with Store.open(settings.db_path) as store:
        # a message tagged before employer and role were kept: read once, then kept
        store.conn.execute("UPDATE labels SET understood=0, company=NULL, role=NULL, facts=NULL")
        store.conn.execute("UPDATE labels SET classified_at='2000-01-01'")  # a change
    assert main(["digest", "--config", str(cfg)]) == 0
    assert digest.stat().st_mtime_ns != first
    with Store.open(settings.db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM labels WHERE understood=0"
                                  ).fetchone()[0] == 0
        assert store.conn.execute("SELECT count(*) FROM digests").fetchone()[0] == 2
        # facts read by older rules are read again, once, by the current ones
        store.conn.execute("UPDATE labels SET facts=json_set(facts, '$.rules', 0) "
                           "WHERE facts IS NOT NULL")
    assert main(["applications", "--config", str(cfg), "--json"]) == 0
    from inboxcoach.classify.understand import RULES_VERSION

    with Store.open(settings.db_path) as store:
        assert store.conn.execute("SELECT count(*) FROM labels WHERE facts IS NOT NULL AND "
                                  "json_extract(facts, '$.rules') != ?", (RULES_VERSION,)
                                  ).fetchone()[0] == 0


def test_the_digest_command_says_when_it_kept_the_last_digest(tmp_path: Path, config_file,
                                                              capsys):
    cfg = _maildir_config(tmp_path, config_file)
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    capsys.readouterr()
    assert main(["digest", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("nothing changed since the last digest") and "written" not in out


def test_status_shows_the_last_runs_exit_code(tmp_path: Path, config_file, capsys):
    cfg = _maildir_config(tmp_path, config_file)
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    capsys.readouterr()
    assert main(["status", "--config", str(cfg)]) == 0
    assert "exit code 0 (everything done)" in next(
        line for line in capsys.readouterr().out.splitlines() if line.startswith("last run:"))


def test_a_missing_local_path_skips_that_account_only(tmp_path: Path, config_file, capsys):
    from datetime import UTC, datetime, timedelta

    from tests.mailgen import make_message

    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, when=datetime.now(UTC) - timedelta(hours=2)))
    cfg = config_file([{"name": "here", "kind": "maildir", "path": str(tmp_path / "mail")},
                       {"name": "usb", "kind": "mbox", "path": str(tmp_path / "usb" / "x.mbox")}],
                      drafts=DRAFTS)
    assert main(["run", "--config", str(cfg), "-q"]) == ExitCode.PARTIAL
    assert "usb: " in capsys.readouterr().err
    with Store.open(load_config(cfg).db_path) as store:
        assert store.message_count() == 1
    alone = config_file([{"name": "usb", "kind": "mbox", "path": str(tmp_path / "x.mbox")}],
                        drafts=DRAFTS)
    assert main(["run", "--config", str(alone), "-q"]) == ExitCode.CONFIG
    assert "x.mbox does not exist: mount the disk" in capsys.readouterr().err


def test_new_since_holds_across_runs_midnight_and_a_week_without_runs(tmp_path: Path,
                                                                      config_file):
    """A new mailbox with two weeks of mail: the first digest shows the last day; a second
    digest the same day shows the same, not the backlog; after midnight and after a week
    without runs, mail that came in between is new and old mail is not."""
    from datetime import UTC, datetime, timedelta

    from inboxcoach.digest.gather import gather
    from tests.mailgen import make_message

    t0 = (datetime.now(UTC).astimezone().replace(hour=12, minute=0, second=0, microsecond=0)
          - timedelta(days=20))  # noon, local time: "yesterday" is what the test says
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    for i in range(14):  # one a day for two weeks: one of them within the last day
        box.add(make_message(i, when=t0 - timedelta(days=i, hours=2)))
    cfg = config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                      drafts=DRAFTS)
    settings = load_config(cfg)

    def fetch(at: datetime) -> None:  # as if fetched at ``at``
        with Store.open(settings.db_path) as store:
            known = {r[0] for r in store.conn.execute("SELECT id FROM messages")}
        assert main(["fetch", "--config", str(cfg), "-q"]) == 0
        with Store.open(settings.db_path) as store:
            for (rowid,) in list(store.conn.execute("SELECT id FROM messages")):
                if rowid not in known:
                    store.conn.execute("UPDATE messages SET first_seen=? WHERE id=?",
                                       (at.isoformat(), rowid))

    fetch(t0 - timedelta(minutes=1))

    def digest(now: datetime) -> int:
        with Store.open(settings.db_path) as store:
            d = gather(store, settings, now)
            store.record_digest(now, d.since, "x", d.new_count)
            return d.new_count

    assert digest(t0) == 1
    assert digest(t0 + timedelta(hours=1)) == 1  # the same day: the same window
    box.add(make_message(100, when=t0 + timedelta(hours=3)))
    fetch(t0 + timedelta(hours=3, minutes=30))
    assert digest(t0 + timedelta(hours=4)) == 2
    # after midnight: since the start of yesterday, so the day's news again, the backlog not
    assert digest(t0 + timedelta(days=1, hours=1)) == 2
    box.add(make_message(101, when=t0 + timedelta(days=9)))
    fetch(t0 + timedelta(days=9, minutes=30))
    # a week without runs: what came since the last digest, and nothing older
    assert digest(t0 + timedelta(days=9, hours=1)) == 1
