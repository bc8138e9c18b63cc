"""Whether a reply reaches a person, and who: the reply address, the signature, the display
name. Rules over addresses and the text, measured by ``inboxcoach evaluate`` on labelled mail.
"""

from __future__ import annotations

import re
from itertools import pairwise

from inboxcoach.classify.senders import NOREPLY, TEAM_LOCAL, domain_of, is_relay
from inboxcoach.records import Address, Email
from inboxcoach.text import squash_variants

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


def reply_address(mail: Email) -> Address | None:
    """Where a reply goes: Reply-To when set, otherwise From."""
    return mail.reply_to[0] if mail.reply_to else mail.from_


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
        rest = sign_off_rest(lines[i])
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
                name := person_name(name_line)):
            return name
    if lines and _could_sign(lines[-1]) and (titled := _titled_name(lines[-1])):
        return titled
    for team, name_line in reversed(list(pairwise(lines[-6:]))):  # "Ressources humaines" / name
        if (TEAM_WORDS.search(team) and not TEAM_WORDS.search(name_line) and len(team) <= 50
                and len(name_line.split()) >= 2 and _could_sign(name_line)
                and (name := person_name(name_line))):
            return name
    named = CONTACT_LINE.search(text)
    return person_name(named.group("name")) if named else None


def sign_off_rest(line: str) -> str | None:
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
        return person_name(parts[0])
    return None


def _signed_line(line: str) -> str | None:
    """A name, alone or before its title ("Maria Lopez | Talent Partner", "Jan, HR")."""
    return _titled_name(line) or person_name(line)


def person_name(line: str) -> str | None:
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
    if ORG_WORDS.search(name) or (name.split() and names_domain(name, address)):
        return None  # "Saltmarsh Coffee Roasters" from saltmarsh.example: the business
    return person_name(name)


def names_domain(name: str, address: Address) -> bool:
    """Whether a name is the one the address's domain spells ("Acme Labs", acme.example;
    "University of Kingsweston", jobs.kingsweston.ac.uk)."""
    labels = [p.replace("-", "") for p in domain_of(address).split(".")[:-1]]
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
    if signed and names_domain(signed, address):
        signed = None  # "The Recruitment Team / Nimbus" from nimbus.io: the employer signs
    name = display_person(address) or display_person(mail.from_ if address.email == (
        mail.from_.email if mail.from_ else "") else None) or signed
    if person_like_local(address):
        return Address(name or "", address.email)
    if signed or display_person(address):
        return Address(name or "", address.email)
    return None


# Words an organisation's name starts with that its domain leaves out: "University of
# Kingsweston" (kingsweston.ac.uk), "Bodegas Ribera Alta" (riberaalta.es).
ORG_LEAD = {"university", "universidad", "université", "universität", "universiteit", "of", "de",
            "college", "bodegas", "grupo", "banco", "bank", "hospital", "hotel", "institute",
            "instituto", "fundación", "fondation", "stichting", "the"}
