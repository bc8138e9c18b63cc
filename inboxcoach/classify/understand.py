"""Who is behind a message and what it is about, put together: the human contact, the
employer and the role, and the job facts the applications stage groups by.

Rules over addresses, headers and the text (``contact``, ``employer``, ``role``, ``senders``):
they are transparent, fast, language-aware where mail is formulaic (subjects, sign-offs), and
measured by ``inboxcoach evaluate`` on labelled mail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from inboxcoach.classify.contact import human_contact, names_domain
from inboxcoach.classify.employer import FOR_CLIENT, company, employer_read
from inboxcoach.classify.role import GENDER, job_refs, role, role_read
from inboxcoach.classify.senders import employer_domain
from inboxcoach.records import Address, Email, FactSource, JobFacts


@dataclass(frozen=True)
class Me:
    """The user: their mail is read from the recipient's side, and their name is never an
    employer ("Data Analyst - application from Sam Rivera")."""

    addresses: frozenset[str] = frozenset()
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, addresses: frozenset[str], name: str | None) -> Me:
        return cls(addresses, (name,) if name else ())

    def wrote(self, mail: Email) -> bool:
        return mail.from_ is not None and mail.from_.email.lower() in self.addresses

    def named(self, text: str) -> bool:
        return any(same_name(text, n) or same_name(n, text) for n in self.names)

    def facts(self, mail: Email) -> JobFacts:
        return job_facts(mail, self)


# Raised whenever the rules below read mail differently: facts kept by older rules are read
# again, once, by the next digest (applications.stored_applications).
RULES_VERSION = 1


def job_facts(mail: Email, me: Me | None = None) -> JobFacts:
    """Everything the applications stage needs from one message. Mail the user sent is read
    from its recipient's side: their domain names the employer, as a sender's does. The
    sender's domain counts as the employer's only when it agrees with the employer read (an
    assessment vendor writes for many)."""
    me = me or Me()
    if me.wrote(mail):
        if not mail.to:
            return JobFacts(refs=job_refs(mail))
        mail = replace(mail, from_=mail.to[0], reply_to=())
    (employer, employer_from), (job, job_from) = employer_read(mail, me.named), role_read(mail)
    domain = employer_domain(mail)
    if domain and employer and employer_from > FactSource.GUESSED and mail.from_ and not (
            names_domain(employer, mail.from_)):
        domain = None
    return JobFacts(employer, employer_from, job, job_from, job_refs(mail), domain,
                    bool(FOR_CLIENT.search(mail.new_text[:3000])), RULES_VERSION)


@dataclass(frozen=True)
class Understanding:
    contact: Address | None
    company: str | None
    role: str | None


def understand(mail: Email) -> Understanding:
    """Contact, employer and role; whether a rejection explains itself is the model's call."""
    return Understanding(human_contact(mail), company(mail), role(mail))


def same_name(found: str, expected: str) -> bool:
    """Whether an extracted name means the labelled one: equal once case, punctuation and legal
    suffixes are ignored, or one is the other's leading words ("Halcyon" for "Halcyon Games")."""
    def words(text: str) -> list[str]:
        tokens = re.findall(r"\w+", GENDER.sub("", text).lower())
        return [t for t in tokens if t not in ("gmbh", "inc", "ltd", "llc", "bv", "sa", "ag",
                                               "the", "co")]
    a, b = words(found), words(expected)
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return longer[:len(shorter)] == shorter
