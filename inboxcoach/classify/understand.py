"""Who is behind a message and what it is about: whether a reply reaches a person (and who),
the employer and the role.

Rules over addresses, headers and the text: they are transparent, fast, language-aware where
mail is formulaic (subjects, sign-offs), and measured by ``inboxcoach evaluate`` on labelled mail.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import pairwise

from inboxcoach.classify.features import ATS_DOMAINS, BOARD_DOMAINS, FREEMAIL, NOREPLY, TEAM_LOCAL
from inboxcoach.records import Address, Email, FactSource, JobFacts
from inboxcoach.text import squash_variants

ATS_RELAYS = tuple(d for domains in ATS_DOMAINS.values() for d in domains)
# Names that are platforms, never the employer.
PLATFORM_NAMES = {
    "workable", "greenhouse", "lever", "workday", "linkedin", "indeed", "smartrecruiters",
    "icims", "teamtailor", "personio", "taleo", "bamboohr", "ashby", "jazzhr", "recruitee",
    "glassdoor", "stepstone", "xing", "jobvite", "breezy", "successfactors", "softgarden",
    "join", "pinpoint", "welcome to the jungle", "otta", "wellfound", "hired", "monster",
    "ziprecruiter", "infojobs", "apec", "calendly", "docusign", "google", "gmail", "outlook",
    "nhs", "nhs jobs", "civil service", "civil service jobs", "trac", "jobs.ac.uk", "tes",
}
NOT_READ = re.compile(
    r"do not reply|don.t reply|not monitored|unmonitored|unattended|cannot (?:receive|accept) "
    r"(?:replies|responses)|no[- ]?reply|automatically generated|automated (?:message|email)|"
    r"nicht (?:auf diese|antworten)|keine antwort|ne pas répondre|ne répondez pas|no responda|"
    r"no contestes|niet (?:beantwoorden|reageren)|non rispondere|não responda|nie odpowiadaj|"
    r"maschinell erstellt|automatisch (?:erzeugt|erstellt|gegenereerd|verzonden)|"
    r"généré automatiquement|generado automáticamente|generata automaticamente",
    re.I)
_SIGN_OFFS = (
    "mit freundlichen grüssen", "mit freundlichen grüßen", "med vänliga hälsningar",
    "met vriendelijke groet", "met vriendelijke groeten", "vänliga hälsningar",
    "vriendelijke groet", "saludos cordiales", "bien cordialement", "freundliche grüße",
    "freundliche grüsse", "hartelijke groet", "hartelijke groeten", "beste groeten",
    "cordiali saluti", "un caro saluto", "yours sincerely", "yours faithfully", "distinti saluti",
    "atenciosamente", "warm regards", "warmest regards", "warm wishes", "cordialement",
    "all the best", "cumprimentos", "kind regards", "kindest regards", "with kind regards",
    "with best regards", "best regards", "best wishes", "many thanks", "with thanks",
    "z poważaniem", "liebe grüße", "herzliche grüße", "mit besten grüßen", "beste grüße",
    "schöne grüße", "viele grüße", "salutations", "sincères salutations", "bien à vous",
    "bien à toi", "à bientôt", "amitiés", "atentamente", "un cordial saludo", "cordialmente",
    "с уважением", "pozdrawiam", "speak soon", "talk soon", "thank you", "un saludo", "sincerely",
    "respectfully", "hälsningar", "groeten", "regards", "saludos", "warmly", "thanks", "cheers",
    "yours", "best", "gruß", "grüße", "a presto", "mvh", "with gratitude", "gratefully",
)
# Longest first: "best" must not take the start of "best regards".
SIGN_OFF = re.compile(
    r"^(" + "|".join(map(re.escape, sorted(_SIGN_OFFS, key=len, reverse=True))) + r")\b[ ,!.]*",
    re.I)
# "Your contact: Jane Doe", "Ihre Ansprechpartnerin: Frau Katrin Vogel": a named person the mail
# says to reply to, even from a team mailbox.
CONTACT_LINE = re.compile(
    r"(?:your contact(?: person)?|contact person|ihr(?:e)? ansprechpartner(?:in)?|"
    r"votre (?:contact|interlocut(?:eur|rice))|su (?:persona de )?contacto|"
    r"je contactpersoon|uw contactpersoon|din kontaktperson|il tuo referente)\s*:?\s*"
    r"(?:(?:frau|herr|mme|mrs?|ms|m\.|sr\.?|sra\.?|dhr\.?|mevr\.?)\s+)?(?P<name>[^\n,;(]{2,40})",
    re.I)
# Words of an organisation's name, which can stand over "Human Resources" like a person's.
ORG_WORDS = re.compile(r"\b(corp\w*|company|group|plc|limited|international|bank|universit\w*|"
                       r"college|school|hospital|clinic|council|institute|foundation|labs?|"
                       r"systems|solutions|services|technologies|partners|consulting|agency|"
                       r"holding|industries|studios?|media|health|games|robotics|logistics|"
                       r"freight)\b", re.I)
# A role line under a name in a signature block ("Talent Partner", "HR Manager").
TITLE_LINE = re.compile(r"\b(recruit\w*|talent|hiring|hr|human resources|people|manager|"
                        r"partner|coordinator|director|head|lead|engineer|founder|ceo|cto|"
                        r"personal\w*|referent\w*|chargée?|responsable|reclutador\w*|"
                        r"recruteur|recruteuse|sourcer|specialist|spécialiste|gestionnaire|rh|"
                        r"officer|advisor|consultant|assistant|administrat\w*)\b",
                        re.I)
TEAM_WORDS = re.compile(
    r"\b(team|talent|acquisition|recruit\w*|hiring|careers?|jobs?|hr|human resources|people|"
    r"department|abteilung|afdeling|personal\w*|recrutement|ressources|equipo|selección|"
    r"bewerb\w*|personas|recursos|risorse|direzione|emploi|compétences|graduates?|"
    r"apprenticeships?|early careers|management|selezione|personale|umane|"
    r"service|office|staffing|notifications?|support|no-?reply|ltd|gmbh|inc|llc|bv|sa|ag)\b",
    re.I)
PARTICLES = ("van", "von", "de", "der", "den", "da", "del", "di", "la", "le", "du", "dos", "ten",
             "ter", "y", "e")
PERSON = re.compile(rf"[^\W\d_][\w'’.-]*(?: (?:{'|'.join(PARTICLES)})?\s?[^\W\d_][\w'’.-]*){{0,3}}")


# -- human contact -------------------------------------------------------------------------------
def reply_address(mail: Email) -> Address | None:
    """Where a reply goes: Reply-To when set, otherwise From."""
    return mail.reply_to[0] if mail.reply_to else mail.from_


def _domain(address: Address) -> str:
    return address.email.rpartition("@")[2].lower()


def is_relay(address: Address) -> bool:
    domain = _domain(address)
    return any(domain == d or domain.endswith("." + d) for d in ATS_RELAYS)


# Words that make a mailbox a role's, wherever they stand in its local part
# ("pilotrecruitment", "seasonaljobs", "university-recruiting"); short ones ("hr", "rh") only
# as a whole part, since they hide in names ("christoph").
ROLE_IN_LOCAL = re.compile(r"recruit|career|jobs?(?![a-z])|talent|staffing|hiring|apprentic|"
                           r"graduate|emploi|empleo|rrhh|selezione|seleccion|bewerb|vacature|"
                           r"werving|notifica|personal(?:abteilung|service)?$")
ROLE_PART = re.compile(r"(?:^|[._-])(?:hr|rh|people|team|ta|info|admin)(?:$|[._-])")


def person_like_local(address: Address) -> bool:
    local, _, domain = address.email.lower().rpartition("@")
    if NOREPLY.search(address.email) or TEAM_LOCAL.search(local):
        return False
    if ROLE_IN_LOCAL.search(local) or ROLE_PART.search(local):
        return False
    label = domain.split(".")[0].replace("-", "")
    if local.isalpha() and (local in domain.replace("-", "").replace(".", "") or (
            len(label) >= 4 and (local.startswith(label) or local.endswith(label)))):
        return False  # "acme@acme.example", "acmejobs@": the organisation's own mailbox
    return bool(re.fullmatch(r"[a-z]+([._-][a-z]+){0,2}", local)) and len(local) <= 30


def named_person_local(address: Address) -> bool:
    """A local part shaped like a person's full name ("jane.doe", "j_smith"): enough to believe
    a person reads it even when the text says replies are not read (a recruiter who pasted a
    template's footer). A one-word mailbox ("acmegroup") is not."""
    local = address.email.rpartition("@")[0].lower()
    return person_like_local(address) and bool(re.fullmatch(r"[a-z]+[._-][a-z]+", local))


def signature_name(text: str) -> str | None:
    """The person who signed the new text, if a person did: the name after a sign-off, a name
    line over a job title at the end, or the contact the mail names ("Your contact: ...")."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()][-12:]
    for i in range(len(lines) - 1, -1, -1):  # the last sign-off is the one that is signed
        rest = _sign_off_rest(lines[i])
        if rest is None:
            continue  # not a sign-off line ("Thanks again for your time.")
        if rest:
            return _signed_line(rest)
        following = lines[i + 1:i + 4]
        while following and BETWEEN.search(following[0]) and not PROXY.match(following[0]):
            following = following[1:]  # "Im Auftrag", "Ihr Recruiting-Team": the name follows
        return _signed_line(following[0]) if following else None
    # No sign-off: a name over a job title ("Maria Lopez" / "Talent Partner, Acme"), or both on
    # the last line ("Aoife Brannigan, People Team, Tessellate"); the closest to the end wins.
    for name_line, title in reversed(list(pairwise(lines[-6:]))):
        if len(title) <= 60 and (TITLE_LINE.search(title) or TEAM_WORDS.search(title)) and (
                _could_sign(name_line)) and (
                name := _person_name(name_line)):
            return name
    if lines and _could_sign(lines[-1]) and (titled := _titled_name(lines[-1])):
        return titled
    for team, name_line in reversed(list(pairwise(lines[-6:]))):  # "Ressources humaines" / name
        if (TEAM_WORDS.search(team) and not TEAM_WORDS.search(name_line) and len(team) <= 50
                and len(name_line.split()) >= 2 and _could_sign(name_line)
                and (name := _person_name(name_line))):
            return name
    named = CONTACT_LINE.search(text)
    return _person_name(named.group("name")) if named else None


def _sign_off_rest(line: str) -> str | None:
    """For a sign-off line, what follows the sign-off ("" or the name in "Best, Jane"); None
    for any other line, "Thanks for your application" included."""
    m = SIGN_OFF.match(line.strip())
    if not m:
        return None
    rest = line.strip()[m.end():].strip(" ,-")
    return rest if not rest or _signed_line(rest) else None


GREETING = re.compile(r"^(hi|hello|hey|dear|hallo|liebe[rs]?|sehr geehrte|bonjour|cher|chère|hola|"
                      r"estimad[oa]|beste|geachte|ciao|gentile|hej)\b", re.I)


def _could_sign(line: str) -> bool:
    return not (ORG_WORDS.search(line) or SIGN_OFF.match(line) or GREETING.match(line))


def _titled_name(line: str) -> str | None:
    parts = re.split(r"\s*(?:\||,|–|—|\s-)\s*", line, maxsplit=1)
    if len(parts) == 2 and TITLE_LINE.search(parts[1]):
        return _person_name(parts[0])
    return None


def _signed_line(line: str) -> str | None:
    """A name, alone or before its title ("Maria Lopez | Talent Partner", "Jan, HR")."""
    return _titled_name(line) or _person_name(line)


def _person_name(line: str) -> str | None:
    line = PROXY.sub("", line.strip(" ,.-–—|")).strip(" ,.-–—|")
    if not line or len(line) > 40 or TEAM_WORDS.search(line) or any(c.isdigit() for c in line):
        return None
    if not PERSON.fullmatch(line) or TITLE_LINE.search(line) or NOT_A_NAME.search(line):
        return None
    if not all(w[0].isupper() for w in line.split() if w.lower() not in PARTICLES):
        return None  # "Application status update"
    return line


# Signing for someone else ("i. A. Jana Roth", "p.p. Tom Hale"): the name after it signs.
PROXY = re.compile(r"^(?:i\.\s?a\.|i\.\s?v\.|p\.\s?p\.|pp\.?|p\.o\.|per pro\.?)\s+", re.I)
# Lines between a sign-off and the name that are not a name: "Im Auftrag", "Ihr Recruiting-Team",
# "Pour le service Recrutement", "Le service des ressources humaines".
BETWEEN = re.compile(r"^(?:im auftrag|in vertretung|i\.\s?a\.|i\.\s?v\.|p\.\s?p\.|pour|"
                     r"on behalf of|for|namens|en nombre de|per conto di)\b|^(?:ihr|ihre|euer|"
                     r"le|la|l'|el|het|de|the|your|votre)\b.*\b(?:team|service|équipe|"
                     r"equipo|abteilung|afdeling)|(?:team|service)$", re.I)
NOT_A_NAME = re.compile(r"^(?:im auftrag|in vertretung|with gratitude|gratefully|"
                        r"respectfully yours)$", re.I)


def display_person(address: Address | None) -> str | None:
    if address is None or not address.name:
        return None
    name = re.split(r"\s+(?:via|from|at|@|\||-|–)\s+", address.name, maxsplit=1)[0]
    name = re.sub(r"\s*\(.*?\)\s*", " ", name).strip()
    if ORG_WORDS.search(name) or (name.split() and _names_domain(name, address)):
        return None  # "Saltmarsh Coffee Roasters" from saltmarsh.example: the business
    return _person_name(name)


def _names_domain(name: str, address: Address) -> bool:
    """Whether a name is the one the address's domain spells ("Acme Labs", acme.example;
    "University of Kingsweston", jobs.kingsweston.ac.uk)."""
    labels = [p.replace("-", "") for p in _domain(address).split(".")[:-1]]
    if not name.split():
        return False
    firsts, wholes = squash_variants(name.split()[0]), squash_variants(name)
    words = {v for w in name.split() if len(w) >= 5 and w.lower() not in ORG_LEAD
             for v in squash_variants(w)}
    return any(any(len(f) >= 3 and label.startswith(f) for f in firsts)
               or any(w and w in label for w in wholes) or label in words
               for label in labels)


def human_contact(mail: Email) -> Address | None:
    """The person a reply reaches, or None for no-reply, discarding relays and team mailboxes
    nobody signs for."""
    address = reply_address(mail)
    if address is None or "@" not in address.email or NOREPLY.search(address.email):
        return None
    if is_relay(address) and not (mail.reply_to and not is_relay(mail.reply_to[0])):
        return None
    if NOT_READ.search(mail.new_text) and not named_person_local(address):
        return None
    signed = signature_name(mail.new_text)
    if signed and _names_domain(signed, address):
        signed = None  # "The Recruitment Team / Nimbus" from nimbus.io: the employer signs
    name = display_person(address) or display_person(mail.from_ if address.email == (
        mail.from_.email if mail.from_ else "") else None) or signed
    if person_like_local(address):
        return Address(name or "", address.email)
    if signed or display_person(address):
        return Address(name or "", address.email)
    return None


# -- company and role ------------------------------------------------------------------------------
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
PLATFORM_DOMAINS = ("hackerrank", "devskiller", "shl.com", "codility", "codesignal",
                    "testgorilla", "hirevue", "goodtime", "calendly", "google.com", "getro",
                    "docusign", "zoom.us", "microsoft", "sovaassessment", "criteria", "pymetrics",
                    "karat", "modernloop", "talentlyft", "jobright", "careerbuilder")
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
# The same in a domain, where the words run together ("oakridgetalent.example").
AGENCY_DOMAIN = re.compile(r"recruit|talent|staffing|personnel|headhunt|(?<!re)search|werving|"
                           r"personalberatung", re.I)
ATS_NAMES = {"greenhouse", "lever", "workable", "smartrecruiters", "ashby", "teamtailor",
             "personio", "recruitee", "jobvite", "bamboohr", "icims", "taleo", "workday",
             "pinpoint", "breezy", "jazzhr", "softgarden", "successfactors"}


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
                for_client and mail.from_ and _names_domain(found, mail.from_)):
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
    if service and not _job_board(address):
        c = _clean_company(name)
        named = _from_text(mail.subject) or _from_text(mail.new_text[:1500])
        if c and named and _names_domain(c, address) and not _overlaps(named, c):
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


def _job_board(address: Address) -> bool:
    return any(b in _domain(address) for b in BOARD_DOMAINS)


_ROLE_NEXT = re.compile(r"[ \t]*(?:role|position|post|job|vacancy|opening|poste|stelle|"
                        r"puesto|vacature)\b", re.I)


def _from_text(text: str) -> str | None:
    for rx in _COMPANY_RX:
        for m in rx.finditer(text):
            c = _clean_company(m.group("c"))
            if c and not _ROLE_NEXT.match(text, m.end()) and not _TITLE.fullmatch(c):
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
    if _TITLE.fullmatch(name) or _JOB_WORDS.search(name) or JOB_REF.fullmatch(name):
        return None  # a role ("Healthcare Data Analyst - outcome")
    return _clean_company(name)


def _portal(domain: str) -> bool:
    """A jobs portal's own domain ("civilservicejobs.service.gov.uk", "nhs-apply.example"): the
    name that registers it says jobs or applying, which an employer's does not."""
    labels = [p for p in domain.split(".")[:-1] if p not in ("co", "com", "org", "gov", "ac")]
    return any(re.search(r"jobs|apply", p) for p in labels[-1:])


