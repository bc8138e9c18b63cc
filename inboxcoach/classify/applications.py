"""Applications: messages grouped per employer and role, each with a status timeline.

A message joins an application when it shares a thread with it, or names the same employer and
a compatible role. Two different roles at one employer never merge. Statuses move forward
(applied -> assessment -> interview -> offer or rejected); an acknowledgement never moves one
back, and only a later assessment, interview or offer reopens a rejected application.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from inboxcoach.classify.contact import ORG_LEAD, named_person_local
from inboxcoach.classify.matching import acronym_of, initials, normalised, same_employer, same_role
from inboxcoach.classify.understand import RULES_VERSION, Me, job_facts
from inboxcoach.records import Email, FactSource, JobFacts, Tagged, message_ref
from inboxcoach.settings import Settings
from inboxcoach.store.database import Store
from inboxcoach.text import FORWARD_PREFIX, REPLY_PREFIX, squash_variants
from inboxcoach.vocab import ApplicationStatus, Category

S = ApplicationStatus
STATUS_OF: dict[str, S] = {
    Category.ACKNOWLEDGEMENT: S.APPLIED, Category.ASSESSMENT: S.ASSESSMENT,
    Category.INTERVIEW: S.INTERVIEW, Category.OFFER: S.OFFER, Category.REJECTION: S.REJECTED,
    Category.OUTREACH: S.CONTACTED}
RANK: dict[str, int] = {S.CONTACTED: 0, S.APPLIED: 1, S.ASSESSMENT: 2, S.INTERVIEW: 3,
                        S.OFFER: 4, S.REJECTED: 4}
# Waiting on the employer. An approach the user never answered ("contacted") is their choice,
# not silence to report.
OPEN = {S.APPLIED, S.ASSESSMENT, S.INTERVIEW}


@dataclass(frozen=True)
class Event:
    date: datetime | None
    status: str
    subject: str
    sender: str
    message_key: str


@dataclass
class Application:
    company: str | None
    role: str | None
    status: str = "applied"
    events: list[Event] = field(default_factory=list)
    thread_ids: set[str] = field(default_factory=set)
    no_reply: bool = False
    refs: set[str] = field(default_factory=set)  # requisition ids named in its mail
    domains: set[str] = field(default_factory=set)  # the employer's own mail domains
    # every employer and role its messages named, with where each was read
    employers: dict[tuple[FactSource, str], int] = field(default_factory=dict)
    roles: dict[tuple[FactSource, str], int] = field(default_factory=dict)
    company_source: FactSource = FactSource.NONE
    role_source: FactSource = FactSource.NONE

    @property
    def last_activity(self) -> datetime | None:
        dates = [e.date for e in self.events if e.date]
        return max(dates) if dates else None

    @property
    def first_seen(self) -> datetime | None:
        dates = [e.date for e in self.events if e.date]
        return min(dates) if dates else None

    def as_dict(self) -> dict[str, object]:
        last = self.last_activity
        return {
            "company": self.company, "role": self.role, "status": self.status,
            "company_read_from": self.company_source.name.lower(),
            "role_read_from": self.role_source.name.lower(),
            "no_reply_yet": self.no_reply, "messages": len(self.events),
            "first_seen": self.first_seen.isoformat() if self.first_seen else None,
            "last_activity": last.isoformat() if last else None,
            "latest": message_ref(self.events[-1].message_key) if self.events else None,
            "timeline": [{"date": e.date.isoformat() if e.date else None, "status": e.status,
                          "subject": e.subject, "ref": message_ref(e.message_key)}
                         for e in self.events],
        }


def _thread(mail: Email) -> set[str]:
    ids = {mail.key, *mail.references}
    if mail.in_reply_to:
        ids.add(mail.in_reply_to)
    return ids


def advance(current: str, new: str) -> str:
    if new == "applied" and current != "contacted":
        return current  # an acknowledgement never moves an application back
    if current == "rejected":
        return new if new in ("assessment", "interview", "offer") else current
    return new if RANK[new] >= RANK[current] else current


Facts = Callable[[Email], JobFacts]
# The user's own mail that starts an application: an application or CV they sent.
APPLYING = re.compile(r"\b(?:application|applying|bewerbung|candidature|candidatura|"
                      r"sollicitatie|solicitud)\b", re.I)


def me_of(settings: Settings) -> Me:
    return Me.of(settings.my_addresses, settings.drafts.your_name)


def stored_applications(store: Store, settings: Settings, now: datetime | None = None
                        ) -> list[Application]:
    """Every application in the store, from thread stubs and the facts kept at tagging time
    (read now, once, for mail tagged before they were kept)."""
    me = me_of(settings)
    stale = store.not_understood(STATUS_OF, me.addresses, RULES_VERSION)
    for start in range(0, len(stale), 500):  # a few hundred full records in memory at a time
        chunk = store.emails_by_key(stale[start:start + 500])
        store.save_understanding((key, job_facts(mail, me)) for key, mail in chunk.items())
    return from_tagged(store.tagged_threads(STATUS_OF, me.addresses), now,
                       settings.no_reply_days, presorted=True, me=me)


def from_tagged(tagged: Iterable[Tagged], now: datetime | None = None,
                no_reply_days: int = 21, presorted: bool = False,
                me: Me | None = None) -> list[Application]:
    """Applications from stored messages, using the job facts read at tagging time.
    ``tagged`` may be a stream; ``presorted`` says it comes oldest first already."""
    known: dict[str, JobFacts] = {}
    me = me or Me()

    def pairs() -> Iterator[tuple[Email, str]]:
        for t in tagged:
            if t.facts is not None:
                known[t.email.key] = t.facts
            yield t.email, t.category

    return group(pairs(), now, no_reply_days,
                 lambda mail: known.pop(mail.key, None) or me.facts(mail), presorted, me)


def group(messages: Iterable[tuple[Email, str]], now: datetime | None = None,
          no_reply_days: int = 21, facts: Facts | None = None,
          presorted: bool = False, me: Me | None = None) -> list[Application]:
    """Applications from (email, category) pairs, oldest message first."""
    now = now or datetime.now(UTC)
    me = me or Me()
    ordered = messages if presorted else sorted(
        messages, key=lambda p: p[0].date or datetime.min.replace(tzinfo=UTC))
    grouping = _Grouping(me, facts or me.facts)
    for mail, category in ordered:
        grouping.add(mail, category)
    silence = timedelta(days=no_reply_days)
    for app in grouping.apps:
        last = app.last_activity
        app.no_reply = app.status in OPEN and last is not None and now - last > silence
    return grouping.apps


class _Grouping:
    """The applications so far, and what tells where the next message goes."""

    def __init__(self, me: Me, facts: Facts) -> None:
        self.me, self.facts = me, facts
        self.apps: list[Application] = []
        # an assessment vendor's address -> the applications it wrote for: its reminder signed
        # with its own name ("Codetestly: your test expires") belongs to one of them
        self.acting: dict[str, list[Application]] = {}
        # a person's address -> the applications they wrote in: a recruiter's next message
        # about "the client" joins, once they name it, the process they started
        self.written: dict[str, list[Application]] = {}
        self.agents: set[str] = set()  # addresses that wrote "my client"
        # the user's mail that started nothing (yet), by its ids: its thread may come back
        self.unplaced: dict[str, list[tuple[JobFacts, set[str]]]] = {}
        # where to look, so that a message is compared with a few applications, not all:
        # thread ids, requisition ids and employer keys (see _keys) -> applications
        self.index: dict[str, list[Application]] = {}
        self.position: dict[int, int] = {}

    def add(self, mail: Email, category: str) -> None:
        mine = self.me.wrote(mail)
        status = "applied" if mine else STATUS_OF.get(category)
        if status is None:
            return
        f, ids = self.facts(mail), _thread(mail)
        sender = mail.from_.email.lower() if mail.from_ else ""
        if f.agent:
            self.agents.add(sender)
        if sender in self.agents and f.domain:  # an agency naming itself, not the client
            f = replace(f, employer=None, employer_from=FactSource.NONE, domain=None)
        app, f = self._place(mail, f, ids, sender, status)
        applying = mine and bool(APPLYING.search(mail.subject)) and not _answers(mail.subject)
        if app is None:
            if mine and not applying:
                entry = (f, ids)  # the user's other mail starts nothing
                for i in ids:
                    self.unplaced.setdefault(i, []).append(entry)
                return
            app = Application(None, None, status)
            self.position[id(app)] = len(self.apps)
            self.apps.append(app)
        if not mine:
            self._remember(mail, f, sender, app)
        self._join(app, f, ids)
        if mine and app.events and not applying:
            return  # a reply of the user's moves nothing on; applying after an approach does
        app.status = advance(app.status, status) if app.events else status
        app.events.append(Event(mail.date, status, mail.subject, sender, mail.key))

    def _place(self, mail: Email, f: JobFacts, ids: set[str], sender: str, status: str
               ) -> tuple[Application | None, JobFacts]:
        app = _find(self._candidates(f, ids), f, ids, status)
        if app is None and status != "contacted":  # an approach starts a process of its own
            app = _same_writer(_open(self.written.get(sender, []), status), f)
        vendor_for = _open(self.acting.get(sender, []), status)
        if app is None and f.domain and vendor_for:  # the vendor names only itself
            return _acted_for(vendor_for, mail), JobFacts(refs=f.refs)
        return app, f

    def _remember(self, mail: Email, f: JobFacts, sender: str, app: Application) -> None:
        if f.employer and f.domain is None:  # writes for an employer not of its own domain
            self.acting.setdefault(sender, []).append(app)
        if mail.from_ and named_person_local(mail.from_):
            self.written.setdefault(sender, []).append(app)

    def _candidates(self, f: JobFacts, ids: set[str]) -> list[Application]:
        """The applications that share a thread id, a requisition id or an employer key with
        the message, oldest first: the only ones ``_find`` can choose."""
        keys = [f"t:{i}" for i in ids] + [f"r:{r}" for r in f.refs] + _keys(f, looking=True)
        found = {id(a): a for k in keys for a in self.index.get(k, ())}
        return sorted(found.values(), key=lambda a: self.position[id(a)])

    def _join(self, app: Application, f: JobFacts, ids: set[str]) -> None:
        _absorb(app, f, ids)
        keys = [f"t:{i}" for i in ids] + [f"r:{r}" for r in f.refs] + _keys(f)
        for k in keys:
            listed = self.index.setdefault(k, [])
            if app not in listed:
                listed.append(app)
        for i in ids:  # the user's mail that opened this thread
            for entry in self.unplaced.pop(i, []):
                for other in entry[1]:  # it joins once, by whichever of its ids comes
                    if other != i and entry in self.unplaced.get(other, []):
                        self.unplaced[other].remove(entry)
                self._join(app, *entry)


def _find(apps: list[Application], f: JobFacts, ids: set[str], status: str = "applied"
          ) -> Application | None:
    """The application a message belongs to: its thread's; else the one with its requisition
    id, unless the employers differ; else the latest at its employer with a role that fits.
    A new acknowledgement never joins one that is over (the same role, applied to again)."""
    latest = list(reversed(apps))
    thread = next((a for a in latest if a.thread_ids & ids), None)
    if thread is not None:
        return thread
    latest = _open(latest, status)
    for test in (lambda a: bool(a.refs & set(f.refs)) and _employer_fits(a, f) is not False
                 and _role_fits(a, f),
                 lambda a: _employer_fits(a, f) is True and _role_fits(a, f)
                 and not (a.refs and f.refs and not a.refs & set(f.refs))):
        found = next((a for a in latest if test(a)), None)
        if found is not None:
            return found
    return None


def _keys(f: JobFacts, looking: bool = False) -> list[str]:
    """Keys two spellings of one employer share (see ``same_employer``): the domain, the first
    and last words, the letters run together (and, for the prefix rule, their beginnings), the
    initials. An application is filed under its keys; a message ``looking`` for one asks for
    the matching ones ("Corvel" finds "Corvelhealth", and the other way round)."""
    keys = [f"d:{f.domain}"] if f.domain else []
    if not f.employer:
        return keys
    words = normalised(f.employer).split()
    keys += [f"w:{w}" for w in {*words[:1], *words[-1:]} if w not in ORG_LEAD]
    for whole in squash_variants(f.employer):
        starts = [whole[:n] for n in range(4, len(whole))]
        keys.append(f"f:{whole}")
        keys += [f"{'f' if looking else 'p'}:{p}" for p in starts]
        if looking:
            keys.append(f"p:{whole}")
    acronym = acronym_of(f.employer)
    keys += [f"a:{a}" for a in initials(f.employer) | ({acronym} if acronym else set())]
    return keys


def _open(apps: list[Application], status: str) -> list[Application]:
    """A new acknowledgement never reopens an application that is over."""
    if status != "applied":
        return apps
    return [a for a in apps if a.status not in ("rejected", "offer")]


def _same_writer(apps: list[Application], f: JobFacts) -> Application | None:
    """A person's later message, when nothing it says disagrees with their latest process."""
    return next((a for a in reversed(apps)
                 if _employer_fits(a, f) is not False and _role_fits(a, f)), None)


