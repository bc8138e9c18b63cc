"""Mail the digest to its owner: the only place inboxcoach sends anything, and only there.

Off by default. The one recipient is ``[delivery] to`` from the config (the user's own
address); no address from any mail ever reaches this module. TLS is verified like IMAP's: a
private server is trusted through ``ca_file``, never by turning checks off.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from inboxcoach.errors import DeliveryError
from inboxcoach.secrets import resolve_secret
from inboxcoach.settings import DeliverySettings

TIMEOUT = 60.0


def digest_message(settings: DeliverySettings, html: str, subject: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.to
    msg["To"] = settings.to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=settings.to.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"  # so no vacation responder answers it
    msg.set_content("Your inboxcoach digest is the HTML part of this message. It was made on "
                    "your own machine; nothing else was sent.")
    msg.add_alternative(html, subtype="html")
    return msg


def send_digest(settings: DeliverySettings, html: str, subject: str) -> None:
    """Send the digest to ``settings.to``; raise DeliveryError with a fix on failure."""
    msg = digest_message(settings, html, subject)
    ctx = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
    where = f"{settings.host}:{settings.port}"
    try:
        smtp = _connect(settings, ctx)
        try:
            if settings.username and settings.secret:
                _login(smtp, settings)
            smtp.send_message(msg, from_addr=settings.to, to_addrs=[settings.to])
        finally:
            _close(smtp)  # once the server took the mail, a failing QUIT is no failure
    except ssl.SSLCertVerificationError as exc:
        raise DeliveryError(f"cannot mail the digest: {where}'s certificate is not trusted "
                            f"({exc.verify_message}); if it uses a private CA, set "
                            "delivery.ca_file") from None
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"cannot mail the digest: {where} refused the login for "
                            f"{settings.username}; check delivery's password settings") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(f"cannot mail the digest via {where}: {_first_line(exc)} (check "
                            "delivery.security and delivery.port)") from None
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"cannot mail the digest via {where}: {_first_line(exc)}; the "
                            "digest is still on disk and the next run tries again") from None


def _connect(settings: DeliverySettings, ctx: ssl.SSLContext) -> smtplib.SMTP:
    assert settings.host is not None
    if settings.security == "tls":
        return smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=ctx)
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    try:
        smtp.starttls(context=ctx)  # raises if the server does not offer STARTTLS
    except BaseException:
        smtp.close()
        raise
    return smtp


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _login(smtp: smtplib.SMTP, settings: DeliverySettings) -> None:
    assert settings.secret is not None and settings.username is not None
    secret = resolve_secret(settings.secret)
    if secret.kind == "oauth2":
        token = f"user={settings.username}\x01auth=Bearer {secret.reveal()}\x01\x01"
        smtp.auth("XOAUTH2", lambda challenge=None: token)
    else:
        smtp.login(settings.username, secret.reveal())


def _first_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200]