def _platform_domain(address: Address) -> bool:
    domain = _domain(address)
    return any(p in domain for p in PLATFORM_DOMAINS) or any(b in domain for b in BOARD_DOMAINS)


def _from_domain(mail: Email) -> tuple[str | None, FactSource]:
    """The employer the sender's own domain names: as the text spells it (read from the text),
    or only the domain's letters (a guess)."""
    address = mail.from_
    if address is None or "@" not in address.email or is_relay(address):
        return None, FactSource.NONE
    domain = _domain(address)
    if _platform_domain(address) or any(f in domain for f in FREEMAIL) or AGENCY_DOMAIN.search(
            domain) or _portal(domain):
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


# Words an organisation's name starts with that its domain leaves out: "University of
# Kingsweston" (kingsweston.ac.uk), "Bodegas Ribera Alta" (riberaalta.es).
ORG_LEAD = {"university", "universidad", "université", "universität", "universiteit", "of", "de",
            "college", "bodegas", "grupo", "banco", "bank", "hospital", "hotel", "institute",
            "instituto", "fundación", "fondation", "stichting", "the"}


def _org_lead(words: list[str], start: int) -> list[str]:
    lead = start
    while lead > 0 and words[lead - 1].lower() in ORG_LEAD:
        lead -= 1
    out = words[lead:start]
    while out and out[0].lower() in ("of", "de", "the"):
        out = out[1:]
    return out


