"""Secrets never leave memory: run everything with known, distinctive passwords and tokens, given
through every way the config allows, then search every file inboxcoach wrote and everything it
printed or mailed for them (raw, quoted, escaped, or base64 as they go over the wire). None may be
there, and the state, drafts, digests and the log are readable by their owner alone.

One sequence of real ``inboxcoach`` processes (so the real CLI and logging setup are used), all
with ``-vv`` (the IMAP protocol log), against one Dovecot (TLS, trustme CA, XOAUTH2 through a
local token-introspection endpoint) and one aiosmtpd server (STARTTLS, AUTH):

- ``password_env``: ``run`` with a wrong SMTP password (refused), ``run`` that drafts and mails
  the digest, ``run`` without the CA (certificate not trusted), ``run`` with a wrong password;
- every other way (``password_file``, ``password_command``, literal ``password``, and the three
  ``oauth2_token_*``): ``run`` that logs in with it, ``check`` with a wrong password or token;
- last, ``check``, ``status --failures``, ``drafts --list`` and ``digest``, which show what the
  failures above left in the store.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import ssl
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.builders import Inbox, automated, personal, write_config
from tests.dovecot import USER, Dovecot, dovecot_available, free_port
from tests.mailgen import make_message

pytestmark = pytest.mark.dovecot

# Every secret carries the marker, so an escaped, quoted or cut copy of one is still found.
MARKER = "Cnry"
IMAP_PW = 'Cnry-imap-7Qx2vK &"pw'  # a space, & and ": quoted in IMAP, escaped in HTML
SMTP_PW = "Cnry-smtp-4Zd8pW m&x"
TOKEN = "ya29.Cnry-oauth-9Kw5rT"
BAD_IMAP_PW = "Cnry-wrong-imap-3Hn4e"
BAD_SMTP_PW = "Cnry-wrong-smtp-6Jt1b"
BAD_TOKEN = "ya29.Cnry-wrong-oauth-2Vb8"
SMTP_USER = "sam"
OWNER = "sam@example.org"

MAIN_WAY = "password_env"
OTHER_WAYS = ["password_file", "password_command", "password", "oauth2_token_command",
              "oauth2_token_env", "oauth2_token_file"]
READ_VAULT = "import sys; print(open(sys.argv[1], encoding='utf-8').readline().rstrip('\\n'))"


def _b64(text: str) -> bytes:
    """The base64 of ``text`` as it starts a base64 string: whole groups only, so the needle
    is the same whatever follows it."""
    raw = text.encode()
    return base64.b64encode(raw)[: len(raw) // 3 * 4]


def _needles() -> dict[str, bytes]:
    found = {"the secret marker": MARKER.encode()}
    for name, secret, user in (("IMAP password", IMAP_PW, USER),
                               ("wrong IMAP password", BAD_IMAP_PW, USER),
                               ("SMTP password", SMTP_PW, SMTP_USER),
                               ("wrong SMTP password", BAD_SMTP_PW, SMTP_USER)):
        found[name] = secret.encode()
        found[f"{name}, base64 (AUTH LOGIN)"] = _b64(secret)
        found[f"{name}, AUTH PLAIN"] = _b64(f"\0{user}\0{secret}")
        found[f"{name}, AUTH PLAIN with authzid"] = _b64(f"{user}\0{user}\0{secret}")
    for name, token in (("OAuth2 token", TOKEN), ("wrong OAuth2 token", BAD_TOKEN)):
        found[name] = token.encode()
        found[f"{name}, base64"] = _b64(token)
        found[f"{name}, XOAUTH2"] = _b64(f"user={USER}\1auth=Bearer {token}\1\1")
        found[f"{name}, OAUTHBEARER"] = _b64(f"n,a={USER},\1auth=Bearer {token}\1\1")
    return found


NEEDLES = _needles()


def leaks(sources: dict[str, bytes]) -> list[str]:
    return [f"{needle} in {where}" for where, data in sources.items()
            for needle, value in NEEDLES.items() if value in data]


# -- servers ---------------------------------------------------------------------------------
@contextmanager
def introspection(seen: list[str]) -> Iterator[str]:
    """The token-introspection endpoint Dovecot asks about XOAUTH2 tokens: only TOKEN is live."""

    class Introspect(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            given = parse_qs(body).get("token", [""])[0] or self.headers.get(
                "Authorization", "").removeprefix("Bearer ")
            seen.append(given)
            data = json.dumps({"active": given == TOKEN, "username": USER}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    http = HTTPServer(("127.0.0.1", 0), Introspect)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{http.server_port}/introspect"
    finally:
        http.shutdown()
        http.server_close()


def start_dovecot(oauth2_url: str) -> Dovecot:
    """The tests' Dovecot, with IMAP_PW set before it starts (passwd-file is re-read at most
    once a second, so changing it later races) and refused logins answered at once (no
    growing auth penalty), to keep the wrong-password runs short."""
    server = Dovecot(oauth2_url=oauth2_url)
    try:
        return _configure(server).start()
    except BaseException:
        server.cleanup()
        raise


def _configure(server: Dovecot) -> Dovecot:
    (server.root / "passwd").write_text(f"{USER}:{{PLAIN}}{IMAP_PW}::::::\n")
    with server.conf.open("a") as conf:
        conf.write("auth_failure_delay = 0\n"
                   "service anvil {\n  unix_listener anvil-auth-penalty {\n    mode = 0\n"
                   "  }\n}\n")
    return server


def deliver(server: Dovecot, *messages: bytes) -> None:
    """Put mail in INBOX server-side (doveadm save), without logging in."""
    for raw in messages:
        subprocess.run(["doveadm", "-c", str(server.conf), "save", "-u", USER, "-m", "INBOX"],
                       input=raw, capture_output=True, check=True, timeout=30)


@contextmanager
def smtp_server(root: Path) -> Iterator[tuple[int, Path, Inbox]]:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS before AUTH, like a port-587 server."""
    ca = trustme.CA()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(ctx)
    ca_file = root / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))

    def auth(server, session, envelope, mechanism, data) -> AuthResult:
        ok = data.login == SMTP_USER.encode() and data.password == SMTP_PW.encode()
        return AuthResult(success=ok, handled=False)

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=auth,
                            tls_context=ctx, require_starttls=True, auth_require_tls=True)
    controller.start()
    try:
        yield port, ca_file, inbox
    finally:
        controller.stop()


