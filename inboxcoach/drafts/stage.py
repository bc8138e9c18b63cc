"""The drafts stage: for each rejection a person sent, one feedback-request draft, written as a
.eml file and added to the account's Drafts folder. Never sent: there is no SMTP here.

Exactly once per rejection thread, across re-runs and crashes: a draft is recorded (with its
bytes) before anything is written or appended; a recorded draft not yet confirmed in Drafts is
looked for by its Message-ID before it is appended again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inboxcoach.classify.applications import Application, stored_applications
from inboxcoach.classify.contact import human_contact
from inboxcoach.drafts.compose import Draft, DraftError, Writer, compose
from inboxcoach.errors import (
    ConfigError,
    FolderNotFound,
    InboxcoachError,
    MailboxError,
    ServerRefused,
)
from inboxcoach.fetch.protocol import DraftsMailbox, find_role
from inboxcoach.paths import atomic_write
from inboxcoach.records import Address, Email, FactSource, Rejection, feedback_call
from inboxcoach.settings import AccountConfig, ImapAccount, Settings
from inboxcoach.store.database import Store
from inboxcoach.text import ascii_slug
from inboxcoach.vocab import DraftState, Skip, SkipReason

log = logging.getLogger(__name__)
OpenDrafts = Callable[[ImapAccount], DraftsMailbox]  # connects an IMAP account afresh


@dataclass
class DraftReport:
    created: list[Draft] = field(default_factory=list)
    skipped: list[tuple[str, Skip]] = field(default_factory=list)  # (subject, why)
    held: list[str] = field(default_factory=list)  # subjects waiting for hold_hours
    appended: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (draft id, error)
    replied: frozenset[str] = frozenset()  # Message-IDs the user has answered
    enabled: bool = True

    def summary(self) -> str:
        return (f"drafts: {len(self.created)} new, {self.appended} added to Drafts, "
                f"{len(self.skipped)} skipped, {len(self.held)} held, {len(self.failed)} failed")


def writer_for(settings: Settings, account: AccountConfig) -> Writer:
    d = settings.drafts
    if not d.your_name:
        raise ConfigError("drafts.your_name", "is missing",
                          'add [drafts] your_name = "Your Name" (it signs the drafts)')
    address = d.your_email or (account.username if isinstance(account, ImapAccount) else "")
    if "@" not in address:
        raise ConfigError("drafts.your_email", "is missing",
                          'add [drafts] your_email = "you@example.com" (the drafts\' From)')
    return Writer(d.your_name, address, d.signature, d.templates_dir)


def contact_for(pending: Rejection) -> Address | None:
    """Who the draft goes to: the person the user named in a correction, no one when they said
    so, otherwise the person the mail shows."""
    if pending.no_contact:
        return None
    return pending.contact or human_contact(pending.email)


def skip_reason(mail: Email, contact: Address | None, replied: set[str], now: datetime,
                max_age_days: int) -> Skip | None:
    if contact is None:
        return Skip(SkipReason.NO_CONTACT)
    if mail.date is not None and now - mail.date > timedelta(days=max_age_days):
        return Skip(SkipReason.TOO_OLD, str(max_age_days))
    if mail.message_id and mail.message_id in replied:
        return Skip(SkipReason.REPLIED)
    return None


def thread_key(mail: Email) -> str:
    return mail.references[0] if mail.references else mail.key


def plan_drafts(settings: Settings, store: Store, replied: set[str], now: datetime,
                record: bool = True, sent_unread: frozenset[str] = frozenset()) -> DraftReport:
    """Decide every undecided rejection: compose a draft, or record why not (unless dry run).
    ``sent_unread``: accounts whose Sent folder could not be read this run; their rejections
    wait, since the user may have answered them there."""
    report = DraftReport()
    hold = timedelta(hours=settings.drafts.hold_hours)
    seen_threads: set[str] = set()
    apps: dict[str, Application] | None = None  # built from the whole store once one is due
    for pending in store.rejections():
        mail, key = pending.email, thread_key(pending.email)
        reason = _no_draft_reason(settings, store, pending, replied, now)
        waiting = reason is None and pending.account in sent_unread
        if waiting:
            reason = Skip(SkipReason.SENT_UNREAD, pending.account)
        if reason is None and key in seen_threads:
            reason = Skip(SkipReason.THREAD_HAS_DRAFT)
        if reason is None and now - arrived(pending, now) < hold:
            report.held.append(mail.subject)
            continue
        draft, employer = None, None
        if reason is None:
            try:
                if apps is None:
                    apps = {e.message_key: a for a in stored_applications(store, settings, now)
                            for e in a.events}
                app = apps.get(mail.key)
                employer, job = checked_facts(app)
                draft = _compose(settings, pending, employer, job, now,
                                 met=app is not None and met_before(app, mail.key))
            except DraftError as exc:
                reason = Skip(SkipReason.CANNOT_COMPOSE, str(exc))
        if reason is not None:
            report.skipped.append((mail.subject, reason))
            if record:  # unsure: only until a later model labels it; waiting: until next run
                store.skip_draft(pending.rowid, reason,
                                 pending.model_version
                                 if reason.reason is SkipReason.UNSURE else None,
                                 waiting=waiting)
            continue
        assert draft is not None
        seen_threads.add(key)
        report.created.append(draft)
        if record:  # recorded first: a crash from here on is finished by the next run
            draft_id = store.record_draft(pending.rowid, key, pending.account, draft, None,
                                          DraftState.PENDING)
            path = write_eml(settings.drafts_dir, draft.message_id, draft.raw, employer, now)
            store.set_draft_file(draft_id, str(path))
    return report


def _no_draft_reason(settings: Settings, store: Store, pending: Rejection, replied: set[str],
                     now: datetime) -> Skip | None:
    mail = pending.email
    reason = skip_reason(mail, contact_for(pending), replied, now, settings.drafts.max_age_days)
    if mail.from_ and mail.from_.email.lower() in settings.my_addresses:
        return Skip(SkipReason.YOURS)
    if pending.unsure and reason is None:
        return Skip(SkipReason.UNSURE)
    if reason is None and store.has_draft_for_thread(thread_key(mail)):
        return Skip(SkipReason.THREAD_HAS_DRAFT)
    return reason


def arrived(pending: Rejection, now: datetime) -> datetime:
    """When the rejection came: its Date, unless that lies in the future (a wrong clock or a
    forged header), then when it was first fetched. A future Date would hold it forever."""
    date = pending.email.date
    return date if date is not None and date <= now else min(pending.first_seen, now)


def met_before(app: Application, key: str) -> bool:
    """Whether an interview or a test came before this rejection in its application: then it
    gets the after-interview draft even when its own text does not mention it."""
    for event in app.events:  # oldest first
        if event.message_key == key:
            return False
        if event.status in ("interview", "assessment"):
            return True
    return False


def checked_facts(app: Application | None) -> tuple[str | None, str | None]:
    """The employer and role a draft may state: the application's, when something said them
    (a header, the subject, a sentence about the job); a guess is left out, and the draft words
    around it ("the role", "your team")."""
    if app is None:
        return None, None
    return (app.company if app.company_source >= FactSource.TEXT else None,
            app.role if app.role_source >= FactSource.TEXT else None)


def _compose(settings: Settings, pending: Rejection, employer: str | None, job: str | None,
             now: datetime, met: bool = False) -> Draft:
    mail = pending.email
    account = next((a for a in settings.accounts if a.name == pending.account),
                   settings.accounts[0])
    contact = contact_for(pending)
    if contact is None:  # skip_reason() keeps these out; never write a draft to no one
        raise DraftError("no human contact to write to")
    return compose(mail, contact, writer_for(settings, account), company=employer,
                   role=job, feedback=feedback_call(pending.feedback_probability),
                   now=now, met=met)


def write_missing_files(settings: Settings, store: Store, now: datetime) -> None:
    """Drafts recorded by a run that died before writing their .eml file."""
    for stored in store.drafts_without_file():
        path = write_eml(settings.drafts_dir, stored.message_id, stored.raw, None, now)
        store.set_draft_file(stored.id, str(path))


def write_eml(folder: Path, message_id: str, raw: bytes, employer: str | None,
              now: datetime) -> Path:
    """An .eml copy, written atomically and readable only by the user. The file name is our own
    ASCII slug of the employer: text from a mail never becomes a path as it is."""
    slug = ascii_slug(employer or "rejection", "-")[:40] or "rejection"
    path = folder / f"{now:%Y-%m-%d}-{slug}-{message_id.split('@')[0][-12:]}.eml"
    atomic_write(path, raw)
    return path


def push_pending(settings: Settings, store: Store, open_mailbox: OpenDrafts,
                 report: DraftReport) -> None:
    """Put recorded drafts into their account's Drafts folder, exactly once."""
    if not settings.drafts.append_to_imap:
        return
    accounts = {a.name: a for a in settings.imap_accounts}
    by_account: dict[str, list[tuple[int, str, bytes]]] = {}
    for stored in store.pending_drafts():
        if stored.account in accounts:
            by_account.setdefault(stored.account, []).append(
                (stored.id, stored.message_id, stored.raw))
    for name, items in by_account.items():
        account = accounts[name]
        try:
            with open_mailbox(account) as box:
                folder = find_role(box.list_folders(), "drafts", account.drafts_folder)
                if folder is None:
                    raise InboxcoachError(f"{name}: no Drafts folder found; set "
                                          f"{account.key}.drafts_folder")
                for draft_id, message_id, raw in items:
                    _push_one(store, box, folder, draft_id, message_id, raw, report)
        except MailboxError as exc:  # the connection: the drafts stay pending for the next run
            log.error("%s: drafts not added to the Drafts folder yet: %s", name, exc)
            report.failed.extend((str(i), str(exc)) for i, _, _ in items)
        except InboxcoachError as exc:
            log.error("%s", exc)
            report.failed.extend((str(i), str(exc)) for i, _, _ in items)