_R = r"(?P<r>[^\n,.;:!?()\[\]]{3,60}?)"
_END = r"(?=[ \t]+(?:at|with|in|bei|chez|en|bij|position|role|job|opening|vacancy|team)\b|" \
       r"[ \t]*(?:[,.;:!?()\[\]]|[-–|][ \t]|$))"
_ROLE_RX = [re.compile(p, re.I | re.M) for p in (
    rf"(?:position|role|job|post|vacancy|opening)[ \t]+(?:of|as)[ \t]+(?:an?[ \t]+)?{_R}{_END}",
    rf"(?:for|to|in)[ \t]+(?:the|our|this|a|an)[ \t]+{_R}[ \t]+"
    rf"(?:position|role|job|opening|vacancy|opportunity)\b",
    rf"(?:application|applying|applied|interview(?:ing)?|candidacy)[ \t]+(?:for|to|as)[ \t]+"
    rf"(?:the[ \t]+|our[ \t]+|an?[ \t]+)?(?:position[ \t]+(?:of[ \t]+)?)?{_R}{_END}",
    rf"^(?:re:[ \t]*)?(?:your application:?|application:|interview:|submitted:)[ \t]+{_R}{_END}",
    rf"(?:bewerbung|stelle|position)[ \t]+als[ \t]+{_R}{_END}",
    rf"(?:poste|offre|candidature)[ \t]+(?:de|d'|au poste (?:de|d'))[ \t]*{_R}{_END}",
    rf"(?:puesto|vacante|candidatura)[ \t]+(?:de|para|al puesto de)[ \t]+{_R}{_END}",
    rf"(?:functie|vacature|sollicitatie)[ \t]+(?:(?:van|als|voor)[ \t]+)?(?:de[ \t]+)?{_R}{_END}",
)]
_ROLE_STOP = re.compile(r"^(?:this|that|your|our|the|a|an|any|other|open|same|new|next|"
                        r"current|interview|application|candidate|position|role|job|us|you|"
                        r"it|further|consideration|employment|update|status)\b", re.I)


