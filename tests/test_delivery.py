"""Mailing the digest to its owner, against a real SMTP server (aiosmtpd) on 127.0.0.1 with a
trustme certificate: STARTTLS and implicit TLS, login, refusals, and only ever the owner."""

from __future__ import annotations

import email
import email.policy
import mailbox
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from inboxcoach.cli import main
from inboxcoach.config import load_config, parse_config
from inboxcoach.digest.deliver import send_digest
from inboxcoach.errors import ConfigError, DeliveryError
from inboxcoach.run import delivery_due
from inboxcoach.settings import DeliverySettings, SecretSpec
from inboxcoach.store.database import Store
from tests.builders import Inbox
from tests.dovecot import free_port
from tests.mailgen import make_message

OWNER = "sam@example.org"
PASSWORD = "smtp-secret-5f2c"


def _auth(server, session, envelope, mechanism, data) -> AuthResult:
    ok = data.login == b"sam" and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox
    ca_file: Path


@pytest.fixture(params=["starttls", "tls"])
def smtp(request, tmp_path: Path) -> Iterator[SmtpServer]:
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    inbox, port = Inbox(), free_port()
    # aiosmtpd only knows of TLS it started itself, so implicit TLS cannot also require it
    tls = ({"tls_context": ctx, "require_starttls": True, "auth_require_tls": True}
           if request.param == "starttls" else {"ssl_context": ctx, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=_auth, **tls)
    controller.start()
    try:
        yield SmtpServer(port, inbox, ca_file)
    finally:
        controller.stop()


def _settings(server: SmtpServer, security: str, password: str = PASSWORD,
              ca: bool = True) -> DeliverySettings:
    return DeliverySettings(
        enabled=True, host="127.0.0.1", port=server.port, security=security,
        ca_file=server.ca_file if ca else None, username="sam",
        secret=SecretSpec("password", "literal", password, "delivery.password"), to=OWNER)


def _security(request) -> str:
    return request.node.callspec.params["smtp"]


def test_the_digest_reaches_the_owner_and_no_one_else(smtp: SmtpServer, request):
    send_digest(_settings(smtp, _security(request)), "<h1>Your job search</h1>", "Digest")
    [(rcpt, raw)] = smtp.inbox.received
    assert rcpt == [OWNER]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["To"] == OWNER and msg["Auto-Submitted"] == "auto-generated"
    assert "<h1>Your job search</h1>" in msg.get_body(("html",)).get_content()
    assert PASSWORD.encode() not in raw


def test_an_untrusted_certificate_is_refused_with_the_fix(smtp: SmtpServer, request):
    with pytest.raises(DeliveryError, match=r"not trusted.*delivery\.ca_file"):
        send_digest(_settings(smtp, _security(request), ca=False), "<p>x</p>", "Digest")
    assert smtp.inbox.received == []


def test_a_wrong_password_is_named_without_the_password(smtp: SmtpServer, request):
    with pytest.raises(DeliveryError, match="refused the login for sam") as caught:
        send_digest(_settings(smtp, _security(request), password="wrong-pw-77"), "x", "Digest")
    assert "wrong-pw-77" not in str(caught.value) and smtp.inbox.received == []


def test_run_mails_the_digest_once_and_not_again_without_news(smtp: SmtpServer, request,
                                                                tmp_path: Path, config_file,
                                                                monkeypatch):
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, "Interview invitation", "Hi Sam,\n\nWould you have time for an "
                         "interview on Tuesday?\n\nJane\n",
                         when=datetime.now(UTC) - timedelta(hours=3)))
    monkeypatch.setenv("SMTP_PW", PASSWORD)
    delivery = {"enabled": True, "host": "127.0.0.1", "port": smtp.port,
                "security": _security(request), "ca_file": str(smtp.ca_file),
                "username": "sam", "password_env": "SMTP_PW", "hour": 0}
    cfg = config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                      drafts={"your_name": "Sam", "your_email": OWNER}, delivery=delivery)
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    assert main(["run", "--config", str(cfg), "-q"]) == 0
    assert [rcpt for rcpt, _ in smtp.inbox.received] == [[OWNER]]
    settings = load_config(cfg)
    assert settings.delivery.to == OWNER


def test_delivery_that_fails_leaves_the_digest_and_says_partial(tmp_path: Path, config_file):
    box = mailbox.Maildir(tmp_path / "mail", create=True)
    box.add(make_message(1, when=datetime.now(UTC) - timedelta(hours=1)))
    cfg = config_file([{"name": "local", "kind": "maildir", "path": str(tmp_path / "mail")}],
                      drafts={"your_name": "Sam", "your_email": OWNER},
                      delivery={"enabled": True, "host": "127.0.0.1", "port": free_port(),
                                "hour": 0})
    assert main(["run", "--config", str(cfg), "-q"]) == 4
    assert (load_config(cfg).digest_dir / "digest.html").exists()


def test_delivery_is_due_once_a_day_from_its_hour_and_only_with_news(tmp_path: Path):
    settings = parse_config({"accounts": [{"kind": "eml", "path": "."}],
                             "delivery": {"enabled": True, "host": "h", "to": OWNER,
                                          "hour": 7}})
    morning = datetime.now().astimezone().replace(hour=8, minute=0)
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert not delivery_due(store, settings, morning.replace(hour=6), 3)  # too early
        assert not delivery_due(store, settings, morning, 0)  # nothing new
        assert delivery_due(store, settings, morning, 3)
        store.mark_delivered(store.record_digest(morning, morning, "x", 3))
        assert not delivery_due(store, settings, morning.replace(hour=23), 3)  # sent today
        assert delivery_due(store, settings, morning + timedelta(days=1), 1)


@pytest.mark.parametrize(("table", "message"), [
    ({"enabled": True, "host": "smtp.example.com"}, "delivery.to is missing"),
    ({"enabled": True, "host": "h", "to": OWNER, "security": "none"},
     'delivery.security is \'none\': use "starttls"'),
    ({"enabled": True, "to": OWNER}, "delivery.host is missing"),
    ({"enabled": True, "host": "h", "to": OWNER, "password_env": "X"},
     "delivery.password_env is set but username is not"),
    ({"enabled": False, "hots": "typo"}, "delivery.hots is not a known setting"),
    ({"enabled": True, "host": "h", "to": "me@x.example, other@evil.example"},
     "delivery.to is 'me@x.example, other@evil.example', not one plain address"),
    ({"enabled": True, "host": "h", "to": "Me <me@x.example>"}, "not one plain address"),
    ({"enabled": True, "host": "h", "to": OWNER, "hour": 24}, "delivery.hour is 24"),
])
def test_delivery_config_errors_name_the_key(table: dict, message: str):
    data = {"delivery": table, "accounts": [{"kind": "eml", "path": "."}]}
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        parse_config(data)


def test_delivery_is_off_by_default():
    settings = parse_config({"accounts": [{"kind": "eml", "path": "."}]})
    assert not settings.delivery.enabled