def _push_one(store: Store, box: DraftsMailbox, folder: str, draft_id: int, message_id: str,
              raw: bytes, report: DraftReport) -> None:
    try:
        existing = box.find_message_id(folder, message_id)
        uid = existing[0] if existing else box.append_draft(folder, raw)
    except (ServerRefused, FolderNotFound) as exc:  # this draft only; the others go on
        log.error("draft %s: %s", message_id, exc)
        store.mark_draft_failed(draft_id, str(exc))
        report.failed.append((message_id, str(exc)))
        return
    store.mark_draft_appended(draft_id, folder, uid)
    report.appended += 1


def sent_replies(settings: Settings, store: Store,
                 open_mailbox: OpenDrafts, now: datetime
                 ) -> tuple[set[str], frozenset[str]]:
    """Message-IDs the user already answered: from stored mail they sent, and each IMAP
    account's Sent folder; and the accounts whose Sent folder could not be read."""
    replied = store.replies_from(set(settings.my_addresses))
    unread: set[str] = set()
    since = (now - timedelta(days=settings.drafts.max_age_days + 14)).date()
    for account in settings.imap_accounts:
        try:
            with open_mailbox(account) as box:
                sent = find_role(box.list_folders(), "sent", account.sent_folder)
                if sent:
                    replied |= box.replied_ids(sent, since)
        except InboxcoachError as exc:
            log.warning("%s: cannot read the Sent folder (%s); its drafts wait for the next "
                        "run", account.name, exc)
            unread.add(account.name)
    return replied, frozenset(unread)


def make_drafts(settings: Settings, store: Store,
                open_mailbox: OpenDrafts, dry_run: bool = False,
                now: datetime | None = None) -> DraftReport:
    now = now or datetime.now(UTC)
    if not settings.drafts.enabled:
        return DraftReport(replied=frozenset(store.replies_from(set(settings.my_addresses))),
                           enabled=False)
    replied, sent_unread = sent_replies(settings, store, open_mailbox, now)
    report = plan_drafts(settings, store, replied, now, record=not dry_run,
                         sent_unread=sent_unread)
    report.replied = frozenset(replied)
    if not dry_run:
        write_missing_files(settings, store, now)
        push_pending(settings, store, open_mailbox, report)
    return report