# Words that end (or, in Romance languages and Dutch, start) a job title.
TITLE_TAIL = ("engineer", "developer", "manager", "analyst", "designer", "nurse", "teacher",
              "scientist", "coordinator", "specialist", "representative", "counsel",
              "accountant", "controller", "partner", "writer", "director", "lead", "intern",
              "assistant", "consultant", "executive", "officer", "associate", "administrator",
              "architect", "researcher", "paralegal", "trainee", "recruiter", "technician",
              "product", "editor", "advisor", "adviser", "agent", "clerk", "driver", "chef",
              "entwickler", "ingenieur", "berater", "leiter", "referent", "sachbearbeiter",
              "werkstudent", "softwareentwicklung", "praktikant", "kaufmann", "kauffrau",
              "programme", "program", "scheme", "internship", "graduate", "trainer", "auditor",
              "educator", "midwife", "therapist", "practitioner", "pharmacist", "surveyor")
COMPOUND_TAIL = ("analyst", "analist", "entwickler", "ingenieur", "berater", "leiter", "referent",
                 "architekt", "ontwikkelaar", "adviseur", "beheerder")
TITLE_HEAD = ("analista", "analyste", "chargé", "chargée", "responsable", "ingénieur",
              "développeur", "desarrollador", "ingeniero", "técnico", "medewerker", "adviseur",
              "ontwikkelaar", "consultor", "consultant", "directeur", "head", "werkstudent",
              "stagiaire", "contable", "contabile", "enfermero", "enfermera", "formateur",
              "formatrice", "coordinador", "coordinadora", "auditor", "auditeur", "infirmier",
              "infirmière", "verpleegkundige", "pflegefachkraft")