# -- the sequence ----------------------------------------------------------------------------
@dataclass
class Scan:
    root: Path
    env: dict[str, str]
    excluded: set[Path] = field(default_factory=set)  # the config and secret files themselves
    outputs: dict[str, bytes] = field(default_factory=dict)
    codes: dict[str, tuple[int, int]] = field(default_factory=dict)  # label: (got, expected)
    mailed: list[bytes] = field(default_factory=list)
    imap_drafts: bytes = b""
    wal: bytes | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    tokens_seen: list[str] = field(default_factory=list)

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def drafts_dir(self) -> Path:
        return self.root / "drafts"

    @property
    def digest_dir(self) -> Path:
        return self.root / "digest"

    @property
    def log_file(self) -> Path:
        return self.root / "logs" / "run.log"

    @property
    def config_dir(self) -> Path:
        return self.root / "config"

    def secret(self, key: str, value: str, label: str) -> dict[str, object]:
        """The config key and value that give ``value`` the way ``key`` names."""
        if key.endswith("_env"):
            var = f"INBOXCOACH_SCAN_{label.upper()}"
            self.env[var] = value
            return {key: var}
        if key.endswith("_file"):
            path = self.config_dir / f"{label}.secret"
            path.write_text(value + "\n", encoding="utf-8")
            path.chmod(0o600)
            self.excluded.add(path)
            return {key: str(path)}
        if key.endswith("_command"):  # a password manager: the secret lives outside the config
            vault = self.root / "vault" / label
            vault.parent.mkdir(mode=0o700, exist_ok=True)
            vault.write_text(value + "\n", encoding="utf-8")
            return {key: [sys.executable, "-c", READ_VAULT, str(vault)]}
        return {key: value}

    def cli(self, label: str, expected: int, *args: str) -> None:
        """Run ``inboxcoach *args`` as its own process; keep its output and exit code."""
        done = subprocess.run([sys.executable, "-m", "inboxcoach", *args], env=self.env,
                              cwd=self.root / "cwd", capture_output=True, timeout=60,
                              stdin=subprocess.DEVNULL, check=False)
        self.outputs[f"`{label}` stdout"] = done.stdout
        self.outputs[f"`{label}` stderr"] = done.stderr
        self.codes[label] = (done.returncode, expected)

    def text(self, label: str) -> str:
        out = self.outputs[f"`{label}` stdout"] + self.outputs[f"`{label}` stderr"]
        return out.decode("utf-8", "replace")

    def collect_files(self) -> None:
        """Every file under the places inboxcoach writes to, and under the working, home and
        temporary directories it ran with, but the config and secret files themselves."""
        roots = [self.state_dir, self.drafts_dir, self.digest_dir, self.log_file.parent,
                 self.config_dir, self.root / "cwd", self.root / "home", self.root / "tmp"]
        for root in roots:
            for path in sorted(root.rglob("*")):
                if path.is_file() and path not in self.excluded:
                    self.files[str(path.relative_to(self.root))] = path.read_bytes()


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Iterator[Scan]:
    if not dovecot_available():
        pytest.skip("dovecot is not installed (bash .ci/run installs it)")
    root = tmp_path_factory.mktemp("secret-scan")
    for d in ("cwd", "home", "tmp", "config"):
        (root / d).mkdir(mode=0o700)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("INBOXCOACH_", "XDG_"))}
    env.update(HOME=str(root / "home"), TMPDIR=str(root / "tmp"),
               INBOXCOACH_STATE_DIR=str(root / "state"))
    s = Scan(root, env)

    with ExitStack() as stack:
        server = start_dovecot(stack.enter_context(introspection(s.tokens_seen)))
        stack.callback(server.cleanup)
        smtp_port, smtp_ca, smtp_inbox = stack.enter_context(smtp_server(root))
        recent = datetime.now(UTC) - timedelta(hours=6)  # within the first digest's 24 hours
        deliver(server, personal(when=recent), automated(when=recent), make_message(
            3, "Interview invitation", "Hi Sam,\n\nWould you have time for an interview on "
            "Tuesday?\n\nJane\n", when=recent))

        def config(name: str, imap: dict, smtp: dict, ca: bool = True) -> Path:
            account = server.account()
            del account["password_env"]
            if not ca:
                del account["ca_file"]
            account.update(imap)
            delivery = {"enabled": True, "host": "127.0.0.1", "port": smtp_port,
                        "security": "starttls", "ca_file": str(smtp_ca),
                        "username": SMTP_USER, "hour": 0, **smtp}
            path = write_config(
                s.config_dir / f"{name}.toml", [account],
                fetch={"retry_backoff_seconds": 0.01, "timeout_seconds": 10, "retries": 1},
                drafts={"your_name": "Sam Candidate", "your_email": OWNER,
                        "folder": str(s.drafts_dir)},
                digest={"folder": str(s.digest_dir)}, delivery=delivery)
            s.excluded.add(path)
            return path

        def imap_secret(way: str, good: bool) -> dict[str, object]:
            oauth2 = way.startswith("oauth2")
            value = (TOKEN if good else BAD_TOKEN) if oauth2 else (
                IMAP_PW if good else BAD_IMAP_PW)
            return s.secret(way, value, f"{'imap' if good else 'bad_imap'}_{way}")

        log = ["--log-file", str(s.log_file)]
        good_smtp = s.secret("password_env", SMTP_PW, "smtp")
        main = config("config", imap_secret(MAIN_WAY, True), good_smtp)

        # The digest is mailed once a day, so the refused SMTP login comes first.
        bad_smtp = config("bad-smtp", imap_secret(MAIN_WAY, True),
                          s.secret("password_env", BAD_SMTP_PW, "bad_smtp"))
        s.cli("run, SMTP login refused", 4, "run", "-vv", "--config", str(bad_smtp), *log)
        deliver(server, make_message(4, "Thanks for applying", when=recent))
        # Held open, so that the runs below leave the state file's -wal behind for the search.
        db = s.state_dir / "inboxcoach.sqlite3"
        reader = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        stack.callback(reader.close)
        reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        s.cli(f"run ({MAIN_WAY})", 0, "run", "-vv", "--config", str(main), *log)
        untrusted = config("untrusted", imap_secret(MAIN_WAY, True), good_smtp, ca=False)
        s.cli("run, certificate not trusted", 3, "run", "-vv", "--config", str(untrusted),
              *log)
        wrong = config("wrong", imap_secret(MAIN_WAY, False), good_smtp)
        s.cli(f"run, login refused ({MAIN_WAY})", 3, "run", "-vv", "--config", str(wrong),
              *log)

        for way in OTHER_WAYS:
            cfg = config(f"config-{way}", imap_secret(way, True), good_smtp)
            s.cli(f"run ({way})", 0, "run", "-vv", "--config", str(cfg), *log)
            cfg = config(f"wrong-{way}", imap_secret(way, False), good_smtp)
            s.cli(f"check, login refused ({way})", 3, "check", "-vv", "--config", str(cfg))

        s.cli("check", 0, "check", "-vv", "--config", str(main))
        s.cli("status", 0, "status", "-vv", "--failures", "--config", str(main))
        s.cli("drafts --list", 0, "drafts", "--list", "-vv", "--config", str(main))
        s.cli("digest", 0, "digest", "-vv", "--config", str(main))

        s.mailed = [raw for _, raw in smtp_inbox.received]
        s.imap_drafts = server.doveadm("fetch", "-u", USER, "text", "mailbox", "Drafts",
                                       "all").encode()
        wal = db.with_name(db.name + "-wal")
        s.wal = wal.read_bytes() if wal.exists() else None
        s.collect_files()
        yield s


