"""The employer a message is about: named in the text, in the sender's display name or
domain, or heading the subject, never a platform or an agency acting for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from inboxcoach.classify.contact import (
    ORG_LEAD,
    PARTICLES,
    TEAM_WORDS,
    display_person,
    named_person_local,
    names_domain,
)
from inboxcoach.classify.role import JOB_REF, JOB_TITLE
from inboxcoach.classify.senders import (
    AGENCY_DOMAIN,
    ATS_NAMES,
    FREEMAIL,
    NOREPLY,
    PLATFORM_NAMES,
    TEAM_LOCAL,
    domain_of,
    is_relay,
    job_board,
    jobs_portal,
    platform_domain,
)
from inboxcoach.records import Email, FactSource
from inboxcoach.text import squash_variants

_CAP = r"[A-Z0-9À-Ý](?:[\w&'’+-]|\.(?=\w))*"


# a name, but not a department's ("interest in the Marketing department at WebFX")
_CAPS = (rf"(?P<c>{_CAP}(?:[ \t]+(?:&[ \t]+|de[ \t]+|of[ \t]+|and[ \t]+)?{_CAP}){{0,3}})"
         r"\b(?![ \t]+(?i:department|dept|division)\b)")


_COMPANY_RX = [re.compile(p) for p in (
    rf"(?i:application|applying|candidacy|interest|update|role|position|job|"
    rf"career|opportunit(?:y|ies)|offer)[ \t]+"
    rf"(?i:to|at|with|in|from)[ \t]+(?:the[ \t]+)?{_CAPS}",
    # "interview with Noor Haddad" names a person far more often than an employer
    rf"(?i:interview(?:ing)?)[ \t]+(?i:at|for|in)[ \t]+(?:the[ \t]+)?{_CAPS}",
    rf"(?i:working)[ \t]+(?i:at|for)[ \t]+(?:the[ \t]+)?{_CAPS}",
    rf"(?i:thank(?:s| you) for applying|applied|apply)[ \t]+(?i:to|at)[ \t]+{_CAPS}",
    rf"(?i:join(?:ing)?|welcome to)[ \t]+(?:the[ \t]+)?{_CAPS}",
    rf"(?i:bewerbung|interesse|vorstellungsgespräch|gespräch)[ \t]+(?i:bei|an|für)[ \t]+"
    rf"(?:der |die |den |das )?{_CAPS}",
    rf"(?i:candidature|entretien|intérêt)[ \t]+(?i:chez|à|au sein de|pour)[ \t]+{_CAPS}",
    rf"(?i:candidatura|entrevista|interés)[ \t]+(?i:en|a|para|con|por)[ \t]+{_CAPS}",
    rf"(?i:sollicitatie|gesprek|interesse)[ \t]+(?i:bij|aan|in|voor)[ \t]+{_CAPS}",
    # an assessment vendor writing for the employer: "Acme has invited you to an assessment"
    rf"(?m:^(?:[^\n]*?[.!:][ \t]+)?){_CAPS}[ \t]+(?i:has invited you|invites you|would like you to "
    r"(?:complete|take)|hat Sie eingeladen|vous invite|le invita|te invita|nodigt je uit)",
    rf"(?i:on behalf of|im Auftrag von|pour le compte de|en nombre de|namens|invited by)"
    rf"[ \t]+(?:the[ \t]+)?{_CAPS}",
    # an agency naming its client: "for my client Dunmore & Pike", "submitted your CV to X"
    rf"(?i:my client|our client|unser(?:em)? (?:Kunde|Mandant)|notre client|nuestro cliente)"
    rf"[ \t]+{_CAPS}",
    rf"(?i:recruiting|hiring|looking for)[ \t]+(?i:an?)[ \t]+[^\n.,;:]{{3,50}}?[ \t]+(?i:for)"
    rf"[ \t]+{_CAPS}",
    rf"(?i:submitted|sent|forwarded|put)[ \t]+(?i:your)[ \t]+(?i:cv|profile|application|"
    rf"details)[ \t]+(?:(?i:forward)[ \t]+)?(?i:to|for|at)[ \t]+{_CAPS}",
)]


_GENERIC = re.compile(r"^(?:our|your|the|this|that|we|i|dear|hi|hello|thank|thanks|us|you|"
                      r"it|a|an|all|any|more|next|team|hiring|recruiting|recruiter|talent|hr|"
                      r"department|service|recrutement|recruitment|karriere|university|"
                      r"universidad|company|organisation|organization|selection panel|panel)$",
                      re.I)


# A recruitment agency's name: it acts for the employer and is never the employer itself.
AGENCY = re.compile(r"\b(?:recruit\w*|talent|staffing|personnel|headhunt\w*|executive search|"
                    r"search partners|werving|selectie|personalberatung)\b", re.I)


# A recruiter writing for a client: "my client", "on behalf of our client", "unser Kunde".
FOR_CLIENT = re.compile(r"\b(?:my|our) client|\bclient of (?:mine|ours)\b|\bunser(?:em|en)? "
                        r"(?:Kunden?|Mandanten?)\b|\bnotre client|\bnuestro cliente|"
                        r"\bil nostro cliente|\bonze opdrachtgever", re.I)


def company(mail: Email) -> str | None:
    return employer_read(mail)[0]


def employer_read(mail: Email, not_employer: Callable[[str], bool] = lambda _: False
                  ) -> tuple[str | None, FactSource]:
    """The employer and where it was read: ATS tenant, the display name of a platform's sender,
    the subject, the body, or the sender's own domain (spelled as the text spells it); never an
    agency, nor a name ``not_employer`` refuses (the user's own)."""
    # an agency that says "my client" never is the employer, whatever its name
    for_client = bool(FOR_CLIENT.search(mail.new_text[:3000]))
    own, domain_source = _from_domain(mail)
    # a person writing from the organisation's own domain works there: "interview with Aisha
    # Karim" or "with the Insights team" does not name the employer the domain does
    person = mail.from_ is not None and named_person_local(mail.from_) and own
    for found, source in ((_tenant(mail), FactSource.STATED),
                          (_display_company(mail), FactSource.STATED),
                          (own if person else None, domain_source),
                          (_from_text(mail.subject) or _headed(mail.subject), FactSource.STATED),
                          (_from_text(mail.new_text[:1500]), FactSource.TEXT),
                          (own, domain_source)):
        if found and found.lower() not in PLATFORM_NAMES and not AGENCY.search(
                found.replace("-", " ")) and not not_employer(found) and not (
                for_client and mail.from_ and names_domain(found, mail.from_)):
            return found, source
    return None, FactSource.NONE


def _tenant(mail: Email) -> str | None:
    for address in (mail.from_, *mail.reply_to):
        if address is None:
            continue
        local, _, domain = address.email.lower().rpartition("@")
        if domain.endswith("myworkday.com") or domain.endswith("icims.com"):
            tenant = local.split("+")[0]
            if tenant and not NOREPLY.search(tenant) and tenant not in PLATFORM_NAMES:
                return _spelled(tenant, mail) or tenant.capitalize()
    return None


def _clean_company(text: str) -> str | None:
    text = re.sub(r"^(?:the|die|der|la|le|el|de)\s+", "", text.strip(" .,'\"“”"), flags=re.I)
    text = re.sub(r"['’]s$", "", text)  # "Harbourlight's"
    text = re.sub(r"^(?:service|département|departamento|afdeling|abteilung|équipe|equipo)\s+",
                  "", text, flags=re.I)
    text = re.sub(r"(?:\s+(?:team|careers?|recruiting|recruitment|recruiters?|"
                  r"talent(?: acquisition)?|hr|rh|jobs?|hiring|people|candidate home|"
                  r"early careers|graduate(?: \w+)?|karriere|recrutement|empleo|department|dept|"
                  r"personalabteilung|abteilung|afdeling|p&o|assessments?|testing|selección|seleccion))+$",
                  "", text, flags=re.I
                 ).strip(" .,-")
    if not 1 < len(text) <= 40 or text.lower() in PLATFORM_NAMES or _GENERIC.match(text):
        return None
    return text


def _display_company(mail: Email) -> str | None:
    """A platform or team address sends under the employer's name ("Acme Careers", "Acme via
    Lever", "Jane (Acme)")."""
    address = mail.from_
    if address is None or not address.name:
        return None
    name = address.name
    for p in (r"\((?P<c>[^)]+)\)$", r"\bon behalf of\s+(?P<c>.+)$",
              r"^(?P<b>.+?)\s(?:from|at|@|\||–|-)\s+(?P<c>.+)$"):
        m = re.search(p, name)
        if m and "b" in m.groupdict() and _team_name(m.group("c")):
            return _clean_company(m.group("b"))  # "Grupo Alameda - Selección"
        if m and (c := _clean_company(m.group("c"))):
            return c
    m = re.search(r"^(?P<c>.+?)\s+v[ií]a\s+(?P<p>\w+)", name)
    # via an applicant tracking system it is always the employer; via a network, maybe a person
    if m and (c := _clean_company(m.group("c"))) and (
            m.group("p").lower() in ATS_NAMES or _named_in_text(c, mail)):
        return c
    local = address.email.rpartition("@")[0]
    service = is_relay(address) or NOREPLY.search(address.email) or TEAM_LOCAL.search(local)
    if service and not job_board(address):
        c = _clean_company(name)
        named = _from_text(mail.subject) or _from_text(mail.new_text[:1500])
        if c and named and names_domain(c, address) and not _overlaps(named, c):
            return None  # a service signing its own name ("Codetestly"); the text names who for
        # a recruiter's name on a relay is signed, not written into the text like an employer's
        if c and (not display_person(address) or _named_in_text(c, mail)):
            return c
    return None


def _team_name(text: str) -> bool:
    """"Selección", "Selezione del Personale", "Talent Team": a department, not a name."""
    words = [w for w in re.findall(r"\w+", text) if w.lower() not in PARTICLES]
    return bool(words) and all(TEAM_WORDS.fullmatch(w) for w in words)


def _overlaps(part: str, name: str) -> bool:
    """"Partnership" is a piece of "Ulverstone Health Partnership", not another employer."""
    words = set(re.findall(r"\w+", name.lower()))
    return bool(words) and set(re.findall(r"\w+", part.lower())) <= words


def _named_in_text(name: str, mail: Email) -> bool:
    body = "\n".join(mail.new_text.strip().splitlines()[:-4])
    return name.lower() in f"{mail.subject}\n{body}".lower()


_ROLE_NEXT = re.compile(r"[ \t]*(?:role|position|post|job|vacancy|opening|poste|stelle|"
                        r"puesto|vacature)\b", re.I)


def _from_text(text: str) -> str | None:
    for rx in _COMPANY_RX:
        for m in rx.finditer(text):
            c = _clean_company(m.group("c"))
            if c and not _ROLE_NEXT.match(text, m.end()) and not JOB_TITLE.fullmatch(c):
                return c  # not "interest in the Backend Developer role"
    return None


# "Harbinger Freight - feedback", "Lumenforge - Senior Data Analyst, Product: next steps"
_HEADED = re.compile(rf"^(?:(?i:re|fwd?|aw):[ \t]*)*{_CAPS}[ \t]+[\u2013\u2014-][ \t]+"
                     r"(?P<rest>.+)$")


_JOB_WORDS = re.compile(r"\b(?:interview\w*|application|applying|feedback|update|next steps?|"
                        r"offer|assessment|outcome|case study|candidature|bewerbung|"
                        r"sollicitatie|candidatura|received|shortlist\w*)\b", re.I)


def _headed(subject: str) -> str | None:
    """The employer heading a subject, before a dash, when the rest is about the process."""
    m = _HEADED.match(subject)
    if not m or not _JOB_WORDS.search(m.group("rest")):
        return None
    name = m.group("c")
    if JOB_TITLE.fullmatch(name) or _JOB_WORDS.search(name) or JOB_REF.fullmatch(name):
        return None  # a role ("Healthcare Data Analyst - outcome")
    return _clean_company(name)


def _from_domain(mail: Email) -> tuple[str | None, FactSource]:
    """The employer the sender's own domain names: as the text spells it (read from the text),
    or only the domain's letters (a guess)."""
    address = mail.from_
    if address is None or "@" not in address.email or is_relay(address):
        return None, FactSource.NONE
    domain = domain_of(address)
    if platform_domain(address) or any(f in domain for f in FREEMAIL) or AGENCY_DOMAIN.search(
            domain) or jobs_portal(domain):
        return None, FactSource.NONE
    # the top-level label is never the employer ("example.com" is not "Com")
    labels = [p for p in domain.split(".")[:-1] if p not in (
        "mail", "email", "jobs", "careers", "hr", "recruiting", "example", "co", "com", "ac",
        "org", "net", "gov", "edu")]
    if not labels:
        return None, FactSource.NONE
    name = labels[-1]
    spelled = _spelled(name, mail)
    if spelled:
        return spelled, FactSource.TEXT
    return "-".join(part.capitalize() for part in name.split("-")), FactSource.GUESSED


def _spelled(token: str, mail: Email) -> str | None:
    """How the mail itself writes a domain label ("tandemstudio" -> "Tandem Studio"), or the
    name it starts or shortens ("greyfriarspay" -> "Greyfriars Payments", "brackenridgefoods"
    -> "Brackenridge")."""
    token = token.replace("-", "")
    return _spelled_as(token, mail, lambda t, s: t in s) or _spelled_as(
        token, mail, lambda t, s: any(_starts(t, v) for v in s))


def _starts(token: str, squashed: str) -> bool:
    short, long_ = sorted((token, squashed), key=len)
    return len(short) >= 6 and long_.startswith(short) and len(short) >= 0.6 * len(long_)


def _spelled_as(token: str, mail: Email, fits: Callable[[str, frozenset[str]], bool]) -> str | None:
    text = f"{mail.subject}\n{mail.from_.name if mail.from_ else ''}\n{mail.new_text[:3000]}"
    for m in re.finditer(rf"{_CAP}(?:[ \t]+(?:&[ \t]+|of[ \t]+|de[ \t]+)?{_CAP}){{0,3}}", text):
        words = m.group(0).split()  # "Hi Halcyon Games": any run of the words, longest first
        for size in range(len(words), 0, -1):
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start:start + size])
                if fits(token, squash_variants(phrase)):
                    return " ".join(_org_lead(words, start) + words[start:start + size])
    return None


def _org_lead(words: list[str], start: int) -> list[str]:
    lead = start
    while lead > 0 and words[lead - 1].lower() in ORG_LEAD:
        lead -= 1
    out = words[lead:start]
    while out and out[0].lower() in ("of", "de", "the"):
        out = out[1:]
    return out