_TITLE = re.compile(
    r"(?P<r>(?:(?:Senior|Junior|Lead|Staff|Principal|Head|Chief|Associate|Assistant|"
    r"Graduate|[A-Z][\w/&+-]*|&|and)[ \t]+){0,4}"
    rf"(?i:{'|'.join(TITLE_TAIL)})(?:[ \t]+I{{1,3}}|[ \t]+\([\w .,/-]+\)|,[ \t]+[A-Z]\w+|"
    r"[ \t]+(?:Junior|Senior|Sénior|Jr\.?|Sr\.?)(?!\w))?)\b"
    # one word in German and Dutch: "Datenanalyst (m/w/d)", "Data-analist"
    rf"|(?P<k>(?<![\w-])[A-ZÄÖÜ][\w-]{{1,40}}?(?i:{'|'.join(COMPOUND_TAIL)})(?:in)?"
    r"(?:[ \t]+\([mwfdx/ ]+\))?)\b"
    rf"|(?P<h>(?i:{'|'.join(TITLE_HEAD)})[ \t]+(?:of[ \t]+|de[ \t]+|d'|del[ \t]+)?"
    r"[\w'’-]+(?:[ \t]+(?!(?:de|del|of|di|du|des|d')\b)[a-zà-ÿ][\w'’-]+)?)")
