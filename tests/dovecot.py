"""A private Dovecot IMAP server on 127.0.0.1 for tests: real protocol, real TLS, throwaway CA.

Started in its own process session and stopped with killpg, because stopping only the master
leaves logged-in imap processes serving and "server went away" tests would pass wrongly.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import trustme

PASSWORD = "Tr0ub4dor&3-inboxcoach-test"
USER = "alice"


def dovecot_available() -> bool:
    return shutil.which("dovecot") is not None and shutil.which("doveadm") is not None


def free_port() -> int:
    return free_ports(1)[0]


def free_ports(count: int) -> list[int]:
    """Distinct free ports: all bound at once, so two calls cannot hand out the same one."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class Dovecot:
    def __init__(self, special_use: bool = True, oauth2_url: str | None = None,
                 capability: str | None = None) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="inboxcoach-dovecot-"))
        self.root.chmod(0o755)  # auth runs as the dovecot user and must reach the passwd file
        self.imaps_port, self.imap_port = free_ports(2)
        self.special_use = special_use
        self.oauth2_url = oauth2_url  # token introspection endpoint, for XOAUTH2 logins
        self.capability = capability  # replaces the advertised capability list
        self.proc: subprocess.Popen | None = None
        self.ca = trustme.CA()
        self.ca_file = self.root / "ca.pem"
        self.conf = self.root / "dovecot.conf"
        self._write_files()

    # -- files --------------------------------------------------------------------------------
    def _users(self) -> tuple[str, str, str, str]:
        if os.geteuid() == 0:
            return "dovecot", "dovenull", "nobody", "nogroup"
        me = pwd.getpwuid(os.getuid()).pw_name
        group = subprocess.run(["id", "-gn"], capture_output=True, text=True).stdout.strip()
        return me, me, me, group

    def _write_files(self) -> None:
        cert = self.ca.issue_cert("127.0.0.1", "localhost")
        cert.cert_chain_pems[0].write_to_path(str(self.root / "cert.pem"))
        cert.private_key_pem.write_to_path(str(self.root / "key.pem"))
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        for d in ("mail", "home", "run", "state"):
            (self.root / d).mkdir(mode=0o755)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (self.root / "passwd").chmod(0o644)
        internal, login, mail_user, mail_group = self._users()
        special = "special_use = \\{role}" if self.special_use else ""
        boxes = "\n".join(
            f"  mailbox {name} {{\n    auto = subscribe\n    {special.format(role=name)}\n  }}"
            for name in ("Drafts", "Sent")
        )
        self.conf.write_text(f"""
base_dir = {self.root}/run
state_dir = {self.root}/state
instance_name = inboxcoach-test-{self.imaps_port}
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{self.root}/cert.pem
ssl_key = <{self.root}/key.pem
disable_plaintext_auth = yes
auth_mechanisms = plain login{" xoauth2 oauthbearer" if self.oauth2_url else ""}
{self._oauth2_passdb()}
log_path = {self.root}/dovecot.log
{f"imap_capability = {self.capability}" if self.capability else ""}
default_internal_user = {internal}
default_login_user = {login}
mail_location = maildir:{self.root}/mail/%u
mail_uid = {mail_user}
mail_gid = {mail_group}
first_valid_uid = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user} gid={mail_group} home={self.root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  separator = /
{boxes}
}}
""")
        if os.geteuid() == 0:
            for d in ("mail", "home"):
                shutil.chown(self.root / d, mail_user, mail_group)

    def _oauth2_passdb(self) -> str:
        if not self.oauth2_url:
            return ""
        conf = self.root / "oauth2.conf.ext"
        conf.write_text(
            f"introspection_mode = post\nintrospection_url = {self.oauth2_url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
        )
        conf.chmod(0o644)
        return ("passdb {\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n"
                f"  args = {conf}\n}}")

    # -- process ------------------------------------------------------------------------------
    def start(self) -> Dovecot:
        self.proc = subprocess.Popen(
            ["dovecot", "-F", "-c", str(self.conf)], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode()
                raise RuntimeError(f"dovecot exited: {err}{self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.imaps_port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + self.log())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- helpers ------------------------------------------------------------------------------
    def doveadm(self, *args: str) -> str:
        done = subprocess.run(["doveadm", "-c", str(self.conf), *args], capture_output=True,
                              text=True, check=True)
        return done.stdout

    def flags(self, folder: str = "INBOX") -> str:
        """Every message's UID and flags, read server-side: proof that a run changed nothing."""
        return self.doveadm("fetch", "-u", USER, "uid flags", "mailbox", folder, "all")

    def client(self):
        import ssl

        from imapclient import IMAPClient

        ctx = ssl.create_default_context(cafile=str(self.ca_file))
        client = IMAPClient("127.0.0.1", port=self.imaps_port, ssl=True, ssl_context=ctx,
                            timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, folder: str, messages: list[bytes], flags: tuple = ()) -> None:
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            for raw in messages:
                c.append(folder, raw, flags=flags)

    def create_folder(self, folder: str) -> None:
        with self.client() as c:
            c.create_folder(folder)

    def delete_folder(self, folder: str) -> None:
        with self.client() as c:
            c.delete_folder(folder)

    def account(self, **overrides: object) -> dict:
        """An [[accounts]] table for the config, pointing at this server."""
        table = {
            "name": "test", "host": "127.0.0.1", "port": self.imaps_port, "security": "tls",
            "ca_file": str(self.ca_file), "username": USER, "password_env": "INBOXCOACH_TEST_PW",
        }
        table.update(overrides)
        return table
