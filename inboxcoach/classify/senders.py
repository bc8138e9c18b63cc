"""Who sends job mail: applicant tracking systems, job boards, schedulers and mailbox
providers, and what an address says about its sender.

Written once, here: the model's features and the rules that read contacts and employers use the
same lists, so a new ATS domain is added in one place (and the model retrained to see it).
"""

from __future__ import annotations

import re

from inboxcoach.records import Address, Email

ATS_DOMAINS = {
    "greenhouse": ("greenhouse.io", "greenhouse-mail.io"), "lever": ("lever.co",),
    "workday": ("myworkday.com", "workday.com"), "ashby": ("ashbyhq.com",),
    "smartrecruiters": ("smartrecruiters.com",), "workable": ("workable.com", "workablemail.com"),
    "icims": ("icims.com",), "teamtailor": ("teamtailor.com", "teamtailor-mail.com"),
    "personio": ("personio.de", "personio.com"), "taleo": ("taleo.net", "oracle.com"),
    "bamboohr": ("bamboohr.com",), "jazzhr": ("jazzhr.com", "applytojob.com"),
    "recruitee": ("recruitee.com",), "successfactors": ("successfactors.com", "successfactors.eu",
                                                        "sapsf.com", "sapsf.eu"),
    "softgarden": ("softgarden.de", "softgarden.io"), "join": ("join.com",),
    "breezy": ("breezy.hr",), "pinpoint": ("pinpointhq.com",), "jobvite": ("jobvite.com",),
}
BOARD_DOMAINS = ("linkedin.com", "indeed.com", "indeedemail.com", "glassdoor.com", "stepstone",
                 "xing.com", "monster.", "ziprecruiter.com", "welcometothejungle", "otta.com",
                 "wellfound.com", "hired.com", "dice.com", "infojobs", "apec.fr",
                 "nationalevacaturebank", "werk.nl", "totaljobs", "reed.co.uk", "jobteaser")
FREEMAIL = ("gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.", "icloud.com",
            "gmx.", "web.de", "proton.me", "protonmail.com", "orange.fr", "live.com")
SCHEDULERS = ("calendly.com", "goodtime.io", "modernloop", "docusign", "hellosign", "zoom.us")
NOREPLY = re.compile(r"no[-_.]?reply|do[-_.]?not[-_.]?reply|ne[-_.]?pas[-_.]?repondre|"
                     r"no[-_.]?respon|nao[-_.]?respond|niet[-_.]?beantwoorden|"
                     r"keine[-_.]?antwort|nicht[-_.]?antworten|non[-_.]?rispondere|"
                     r"notification|mailer|bounce|automated|alerts?\b|^info@|^news", re.I)
TEAM_LOCAL = re.compile(r"^(jobs?|careers?|talent|recruit\w*|hr|hiring|people|apply|"
                        r"applications?|bewerbung\w*|karriere|rh|recrutement|empleo|werving|"
                        r"vacatures?|team|hello|contact|support|admin|office)\b", re.I)


ATS_RELAYS = tuple(d for domains in ATS_DOMAINS.values() for d in domains)
# An ATS named in a display name ("Acme via Lever") means the employer sent it; "via join" is
# also plain English, so that one ATS is left out.
ATS_NAMES = frozenset(ATS_DOMAINS) - {"join"}
# Names that are platforms, never the employer: every ATS, the job boards, and services.
PLATFORM_NAMES = frozenset(ATS_DOMAINS) | {
    "linkedin", "indeed", "glassdoor", "stepstone", "xing", "welcome to the jungle", "otta",
    "wellfound", "hired", "monster", "ziprecruiter", "infojobs", "apec", "calendly", "docusign",
    "google", "gmail", "outlook", "nhs", "nhs jobs", "civil service", "civil service jobs", "trac",
    "jobs.ac.uk", "tes",
}
# Assessment vendors, schedulers and other services writing for many employers.
PLATFORM_DOMAINS = ("hackerrank", "devskiller", "shl.com", "codility", "codesignal",
                    "testgorilla", "hirevue", "goodtime", "calendly", "google.com", "getro",
                    "docusign", "zoom.us", "microsoft", "sovaassessment", "criteria", "pymetrics",
                    "karat", "modernloop", "talentlyft", "jobright", "careerbuilder")
# A recruitment agency in a domain, where the words run together ("oakridgetalent.example").
AGENCY_DOMAIN = re.compile(r"recruit|talent|staffing|personnel|headhunt|(?<!re)search|werving|"
                           r"personalberatung", re.I)


def domain_of(address: Address) -> str:
    return address.email.rpartition("@")[2].lower()


def is_relay(address: Address) -> bool:
    domain = domain_of(address)
    return any(domain == d or domain.endswith("." + d) for d in ATS_RELAYS)


def job_board(address: Address) -> bool:
    return any(b in domain_of(address) for b in BOARD_DOMAINS)


def jobs_portal(domain: str) -> bool:
    """A jobs portal's own domain ("civilservicejobs.service.gov.uk", "nhs-apply.example"): the
    name that registers it says jobs or applying, which an employer's does not."""
    labels = [p for p in domain.split(".")[:-1] if p not in ("co", "com", "org", "gov", "ac")]
    return any(re.search(r"jobs|apply", p) for p in labels[-1:])


def platform_domain(address: Address) -> bool:
    domain = domain_of(address)
    return any(p in domain for p in PLATFORM_DOMAINS) or any(b in domain for b in BOARD_DOMAINS)


def employer_domain(mail: Email) -> str | None:
    """The sender's domain when it is an organisation's own, not a platform's or a mailbox
    provider's: two people writing from it work for the same employer."""
    address = mail.from_
    if address is None or "@" not in address.email or is_relay(address):
        return None
    domain = domain_of(address)
    if platform_domain(address) or any(f in domain for f in FREEMAIL) or AGENCY_DOMAIN.search(
            domain) or jobs_portal(domain):
        return None
    parts = domain.split(".")  # "careers.acme.co.uk" and "acme.co.uk" are one employer
    keep = 3 if len(parts) > 2 and parts[-2] in ("co", "ac", "org", "gov", "com", "net") else 2
    return ".".join(parts[-keep:])