_LABELLED_ROLE = re.compile(r"^(?:position|job|role|poste|stelle|puesto|functie|vacature)[ \t]*:"
                            r"[ \t]*(?P<r>[^\n]{3,60})$", re.I | re.M)
_NOT_ROLE = re.compile(r"^(?:hiring|the hiring|our hiring|your|this|a|an|the|i|we|you)\b", re.I)
_LEADING_NOISE = {"application", "applications", "interview", "interviews", "die", "der", "das",
                  "stelle", "bereich", "proceso", "ausschreibung", "position", "role", "job",
                  "candidature", "vacature", "the", "our", "new", "invite", "teams", "zoom",
                  "next", "for", "as", "als", "re", "fw", "fwd", "offer", "update", "poste",
                  "competition", "concurso", "ref", "reference", "vacancy", "post"}


def _tidy_role(text: str) -> str | None:
    words = " ".join(text.split()).strip(" ,.-–:").split(" ")
    while words and (words[0].lower().strip(":") in _LEADING_NOISE or _REQ_ID.fullmatch(words[0])):
        words = words[1:]
    role_text = " ".join(words)
    if len(role_text) < 3 or role_text.islower() or _NOT_ROLE.match(role_text):
        return None
    if words[-1].lower() in _DANGLING or not role_text[0].isupper():
        return None  # "Head of Digital at", "responsable Business": a piece of a sentence
    return role_text


