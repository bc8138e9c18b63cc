"""The job title a message is about, and the requisition ids it cites ("REQ-20431").

Read from a labelled line, a known phrasing or a title-shaped phrase, subject first.
"""

from __future__ import annotations

import re

from inboxcoach.classify.contact import TEAM_WORDS, sign_off_rest
from inboxcoach.records import Email, FactSource

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


JOB_TITLE = re.compile(
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


def above_signature(text: str) -> str:
    """The text before its last sign-off: the signature says who writes, not for what job."""
    lines = text.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if sign_off_rest(lines[i]) is not None:
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
    body = above_signature(new_text)
    for text, said, shaped in ((GENDER.sub("", mail.subject), FactSource.STATED,
                                FactSource.STATED),
                               (body, FactSource.TEXT, FactSource.GUESSED)):
        for rx in _ROLE_RX:
            for m in rx.finditer(text):
                r = m.group("r").strip(" \"'“”")
                title = JOB_TITLE.search(r)
                found = _tidy_role(title.group(0)) if title and len(r) <= 60 else None
                if found and not _ROLE_STOP.match(r):
                    return found, said
        for m in JOB_TITLE.finditer(text):
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
    text = re.sub(r"\S+://\S+", " ", f"{mail.subject}\n{above_signature(mail.new_text[:3000])}")
    return tuple(dict.fromkeys(m.group(0).replace("/", "-") for m in JOB_REF.finditer(text)))
