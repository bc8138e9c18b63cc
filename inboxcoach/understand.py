"""Who is behind a message: whether a reply reaches a person, and who that person is.

A first, rule-based answer from the addresses (no-reply, notification and ATS relay senders);
company, role and feedback extraction build on this.
"""

from __future__ import annotations

from inboxcoach.features import ATS_DOMAINS, NOREPLY
from inboxcoach.records import Address, Email

ATS_RELAYS = tuple(d for domains in ATS_DOMAINS.values() for d in domains)


def reply_address(mail: Email) -> Address | None:
    """Where a reply goes: Reply-To when set, otherwise From."""
    if mail.reply_to:
        return mail.reply_to[0]
    return mail.from_


def reaches_a_person(address: Address | None) -> bool:
    if address is None or "@" not in address.email:
        return False
    domain = address.email.rpartition("@")[2]
    relay = any(domain == d or domain.endswith("." + d) for d in ATS_RELAYS)
    return not NOREPLY.search(address.email) and not relay


def human_contact(mail: Email) -> Address | None:
    address = reply_address(mail)
    return address if reaches_a_person(address) else None