# -- the checks ------------------------------------------------------------------------------
def test_every_command_did_what_it_was_meant_to(scan: Scan):
    """Without this the search below could pass on runs that never reached a server."""
    s = scan
    failed = {label: f"exit {got}, not {want}: {s.text(label)[-2000:]}"
              for label, (got, want) in s.codes.items() if got != want}
    assert failed == {}
    for way in [MAIN_WAY, *OTHER_WAYS]:
        mechanism = "AUTHENTICATE" if way.startswith("oauth2") else "LOGIN"
        assert f"{mechanism} **REDACTED**" in s.text(f"run ({way})")  # the protocol log is on
        assert re.search(r"< b'\w+ OK (\[.*?\] )?Logged in'", s.text(f"run ({way})"))
    for way in OTHER_WAYS:
        assert "refused the credentials" in s.text(f"check, login refused ({way})")
    assert TOKEN in s.tokens_seen and BAD_TOKEN in s.tokens_seen
    assert f"refused the login for {SMTP_USER}" in s.text("run, SMTP login refused")
    assert "digest mailed" in s.text(f"run ({MAIN_WAY})")
    assert len(s.mailed) == 1 and b"Auto-Submitted: auto-generated" in s.mailed[0]
    assert "not trusted" in s.text("run, certificate not trusted")
    assert "refused the credentials" in s.text(f"run, login refused ({MAIN_WAY})")
    assert "sent folder: Sent" in s.text("check")
    assert "draft " in s.text("drafts --list")
    # nothing changed since the run before it: the digest stands, and says so
    assert "it stands: " in s.text("digest") and "digest.html" in s.text("digest")
    assert b"Re: Your application to Acme" in s.imap_drafts
    assert list(s.drafts_dir.glob("*.eml")) and (s.digest_dir / "digest.html").exists()
    assert s.log_file.read_text("utf-8").count(" run: ") == 4 + len(OTHER_WAYS)
    assert "state/inboxcoach.sqlite3" in s.files
    assert s.wal and "state/inboxcoach.sqlite3-wal" in s.files, "no -wal left to search"


