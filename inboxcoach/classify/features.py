"""What the model sees of an Email: normalised text, and tokens describing the sender and headers.

Both are plain strings so the whole model is standard scikit-learn parts (TF-IDF and count
vectorisers, linear models) that skops can load without trusting any custom code. The tokens
are named facts ("from:noreply", "hdr:list-unsubscribe"), readable in the model's weights.
"""

from __future__ import annotations

import re

from inboxcoach.classify.senders import (
    ATS_DOMAINS,
    BOARD_DOMAINS,
    FREEMAIL,
    NOREPLY,
    SCHEDULERS,
    TEAM_LOCAL,
)
from inboxcoach.records import Address, Email

MAX_TEXT = 3000
# Character n-grams read only the opening: the kind of mail shows there, and their cost grows
# with the text (on 3 KB newsletters they were most of the time spent tagging).
CHAR_TEXT = 1500
TEAM_NAME = re.compile(r"\b(team|talent|careers?|recruit\w*|hiring|jobs?|hr|people|"
                       r"notifications?|no-?reply|alerts?|karriere|recrutement|personal\w*|"
                       r"bewerber\w*|empleo|via|linkedin|indeed)\b", re.I)
_PERSON_LOCAL = re.compile(r"[a-z]+([._-][a-z]+)+|[a-z]{2,12}")
_PERSON_NAME = re.compile(r"[^\W\d_][\w'.-]*( [^\W\d_][\w'.-]*){1,3}")
_TAGGED = re.compile(r"\d{4,}|[a-f0-9]{12,}")
_FREE = "|".join(map(re.escape, FREEMAIL))
_DOMAIN_KINDS = (  # (token, test on the lowercased domain)
    ("jobboard", re.compile("|".join(map(re.escape, BOARD_DOMAINS)))),
    ("freemail", re.compile(rf"^(?:{_FREE})|\.(?:{_FREE})$")),
    ("scheduler", re.compile("|".join(map(re.escape, SCHEDULERS)))),
)
_url = re.compile(r"https?://\S+|www\.\S+", re.I)
_email = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_digits = re.compile(r"\d")
_phone = re.compile(r"(\+?\d[\d ()./-]{7,}\d)")


def model_text(mail: Email) -> str:
    """Subject and the new text (quoted history removed), with URLs, addresses and digits folded
    so the model learns wording, not identifiers."""
    text = f"{mail.subject}\n{mail.new_text[:MAX_TEXT]}"
    if "://" in text or "www." in text.lower():
        text = _url.sub(" urltoken ", text)
    if "@" in text:
        text = _email.sub(" emailtoken ", text)
    return _digits.sub("0", text)


def meta_tokens(mail: Email) -> str:
    tokens = _address_tokens("from", mail.from_)
    reply = mail.reply_to[0] if mail.reply_to else None
    if reply is not None and mail.from_ is not None and reply.email != mail.from_.email:
        tokens += ["reply:differs", *_address_tokens("reply", reply)]
    if mail.sender is not None and mail.from_ is not None and mail.sender.email != mail.from_.email:
        tokens.append("sender:differs")  # a list or a service sending on someone's behalf
    headers = mail.auto_headers
    tokens += [f"hdr:{name}" for name in headers if name not in ("return-path", "x-mailer",
                                                                   "organization", "x-priority")]
    precedence = headers.get("precedence", "").lower()
    if precedence in ("bulk", "list", "junk"):
        tokens.append("hdr:precedence-bulk")
    if headers.get("auto-submitted", "no").lower() != "no":
        tokens.append("hdr:auto-submitted-yes")
    if mail.in_reply_to or mail.references:
        tokens.append("thread:reply")
    subject = mail.subject.lower()
    if re.match(r"^(re|aw|antw|réf|rv|sv)\s*:", subject):
        tokens.append("subject:re")
    if re.match(r"^(fwd?|wg|tr|rv)\s*:", subject):
        tokens.append("subject:fwd")
    if mail.html_only:
        tokens.append("body:html-only")
    if mail.text.strip() != mail.new_text.strip():
        tokens.append("body:quoted")
    words = len(mail.new_text.split())
    tokens.append("len:" + ("tiny" if words < 25 else "short" if words < 80 else
                            "medium" if words < 250 else "long"))
    tail = "\n".join(mail.new_text.strip().splitlines()[-8:])
    if _phone.search(tail):
        tokens.append("sig:phone")
    if ("://" in mail.new_text or "www." in mail.new_text.lower()) and len(
            _url.findall(mail.new_text)) > 5:
        tokens.append("body:many-links")
    return " ".join(tokens)