_REQ_ID = re.compile(r"[A-Z]{1,5}-?\d{2,}[\w-]*")  # "REQ-30219" before a title
_DANGLING = {"at", "and", "of", "for", "in", "with", "to", "the", "bei", "und", "für", "chez",
             "et", "de", "du", "des", "y", "en", "bij", "van", "voor"}


def _above_signature(text: str) -> str:
    """The text before its last sign-off: the signature says who writes, not for what job."""
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if _sign_off_rest(lines[i]) is not None:
            return "\n".join(lines[:i])
    return text


def role(mail: Email) -> str | None:
    return role_read(mail)[0]


def role_read(mail: Email) -> tuple[str | None, FactSource]:
    """The job title and where it was read: a labelled line ("Position: ..."), a known phrasing,
    or a title-shaped phrase (words ending in Engineer, Manager, Analyst ...), in the subject,
    then the body. A title-shaped phrase in the body is only a guess: it may be the writer's."""
    new_text = GENDER.sub("", mail.new_text[:3000])
    m = _LABELLED_ROLE.search(new_text)
    if m and (found := _tidy_role(m.group("r"))):
        return found, FactSource.STATED
    body = _above_signature(new_text)
    for text, said, shaped in ((GENDER.sub("", mail.subject), FactSource.STATED,
                                FactSource.STATED),
                               (body, FactSource.TEXT, FactSource.GUESSED)):
        for rx in _ROLE_RX:
            for m in rx.finditer(text):
                r = m.group("r").strip(" \"'“”")
                title = _TITLE.search(r)
                found = _tidy_role(title.group(0)) if title and len(r) <= 60 else None
                if found and not _ROLE_STOP.match(r):
                    return found, said
        for m in _TITLE.finditer(text):
            if text[max(m.start() - 1, 0):m.start()] == "(":
                continue  # "a conversation with Anand (Head of Data)": the person's title
            if (found := _tidy_role(m.group(0))) and not TEAM_WORDS.fullmatch(found):
                return found, shaped
    return None, FactSource.NONE


# The gender forms of a title: "Chargé(e)", "Ingeniero/a", "(m/w/d)"; the title is the same.
GENDER = re.compile(r"\((?:e|es|a|ne|in|x)\)|/(?:a|e|in)\b|\s*\((?:[mwfdxh]\s*/\s*)+[mwfdxh]\)",
                    re.I)
# "REQ-20431", "PGH-DA-0211", "HBC/0923": an employer's or agency's id for one opening.
JOB_REF = re.compile(r"\b(?!(?:GMT|UTC|CET|CEST|BST|PST|PDT|EST|EDT|ISO|IEC|EN|BS|DIN|FY|COVID|"
                     r"SARS|TEL|FAX|PO)[-/])(?:[A-Z]{1,4}[-/]){1,2}\d{3,7}\b"
                     r"|\b\d{3}-[A-Z]{2,5}-\d{3,5}\b")


def job_refs(mail: Email) -> tuple[str, ...]:
    """Ids in the subject and the text, not in links: a link's id may be a test's or a
    candidate's ("assess.example/c/MVB-58213-RS")."""
    text = re.sub(r"\S+://\S+", " ", f"{mail.subject}\n{_above_signature(mail.new_text[:3000])}")
    return tuple(dict.fromkeys(m.group(0).replace("/", "-") for m in JOB_REF.finditer(text)))


def employer_domain(mail: Email) -> str | None:
    """The sender's domain when it is an organisation's own, not a platform's or a mailbox
    provider's: two people writing from it work for the same employer."""
    address = mail.from_
    if address is None or "@" not in address.email or is_relay(address):
        return None
    domain = _domain(address)
    if _platform_domain(address) or any(f in domain for f in FREEMAIL) or AGENCY_DOMAIN.search(
            domain) or _portal(domain):
        return None
    parts = domain.split(".")  # "careers.acme.co.uk" and "acme.co.uk" are one employer
    keep = 3 if len(parts) > 2 and parts[-2] in ("co", "ac", "org", "gov", "com", "net") else 2
    return ".".join(parts[-keep:])


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
            _names_domain(employer, mail.from_)):
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