def _acted_for(apps: list[Application], mail: Email) -> Application:
    """The one whose employer the subject names ("Your Larkspur Games challenge"), else the
    latest."""
    subject = normalised(mail.subject)
    named = [a for a in apps if a.company and f" {normalised(a.company)} " in f" {subject} "]
    return (named or apps)[-1]


def _employer_fits(app: Application, f: JobFacts) -> bool | None:
    """True or False when both name an employer; None when either does not."""
    if f.domain and f.domain in app.domains:
        return True
    if not f.employer or not app.employers:
        return None
    return any(same_employer(name, f.employer) for _, name in app.employers)  # unique names


def _role_fits(app: Application, f: JobFacts) -> bool:
    """A role read from the text must fit the application's; a guessed one never splits."""
    if f.role is None or f.role_from < FactSource.TEXT or app.role_source < FactSource.TEXT:
        return True
    return any(same_role(r, f.role) for source, r in app.roles if source >= FactSource.TEXT)


def _absorb(app: Application, f: JobFacts, ids: set[str]) -> None:
    app.thread_ids |= ids
    app.refs.update(f.refs)
    if f.domain:
        app.domains.add(f.domain)
    if f.employer:
        key = (f.employer_from, f.employer)
        app.employers[key] = app.employers.get(key, 0) + 1
        app.company = _best_employer(app.employers)
        app.company_source = max(app.company_source, f.employer_from)
    if f.role:
        key = (f.role_from, f.role)
        app.roles[key] = app.roles.get(key, 0) + 1
        app.role = _best(app.roles)
        app.role_source = max(app.role_source, f.role_from)


Named = dict[tuple[FactSource, str], int]  # (where read, name) -> how many messages said it


def _best(named: Named) -> str:
    """The name read from the strongest source; among those, the one written most often, then
    the first."""
    top = max(source for source, _ in named)
    counts: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for (source, name), n in named.items():  # in the order first read
        if source == top:
            counts[normalised(name)] = counts.get(normalised(name), 0) + n
            spelled.setdefault(normalised(name), name)
    return spelled[max(counts, key=counts.__getitem__)]


def _best_employer(named: Named) -> str:
    """As ``_best``, then the name in full when the text wrote it so: "Irish Heritage Sites
    Authority" for "IHSA", "University of Kingsweston" for "Kingsweston"."""
    best = _best(named)
    fuller = {name: n for (source, name), n in named.items() if source >= FactSource.TEXT
              and len(name.split()) > len(best.split()) and same_employer(best, name)}
    return max(fuller, key=lambda name: (fuller[name], len(name))) if fuller else best


def _answers(subject: str) -> bool:
    """A reply or a forward: the user's answer to something, never an application of their own."""
    return bool(REPLY_PREFIX.match(subject) or FORWARD_PREFIX.match(subject))