def _address_tokens(role: str, address: Address | None) -> list[str]:
    if address is None or "@" not in address.email:
        return [f"{role}:none"]
    local, _, domain = address.email.lower().rpartition("@")
    tokens = []
    if NOREPLY.search(address.email):
        tokens.append(f"{role}:noreply")
    elif TEAM_LOCAL.search(local):
        tokens.append(f"{role}:team-mailbox")
    elif _PERSON_LOCAL.fullmatch(local):
        tokens.append(f"{role}:person-like")
    if "+" in local or _TAGGED.search(local):
        tokens.append(f"{role}:tagged")
    parts = domain.split(".")
    suffixes = {".".join(parts[i:]) for i in range(len(parts))}
    for brand, domains in ATS_DOMAINS.items():
        if not suffixes.isdisjoint(domains):
            tokens += [f"{role}:ats", f"{role}:ats-{brand}"]
    for token, pattern in _DOMAIN_KINDS:
        if pattern.search(domain):
            tokens.append(f"{role}:{token}")
    name = address.name
    if not name:
        tokens.append(f"{role}:no-name")
    elif TEAM_NAME.search(name):
        tokens.append(f"{role}:name-team")
    elif _PERSON_NAME.fullmatch(name):
        tokens.append(f"{role}:name-person")
    return tokens


def stage_tokens(meta: str, category: str) -> str:
    """The sender tokens again, each paired with the kind of message. What an address says
    depends on the stage: from a recruiter's own address, an interview invitation is usually
    theirs, while an application-stage rejection is often the ATS template sent in their name
    (``models/corpus/SEEDS.md``). A linear model cannot learn that from the tokens alone."""
    return " ".join([f"cat:{category}", *(f"{category}&{token}" for token in meta.split())])


