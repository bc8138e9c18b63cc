"""The training corpus: hand-written seed emails expanded into labelled examples.

Each seed (models/corpus/seeds/*.jsonl, see SEEDS.md) is one family. Its copies differ in the
people, employer, role, dates and links filled into the placeholders, so the model learns the
wording of a rejection rather than a name; every copy keeps the family id so grouped
cross-validation never tests on a sibling of a training email. Expansion is deterministic.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from inboxcoach.text import ascii_slug
from inboxcoach.vocab import Category

FIRST = ["Alex", "Sam", "Priya", "Jonas", "Maria", "Chen", "Fatima", "Lukas", "Sofia", "David",
         "Aisha", "Mateo", "Emma", "Noah", "Yuki", "Olga", "Kwame", "Ines", "Tom", "Hannah",
         "Ravi", "Lea", "Omar", "Julia", "Pieter", "Camille", "Diego", "Anna", "Ben", "Zoe",
         "Mehmet", "Sara", "Luca", "Nina", "Jakub", "Amelie", "Kofi", "Elif", "Marco", "Freya",
         "Jin", "Lucia", "Hugo", "Mia", "Tariq", "Eva", "Daan", "Chloe", "Andrei", "Grace",
         "Raj", "Marta", "Felix", "Leila", "Oscar", "Ana", "Wei", "Clara", "Ivan", "Nora"]
LAST = ["Smith", "Patel", "Müller", "Garcia", "Nguyen", "Kowalski", "Johnson", "Rossi",
        "Dubois", "Jansen", "Schmidt", "Okafor", "Tanaka", "Fernández", "Brown", "Novak",
        "Larsen", "Cohen", "Silva", "Wright", "Yilmaz", "Kim", "Martin", "de Vries", "Fischer",
        "Lopez", "Anderson", "Bernard", "Ivanova", "O'Brien", "Haddad", "Moreau", "Bakker",
        "Weber", "Chen", "Murphy", "Costa", "Lindqvist", "Mensah", "Kaur", "Romero", "Hughes"]
COMPANIES = ["Northwind Analytics", "Brightline", "Kettle & Co", "Veridian Health", "Acme",
             "Lumen Labs", "Harbor Logistics", "Bluefin Systems", "Quarry Digital", "Solara Energy",
             "Tidewater Bank", "Pinecone Robotics", "Orbital Foods", "Meridian Insurance",
             "Copperleaf", "Fjord Software", "Stratos Aerospace", "Greenway Retail", "Nimbus",
             "Atlas Consulting", "Redwood Media", "Halcyon Games", "Ironbridge Capital",
             "Vantage Pharma", "Wavelength", "Mosaic Learning", "Sterling & Hart", "Cobalt AI",
             "Birchwood Hotels", "Granite Build", "Helix Biotech", "Lighthouse Legal",
             "Nordlicht GmbH", "Rheinwerk Systems", "Maison Lefèvre", "Groupe Solenne",
             "Vandermolen BV", "Kroonstad Techniek", "Iberia Datos", "Soluciones Altamar",
             "Parkside Clinic", "Cascade Networks", "Evergreen Charity", "Summit Outdoor",
             "Polar Payments", "Zephyr Mobility", "Oakridge University Press", "Tandem Studio"]
ROLES = ["Senior Backend Engineer", "Product Designer", "Data Analyst", "Account Executive",
         "Marketing Manager", "Customer Success Manager", "Frontend Developer", "Nurse",
         "Financial Controller", "HR Business Partner", "DevOps Engineer", "UX Researcher",
         "Project Manager", "Sales Development Representative", "Machine Learning Engineer",
         "Operations Coordinator", "Content Writer", "Software Engineer II", "QA Engineer",
         "Office Manager", "Graduate Trainee", "Legal Counsel", "Supply Chain Analyst",
         "Head of Product", "Junior Accountant", "Mobile Developer (iOS)", "Teacher",
         "Technical Support Specialist", "Brand Manager", "Site Reliability Engineer",
         "Data Engineer", "Research Scientist", "Recruitment Coordinator", "Store Manager",
         "Business Analyst", "Security Engineer", "Staff Engineer, Platform", "Paralegal",
         "Werkstudent Softwareentwicklung", "Chargé de projet", "Analista de datos",
         "Medewerker klantenservice"]
AGENCIES = ["Talentbridge Recruitment", "Hays Partners", "Crimson Search", "Page & Lane",
            "Northstar Talent", "Blue Arrow People", "Nexus Executive Search", "Randall Reed"]
FREEMAIL_DOMAINS = ["gmail.com", "outlook.com", "posteo.de", "gmx.net", "yahoo.fr", "proton.me",
                    "fastmail.com", "web.de", "hotmail.com", "icloud.com"]
TLDS = ["com", "io", "co.uk", "de", "fr", "nl", "es", "com", "com", "org"]
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"],
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
           "september", "oktober", "november", "december"],
}
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
LABEL_FIELDS = ("category", "sender_kind", "has_human_contact", "contains_feedback", "stage",
                "lang", "contact_name", "contact_email", "company", "role")


def _values(rng: random.Random, lang: str) -> dict[str, str]:
    """One consistent set of people, employer and dates for a copy of a seed."""
    company = rng.choice(COMPANIES)
    slug = ascii_slug(company.split(" ")[0]) or "company"
    domain = f"{ascii_slug(company) if rng.random() < 0.4 else slug}.{rng.choice(TLDS)}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    s_first, s_last = rng.choice(FIRST), rng.choice(LAST)
    local = rng.choice([f"{s_first}.{s_last}", s_first, f"{s_first[0]}{s_last}",
                        f"{s_first}_{s_last}"])
    agency = rng.choice(AGENCIES)
    when = datetime(2026, 1, 5, tzinfo=UTC) + timedelta(days=rng.randrange(300))
    return {
        "candidate": first, "candidate_full": f"{first} {last}", "company": company,
        "company_slug": slug, "domain": domain, "role": rng.choice(ROLES),
        "sender": f"{s_first} {s_last}", "sender_first": s_first,
        "sender_email": f"{ascii_slug(local, '.')}@{domain}",
        "agency": agency, "agency_domain": f"{ascii_slug(agency.split(' ')[0])}.com",
        "weekday": rng.choice(WEEKDAYS.get(lang, WEEKDAYS["en"])),
        "date": _date_words(when + timedelta(days=rng.randrange(3, 20)), lang),
        "time": rng.choice(["9:00", "10:30", "11:00", "13:30", "14:00", "15:45", "16:00"]),
        "link": f"https://{rng.choice(['careers.', 'jobs.', 'app.', ''])}{domain}/"
                f"{rng.choice(['apply', 'r', 'candidate', 'portal'])}/{rng.randrange(10**6):x}",
        "job_id": f"{rng.choice(['R', 'JR', 'REQ-', ''])}{rng.randrange(1000, 99999)}",
        "_sent": when.isoformat(),
        "candidate_email": f"{ascii_slug(first)}.{ascii_slug(last)}@example.org",
        "sender_freemail": _freemail(local),
    }


def _freemail(local: str) -> str:
    """A private address for the sender, for mail between people outside any employer (mailing
    lists, friends). Chosen from the name so the expansion of older seeds is unchanged."""
    pick = int(hashlib.sha256(local.encode()).hexdigest(), 16)
    return f"{ascii_slug(local, '.')}@{FREEMAIL_DOMAINS[pick % len(FREEMAIL_DOMAINS)]}"


def _date_words(when: datetime, lang: str) -> str:
    month = MONTHS.get(lang, MONTHS["en"])[when.month - 1]
    if lang == "en":
        return f"{month} {when.day}"
    return f"{when.day}. {month}" if lang == "de" else f"{when.day} {month}"


def fill(text: Any, values: dict[str, str]) -> Any:
    if not isinstance(text, str):
        return text
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text).replace(
        "{{", "{").replace("}}", "}")


CATEGORIES = tuple(c.value for c in Category)
REQUIRED = ("family", "category", "sender_kind", "has_human_contact", "contains_feedback", "lang",
            "subject", "from_name", "from_addr", "body", "contact_name", "contact_email",
            "company", "role")
PLACEHOLDERS = frozenset({
    "candidate", "candidate_full", "candidate_email", "company", "company_slug", "domain", "role",
    "sender", "sender_first", "sender_email", "sender_freemail", "agency", "agency_domain",
    "weekday", "date", "time", "link", "job_id"})
# The placeholders whose values are safe inside an address (ASCII, no spaces): "{sender}@x.com"
# would put a display name with a space and an accent into From, which no mail can carry.
ADDRESS_PLACEHOLDERS = frozenset({
    "sender_email", "sender_freemail", "sender_first", "candidate_email", "domain",
    "company_slug", "agency_domain"})


def seed_problems(seed: Any) -> list[str]:
    """What is wrong with one seed, as SEEDS.md defines it (empty when nothing is)."""
    if not isinstance(seed, dict):
        return [f"a JSON object is needed, not {type(seed).__name__}"]
    problems = [f"missing {k}" for k in REQUIRED if k not in seed]
    if seed.get("category") not in CATEGORIES:
        problems.append(f"category {seed.get('category')!r} is not one of {CATEGORIES}")
    if seed.get("sender_kind") not in ("automated", "personal"):
        problems.append(f"sender_kind {seed.get('sender_kind')!r}")
    for key in ("has_human_contact", "contains_feedback"):
        if not isinstance(seed.get(key), bool):
            problems.append(f"{key} must be true or false")
    if seed.get("contains_feedback") and seed.get("category") != "rejection":
        problems.append("contains_feedback is for rejections only")
    if seed.get("category") == "rejection" and seed.get("stage") not in ("application",
                                                                          "interview"):
        problems.append("a rejection needs stage application or interview")
    if seed.get("has_human_contact") is False and seed.get("contact_email"):
        problems.append("no human contact, yet a contact_email")
    texts = [seed.get(k) or "" for k in ("subject", "from_name", "from_addr", "body",
                                         "body_html", "contact_name", "contact_email")]
    texts += [str(v) for v in (seed.get("headers") or {}).values()]
    unknown = {m for t in texts for m in PLACEHOLDER.findall(t.replace("{{", "").replace(
        "}}", ""))} - PLACEHOLDERS
    problems += [f"unknown placeholder {{{name}}}" for name in sorted(unknown)]
    sample = {k: "x@example.com" if k.endswith(("email", "freemail")) else "x"
              for k in PLACEHOLDERS}
    if "@" not in fill(seed.get("from_addr") or "", sample):
        problems.append("from_addr is not an address")
    for key in ("from_addr", "contact_email"):
        unsafe = set(PLACEHOLDER.findall(seed.get(key) or "")) - ADDRESS_PLACEHOLDERS
        problems += [f"{key} uses {{{name}}}, which is not an address part: use one of "
                     f"{sorted(ADDRESS_PLACEHOLDERS)}" for name in sorted(unsafe)]
    return problems


def read_seeds(folder: Path) -> list[dict[str, Any]]:
    seeds = []
    for path in sorted(folder.glob("*.jsonl")):
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if line.strip():
                seed = json.loads(line)
                seed["_source"] = f"{path.name}:{n}"
                seeds.append(seed)
    return seeds


COPIES = 3


def expand(seeds: Iterable[dict[str, Any]], seed: int = 1) -> Iterator[dict[str, Any]]:
    """Three copies of every seed: as written; without extra headers (many exports and the
    mail of some providers carry none); and sent the other way round (see ``_resend``)."""
    for s in seeds:
        rng = random.Random(f"{seed}:{s['family']}")
        for copy in range(COPIES):
            v = _values(rng, s["lang"])
            record = {
                "id": f"{s['family']}#{copy}", "family": s["family"], "source": s["_source"],
                **{k: fill(s.get(k), v) for k in LABEL_FIELDS},
                "subject": fill(s["subject"], v), "from_name": fill(s["from_name"], v),
                "from_addr": fill(s["from_addr"], v).lower(), "body": fill(s["body"], v),
                "headers": {k: fill(h, v) for k, h in (s.get("headers") or {}).items()},
                "date": v["_sent"], "to": formataddr((v["candidate_full"], v["candidate_email"])),
            }
            if s.get("body_html"):
                record["body_html"] = fill(s["body_html"], v)
            if copy >= 1:
                record["headers"] = {}
            if copy == 2:
                _resend(record, v)
            yield record


def _resend(record: dict[str, Any], v: dict[str, str]) -> None:
    """The same text from the other kind of address, as real mail does it: ATS templates are
    often sent from the recruiter's own address (still a template, but a reply reaches them),
    and people write from team mailboxes. Teaches the model to judge the text, not the From."""
    if record["sender_kind"] == "automated" and record["category"] != "job_alert":
        record["from_name"], record["from_addr"] = v["sender"], v["sender_email"]
        record["has_human_contact"] = True
        record["contact_name"], record["contact_email"] = v["sender"], v["sender_email"]
        if record["category"] == "rejection" and record.get("stage") == "interview":
            # after interviews, the note from the interviewer's own address is theirs to this
            # candidate, even when they started from a template
            record["sender_kind"] = "personal"
    elif record["sender_kind"] == "personal" and record["from_addr"] == v["sender_email"]:
        record["from_name"] = f"{v['sender_first']} ({v['company']})"
        record["from_addr"] = f"careers@{v['domain']}"
        record["contact_email"] = record["from_addr"]


def build_corpus(seed_dir: Path, out: Path) -> list[dict[str, Any]]:
    records = list(expand(read_seeds(seed_dir)))
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return records


def load_labelled(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def record_message_id(record: dict[str, Any]) -> str:
    """The Message-ID (without brackets) ``record_to_raw`` gives a labelled record: stable, so
    another record can reply to it."""
    domain = (record.get("from_addr") or "x@example.com").rpartition("@")[2] or "example.com"
    return f"{hashlib.sha256(str(record.get('id')).encode()).hexdigest()[:20]}@{domain}"


def record_to_raw(record: dict[str, Any]) -> bytes:
    """An RFC 5322 message for a labelled record, so training and evaluation go through the same
    parser as real mail. Records that carry ``raw`` are used as they are."""
    if record.get("raw"):
        return record["raw"].encode("utf-8", "surrogateescape")
    msg = EmailMessage()
    msg["From"] = formataddr((record.get("from_name") or "", record.get("from_addr") or ""))
    msg["To"] = record.get("to") or "candidate@example.org"
    msg["Subject"] = record.get("subject") or ""
    msg["Date"] = format_datetime(datetime.fromisoformat(record["date"])) if record.get(
        "date") else "Mon, 02 Nov 2026 10:00:00 +0000"
    msg["Message-ID"] = f"<{record_message_id(record)}>"
    for name, value in (record.get("headers") or {}).items():
        if name.lower() not in ("from", "to", "subject", "date", "message-id"):
            msg[name] = value
    body, html = record.get("body") or "", record.get("body_html")
    if body.strip() or not html:
        msg.set_content(body)
        if html:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html, subtype="html")
    return msg.as_bytes()


def checked_lines(text: str, name: str, problems_of: Callable[[Any], list[str]]
                  ) -> tuple[list[Any], list[str]]:
    """The JSON values of a JSON Lines text, and every problem as ``name:line: problem``
    (``problems_of`` says what is wrong with one value)."""
    values, out = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            out.append(f"{name}:{n}: not JSON ({exc.msg})")
            continue
        out += [f"{name}:{n}: {p}" for p in problems_of(value)]
        values.append(value)
    return values, out


def check_seed_file(path: Path) -> list[str]:
    """Every problem in one seed file, one line each (``python -m inboxcoach.train.corpus F``)."""
    return checked_lines(path.read_text("utf-8"), path.name, seed_problems)[1]


if __name__ == "__main__":
    import sys

    found = [p for arg in sys.argv[1:] for p in check_seed_file(Path(arg))]
    print("\n".join(found) or "no problems")
    sys.exit(1 if found else 0)
