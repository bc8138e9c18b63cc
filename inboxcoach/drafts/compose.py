"""Compose a feedback-request reply to a rejection: Jinja2 text in a proper RFC 5322 message.

Every header value that comes from the incoming mail (the contact's name and address, the
subject, the message ids) is cleaned to one line and validated before it is set, and the result
is parsed back to prove it carries exactly the headers we wrote: mail content cannot add a Bcc.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
)

from inboxcoach.errors import InboxcoachError
from inboxcoach.records import Address, Email, FeedbackCall
from inboxcoach.text import REPLY_PREFIX, clean_header_text, guess_language

# Drafts answer in the rejection's language: greeting with and without a name, and sign-off.
GREETINGS = {"en": ("Dear {name},", "Hello,"), "de": ("Hallo {name},", "Guten Tag,"),
             "fr": ("Bonjour {name},", "Bonjour,"), "es": ("Hola {name},", "Hola,"),
             "nl": ("Beste {name},", "Goedendag,")}
CLOSINGS = {"en": "Best regards,", "de": "Viele Grüße", "fr": "Bien cordialement,",
            "es": "Saludos cordiales,", "nl": "Met vriendelijke groet,"}
HEADERS = {"from", "to", "subject", "date", "message-id", "in-reply-to", "references",
           "mime-version", "content-type", "content-transfer-encoding", "x-inboxcoach"}
_ADDR = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_MSGID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]+@[\x21-\x3b\x3d\x3f-\x7e]+")  # no <, >, space
_MEETING = (r"(?:interview\w*|call|conversation|chat|meeting|assessment|final round|on-?site|"
            r"(?:vorstellungs)?gespräch\w*|entretien\w*|entrevista\w*|gesprek\w*|colloqui\w*)")
# The mail says the candidate was interviewed: about their interview, not interviews in general.
_INTERVIEWED = re.compile(
    rf"\b(?:after|following|since|during|in|for|from|about) (?:your|our|the|my|these|those) "
    rf"{_MEETING}|\b(?:your|our) (?:recent |last |second |first |final )?{_MEETING}|"
    r"thank(?:s| you) for (?:interviewing|meeting|speaking|talking|your time|coming in|"
    r"taking the time)|(?:enjoyed|pleasure|good|great|nice|lovely) (?:to )?(?:meet|meeting|"
    r"speak|speaking|talk|talking)|\b(?:met|spoke|speaking|talking|interviewed) (?:with )?you\b|"
    r"\binterviewed with\b|the (?:panel|team) (?:enjoyed|felt|found)|"
    r"(?:nach|in|für|zu) (?:dem|unserem|ihrem|deinem|den) (?:persönlichen |zweiten |ersten )?"
    r"(?:vorstellungs)?gespräch|(?:suite à|lors de|pour) (?:notre|votre|l'|nos|vos) ?entretien|"
    r"(?:tras|en|por|durante) (?:la|nuestra|su|tu|las) entrevista|"
    r"(?:na|tijdens|voor) (?:het|ons|jouw|uw|de) (?:sollicitatie)?gesprek|"
    r"(?:dopo|durante|per) (?:il|il nostro|il suo) colloquio", re.I)
# "you were not shortlisted for interview", "we will not invite you to an interview": no
# interview happened, whatever the word.
_NOT_INTERVIEWED = re.compile(
    r"\b(?:meet|met|meeting|see|saw|seeing|talk\w*|chat\w*) (?:you )?(?:at|during) (?:the |a |an )?"
    r"(?:meetup|meet-up|event|conference|fair|careers? fair|job fair|talk|drinks|networking|"
    r"workshop|webinar|open day|summit)\b|"
    rf"\b(?:not|n't|no longer|unable to|won't|cannot|nicht|keine?n?|pas|no|niet|geen|non)\b"
    rf"[^.\n]{{0,60}}?{_MEETING}|{_MEETING}[^.\n]{{0,12}}\b(?:stage|phase)\b[^.\n]{{0,20}}"
    rf"\b(?:not|n't)\b", re.I)


def interviewed(text: str) -> bool:
    """Whether a rejection says this candidate was interviewed ("thank you for meeting us",
    "after your interview"), with clauses that say they were not taken out first."""
    return bool(_INTERVIEWED.search(_NOT_INTERVIEWED.sub(" ", text)))


class DraftError(InboxcoachError):
    """This rejection cannot get a safe draft (an unusable address, say); recorded as a skip."""


@dataclass(frozen=True)
class Writer:
    """The user, as drafts sign: from the config's [drafts] table."""

    name: str
    address: str
    signature: str = ""
    templates_dir: Path | None = None


@dataclass(frozen=True)
class Draft:
    message_id: str  # without brackets
    to: Address
    subject: str
    variant: str
    body: str
    raw: bytes


class Variant(StrEnum):
    """Which draft: the template's name (``<variant>[.<lang>].txt.j2``), stored with it."""

    THANKS = "thanks"
    THANKS_AND_ASK = "thanks_ask"
    ASK = "ask"
    ASK_AFTER_INTERVIEW = "ask_after_interview"


def variant_for(rejection: Email, feedback: FeedbackCall, met: bool = False) -> Variant:
    """The draft for this rejection. ``met``: the application's history has an interview or a
    test before it (the drafts stage knows it from the store)."""
    if feedback is FeedbackCall.GIVEN:
        return Variant.THANKS
    if feedback is FeedbackCall.UNSURE:
        return Variant.THANKS_AND_ASK
    if met or interviewed(rejection.new_text):
        return Variant.ASK_AFTER_INTERVIEW
    return Variant.ASK