# Phrases by which a rejection gives a reason about this candidate, or only offers one. Tokens
# for the feedback model: among rejections, "unfortunately" is noise and these stand out.
_CUES = {
    "reason-wanted": r"looking for (?:someone|a candidate|candidates|a person|an applicant)|"
                     r"needed someone|need(?:s|ed)? (?:someone|a candidate)|were seeking|"
                     r"suchten (?:jemanden|eine[nr]?)|recherchions|buscábamos|zochten",
    "reason-more": r"\bmore (?:hands-on |direct |practical |senior |relevant )?"
                   r"(?:experience|exposure|depth|background)|stronger (?:background|experience|"
                   r"skills)|deeper (?:experience|knowledge)|mehr (?:Erfahrung|Berufserfahrung)|"
                   r"plus d'expérience|más experiencia|meer ervaring",
    "reason-lack": r"\black(?:ed|s|ing)?\b|\bmissing\b|did(?: not|n't) (?:demonstrate|meet|show|"
                   r"have|reach|pass|cover|go)|not (?:yet )?(?:enough|sufficient)|insufficient|"
                   r"fell short|short of|below (?:the|our)|gaps? in|not at the level|"
                   r"fehl(?:t|en|ende)|nicht ausreichend|mangel|manqu|insuffisant|"
                   r"\bfalta|insuficiente|no cumpl|ontbre|onvoldoende|te weinig",
    "reason-test": r"\byour (?:score|result|answers?|solution|submission|presentation|case "
                   r"study|take-home|code)|pass mark|threshold|scored|punkte|ergebnis|"
                   r"résultat|resultado|resultaat|la note",
    "reason-requirement": r"\brequire(?:d|s|ment)|mandatory|essential criteri|minimum|"
                          r"licen[cs]e|certificat|registration|visa|sponsorship|relocat|"
                          r"notice period|salary (?:expectation|range|band)|"
                          r"voraussetzung|erforderlich|kündigungsfrist|gehaltsvorstellung|"
                          r"requis|exigé|préavis|prétentions|requisito|expectativas salariales|"
                          r"vereist|opzegtermijn|salarisverwachting",
    "reason-you": r"\b(?:the panel|the team|we|interviewers?) (?:felt|noted|found|thought|"
                  r"observed)|\bbecause (?:you|your)|\byour (?:experience|background|skills|"
                  r"answers|level) (?:in|with|was|were|did)|in particular|specifically",
    "offer-only": r"happy to (?:share|give|provide|talk|discuss|explain)|"
                  r"feedback (?:is available|on request|upon request)|if you would like "
                  r"(?:feedback|to know|to discuss)|feel free to (?:reach out|contact|call)|"
                  r"gerne (?:erläutern|erklären|telefonisch|geben wir)|n'hésitez pas|"
                  r"à votre disposition|a (?:su|tu) disposición|neem gerust contact|bel me gerust",
    "role-reason": r"hiring freeze|on hold|paused|cancel+ed|filled internally|internal "
                   r"candidate|budget|restructur|einstellungsstopp|intern besetzt|gel des "
                   r"recrutements|congelad|vacaturestop|intern ingevuld",
}
_CUE_RX = {name: re.compile(rx, re.I) for name, rx in _CUES.items()}


def feedback_cues(text: str) -> str:
    """The reason cues a rejection's text holds, as tokens ("cue:reason-lack")."""
    return " ".join(f"cue:{name}" for name, rx in _CUE_RX.items() if rx.search(text)) or "cue:none"


# Stock phrases that close an application, in the five draft languages: a second look at a
# rejection the category model was not sure of. Measured apart in cross-validation (README).
STOCK_REJECTION = re.compile(
    r"(?:decided|chosen|elected) (?:to )?(?:move|proceed|go|continue) (?:forward )?with "
    r"(?:other|another|a different)|not (?:be )?(?:moving|progressing|proceeding|taking) "
    r"(?:forward|further|your application)|will not be (?:moving|progressing|proceeding|taking|"
    r"inviting)|won't be (?:moving|progressing|taking|inviting)|regret to (?:inform|let you know|"
    r"advise)|(?:have|has) not been (?:successful|selected|shortlisted)|were not successful|"
    r"unsuccessful on this occasion|not (?:been )?selected (?:for|to)|position has (?:now )?"
    r"been filled|pursue other candidates|decided not to (?:proceed|progress|move)|"
    r"nicht (?:weiter )?berücksichtigen|(?:müssen|möchten) (?:wir )?ihnen (?:leider )?"
    r"(?:mitteilen|absagen)|eine absage|für (?:eine[nr]?|andere) (?:andere[nr]? )?"
    r"(?:kandidat|bewerber)|pas (?:été )?retenue?|ne (?:pas )?donner (?:une )?suite|"
    r"pas pu donner suite|no (?:ha|has) sido seleccionad|no continuar(?:á|emos)|"
    r"otros candidatos|otro candidato|niet (?:verder|door) (?:gaan|te gaan)|"
    r"(?:helaas )?(?:hebben|moeten) (?:wij|we) (?:besloten|je|u) .{0,40}(?:af te wijzen|niet)|"
    r"afgewezen", re.I)


def stock_rejection(text: str) -> bool:
    return bool(STOCK_REJECTION.search(text))
