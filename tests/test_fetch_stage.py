"""The fetch stage's bookkeeping: batches, checkpoints, retries and failures (fake mailbox)."""

from __future__ import annotations

import pytest

from inboxcoach.errors import AuthError, ExitCode
from inboxcoach.fetch.stage import FetchReport, fetch_account
from inboxcoach.progress import NoProgress
from inboxcoach.settings import FetchSettings, ImapAccount, SecretSpec
from inboxcoach.store.database import Store
from tests.data_paths import TRICKY
from tests.fakes import FakeMailbox
from tests.mailgen import make_message

SECRET = SecretSpec("password", "literal", "unused")  # the fake mailbox never logs in
ACCOUNT = ImapAccount(name="fake", key="accounts[0]", host="fake.invalid", username="me",
                      secret=SECRET, folders=("INBOX",))


@pytest.fixture
def store(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as s:
        yield s


def run(box, store, retries=3, sleeps=None, account=ACCOUNT, batch=3):
    opts = FetchSettings(batch_size=batch, retries=retries, retry_backoff_seconds=1.0)
    return fetch_account(account, box, store, opts, NoProgress(),
                         sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_drop_mid_fetch_resumes_from_last_committed_batch(store):
    box = FakeMailbox({"INBOX": [make_message(i) for i in range(10)]}, fail_fetch_at=[5, 8])
    sleeps: list[float] = []
    report = run(box, store, sleeps=sleeps)
    assert report.ok and report.reconnects == 2 and box.opened == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff
    assert store.message_count() == 10 and report.folders[0].stored == 10
    assert store.checkpoint("fake", "INBOX").last_uid == 10


def test_retries_are_bounded_and_progress_is_kept(store):
    box = FakeMailbox({"INBOX": [make_message(i) for i in range(10)]},
                      fail_fetch_at=[4, 5, 6, 7])
    report = run(box, store, retries=2, batch=1)
    assert report.error == "connection lost" and report.error_code == ExitCode.NETWORK
    assert store.message_count() == 5  # batches committed before the failures stay
    assert FetchReport([report]).exit_code == ExitCode.NETWORK
    report = run(box, store, batch=1)
    assert report.ok and store.message_count() == 10


def test_auth_errors_are_not_retried(store):
    class Refusing(FakeMailbox):
        def __enter__(self):
            raise AuthError("refused")

    box = Refusing({"INBOX": []})
    report = run(box, store)
    assert box.opened == 1 and report.error == "refused"


def test_checkpoint_not_moved_when_commit_fails(store, monkeypatch):
    box = FakeMailbox({"INBOX": [make_message(i) for i in range(6)]})
    calls = {"n": 0}
    real = store.commit_batch

    def crash_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # the process dying mid-batch
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "commit_batch", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        run(box, store)
    assert store.message_count() == 3 and store.checkpoint("fake", "INBOX").last_uid == 3
    monkeypatch.undo()
    report = run(box, store)
    assert report.folders[0].stored == 3 and store.message_count() == 6


def test_crash_inside_the_transaction_rolls_back(store, monkeypatch):
    box = FakeMailbox({"INBOX": [make_message(i) for i in range(3)]})
    import inboxcoach.store.sync as store_mod  # where messages are written

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_mod.zlib, "compress", boom)
    with pytest.raises(KeyboardInterrupt):
        run(box, store)
    assert store.message_count() == 0 and store.checkpoint("fake", "INBOX").last_uid == 0


def test_unreadable_message_is_recorded_once_and_exit_code_is_partial(store):
    bad = (TRICKY / "parser-crash-inner-boundary.eml").read_bytes()
    box = FakeMailbox({"INBOX": [make_message(1), bad, make_message(2)]})
    report = run(box, store)
    assert report.folders[0].failed == 1 and store.message_count() == 2
    assert FetchReport([report]).exit_code == ExitCode.PARTIAL
    box2 = FakeMailbox({"INBOX": [make_message(1), bad, make_message(2)]}, uidvalidity=1)
    again = run(box2, store)
    assert again.folders[0].failed == 0 and again.folders[0].stored == 0


def test_missing_folder_does_not_stop_the_next(store):
    account = ImapAccount(name="fake", key="accounts[0]", host="fake.invalid", username="me",
                          secret=SECRET, folders=("Gone", "INBOX"))
    box = FakeMailbox({"INBOX": [make_message(1)]})
    report = run(box, store, account=account)
    assert not report.ok and report.error is None
    assert [f.error is None for f in report.folders] == [False, True]
    assert FetchReport([report]).exit_code == ExitCode.PARTIAL
    assert store.message_count() == 1


def test_summary_line():
    report = FetchReport([], 1.25)
    assert report.summary() == ("fetch: 0 account(s), 0 folder(s), 0 new, 0 already stored, "
                                "0 unreadable in 1.2s")