def reply_subject(subject: str) -> str:
    """``Re: <original>``, never ``Re: Re:`` (nor ``Re: AW:``)."""
    original = REPLY_PREFIX.sub("", clean_header_text(subject, 300)).strip()
    return f"Re: {original}" if original else "Re: your message"


def first_name(contact: Address) -> str | None:
    name = clean_header_text(contact.name, 80)
    if "," in name:  # "Doe, Jane"
        name = name.split(",", 1)[1]
    words = [w for w in name.split() if w[:1].isalpha()]
    return words[0] if words and words[0][0].isupper() and len(words[0]) > 1 else None


def compose(rejection: Email, contact: Address, writer: Writer, *, company: str | None,
            role: str | None, feedback: FeedbackCall, now: datetime, met: bool = False
            ) -> Draft:
    to = _safe_address(contact)
    variant = variant_for(rejection, feedback, met)
    lang = guess_language(f"{rejection.subject}\n{rejection.new_text}")
    body = render(variant, writer, contact=to, company=company, role=role, lang=lang)
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = HeaderAddress(display_name=clean_header_text(writer.name, 100),
                                addr_spec=_checked_addr(writer.address, "your address"))
    msg["To"] = HeaderAddress(display_name=to.name, addr_spec=to.email)
    _set_text_header(msg, "Subject", reply_subject(rejection.subject))
    msg["Date"] = format_datetime(now)
    message_id = make_msgid(domain=writer.address.rpartition("@")[2])
    msg["Message-ID"] = message_id
    ids = _thread_ids(rejection)
    if ids:
        msg["In-Reply-To"] = f"<{ids[-1]}>"
        msg["References"] = " ".join(f"<{i}>" for i in ids)
    msg["X-Inboxcoach"] = "draft; review before sending"
    msg.set_content(body, charset="utf-8")
    raw = msg.as_bytes()
    _verify(raw)
    return Draft(message_id.strip("<>"), to, str(msg["Subject"]), variant, body, raw)


def render(variant: str, writer: Writer, *, contact: Address, company: str | None,
           role: str | None, lang: str = "en") -> str:
    loaders: list[BaseLoader] = [PackageLoader("inboxcoach.drafts", "templates")]
    if writer.templates_dir is not None:
        loaders.insert(0, FileSystemLoader(str(writer.templates_dir)))
    env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined,
                      autoescape=False, keep_trailing_newline=True)  # noqa: S701 - plain text
    name = first_name(contact)
    lang = lang if lang in GREETINGS else "en"
    closing = f"{CLOSINGS[lang]}\n{writer.name}" + (f"\n{writer.signature}" if writer.signature
                                                    else "")
    with_name, without = GREETINGS[lang]
    template = env.select_template([f"{variant}.{lang}.txt.j2", f"{variant}.txt.j2"])
    text = template.render(
        greeting=with_name.format(name=name) if name else without, first_name=name,
        contact=contact, company=_plain(company), role=_plain(role), writer=writer,
        closing=closing, lang=lang)
    return _wrap(text)


def _plain(value: str | None) -> str | None:
    return clean_header_text(value, 80) or None if value else None


def _wrap(text: str, width: int = 76) -> str:
    import textwrap

    paragraphs = [p.strip("\n") for p in text.strip().split("\n\n")]
    out = []
    for p in paragraphs:
        lines = p.splitlines()
        if len(lines) > 1:  # closing/signature blocks keep their lines
            out.append("\n".join(lines))
        else:
            out.append(textwrap.fill(p, width))
    return "\n\n".join(out) + "\n"


def _safe_address(contact: Address) -> Address:
    return Address(clean_header_text(contact.name, 100), _checked_addr(contact.email, "contact"))


def _checked_addr(value: str, what: str) -> str:
    value = value.strip()
    if not _ADDR.fullmatch(value) or len(value) > 254:
        raise DraftError(f"the {what} address {clean_header_text(value, 80)!r} is not usable")
    return value


def _set_text_header(msg: EmailMessage, name: str, value: str) -> None:
    """The email package decodes RFC 2047 words it finds in a value as it is set, and a
    subject that kept a literal, undecodable one ("=?utf-8?q?=98?=") then cannot be written
    out; such a value is set again as the readable text it turned into."""
    msg[name] = value
    shown = str(msg[name])
    if "=?" in value and shown != value:
        # the decoded text is mail content too: one safe line, and no encoded word left in
        # it to be decoded again on the next assignment (it may hide a CR or LF)
        text = shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        del msg[name]
        msg[name] = clean_header_text(text).replace("=?", "= ?")


def _thread_ids(rejection: Email) -> list[str]:
    ids = [i for i in (*rejection.references, rejection.message_id) if i and _MSGID.fullmatch(i)]
    return list(dict.fromkeys(ids))[-20:]


REQUIRED = {"from", "to", "subject", "date", "message-id", "x-inboxcoach", "content-type"}


def _verify(raw: bytes) -> None:
    """Parse what we wrote: exactly our headers, each once; anything else is a bug or an attack."""
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    names = [k.lower() for k in parsed]
    if set(names) - HEADERS or len(names) != len(set(names)):
        extra = sorted(set(names) - HEADERS)
        raise DraftError(f"the draft would carry unexpected headers: {extra}")
    missing = sorted(REQUIRED - set(names))
    if missing:  # a header block ended early: the rest would be read as the body
        raise DraftError(f"the draft would lose its headers: {missing}")