def test_the_search_finds_a_secret_in_each_form_it_could_take():
    """The needles themselves: as the wire carries them (imaplib's XOAUTH2 encoder, AUTH PLAIN
    and AUTH LOGIN lines), and escaped the way a log, a page or JSON would show them."""
    import html
    import imaplib
    from email.base64mime import body_encode

    xoauth2 = f"user={USER}\1auth=Bearer {TOKEN}\1\1"
    wire = {
        "OAuth2 token, XOAUTH2": imaplib._Authenticator(lambda _: xoauth2).encode(xoauth2),
        "SMTP password, AUTH PLAIN": b"AUTH PLAIN " + body_encode(
            f"\0{SMTP_USER}\0{SMTP_PW}".encode(), eol="").encode() + b"\r\n",
        "SMTP password, base64 (AUTH LOGIN)": body_encode(SMTP_PW.encode(), eol="").encode(),
        "IMAP password, AUTH PLAIN": base64.b64encode(f"\0{USER}\0{IMAP_PW}".encode()),
    }
    for needle, data in wire.items():
        assert needle in {n for n, v in NEEDLES.items() if v in data}, needle
    for shown in (html.escape(IMAP_PW), json.dumps(IMAP_PW), repr(IMAP_PW.encode()),
                  'LOGIN alice "' + IMAP_PW.replace('"', '\\"') + '"'):  # as imaplib quotes
        assert leaks({"x": shown.encode()}), shown


def test_no_secret_in_any_file_inboxcoach_wrote(scan: Scan):
    """The state file as raw bytes with its -wal, the drafts, the digests, the log, the config
    dir (but the config and secret files themselves), the working, home and temp dirs."""
    files = dict(scan.files)
    if scan.wal is not None:
        files["state/inboxcoach.sqlite3-wal (while in use)"] = scan.wal
    found = leaks(files)
    assert not found, "\n".join(found)


def test_no_secret_in_any_output_or_mail(scan: Scan):
    sources = dict(scan.outputs)
    sources.update({f"mailed digest {i}": raw for i, raw in enumerate(scan.mailed)})
    sources["the Drafts folder on the IMAP server"] = scan.imap_drafts
    found = leaks(sources)
    assert not found, "\n".join(found)


def test_state_drafts_digests_and_log_are_owner_only(scan: Scan):
    wrong = []
    for root in (scan.state_dir, scan.drafts_dir, scan.digest_dir, scan.log_file.parent):
        for path in [root, *sorted(root.rglob("*"))]:
            mode = stat.S_IMODE(path.lstat().st_mode)
            want = 0o700 if path.is_dir() else 0o600
            if mode != want:
                wrong.append(f"{path.relative_to(scan.root)} is {mode:o}, not {want:o}")
    assert not wrong, "\n".join(wrong)
