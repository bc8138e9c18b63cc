"""``inboxcoach check``: log in, list folders, say which are Sent and Drafts; change nothing."""

from __future__ import annotations

from dataclasses import dataclass, field

from inboxcoach.errors import InboxcoachError
from inboxcoach.fetch.open import Opener
from inboxcoach.fetch.protocol import find_role
from inboxcoach.records import FolderInfo
from inboxcoach.settings import AccountConfig, ImapAccount


@dataclass
class CheckResult:
    account: str
    folders: list[FolderInfo] = field(default_factory=list)
    sent: str | None = None
    drafts: str | None = None
    scanned: dict[str, str] = field(default_factory=dict)  # configured folder -> what we found

    def lines(self) -> list[str]:
        out = [f"{self.account}: ok, {len(self.folders)} folder(s)"]
        for info in self.folders:
            role = f"  [{info.special_use}]" if info.special_use else ""
            out.append(f"  {info.name}{role}")
        out.append(f"  sent folder: {self.sent or 'not found (set sent_folder)'}")
        out.append(f"  drafts folder: {self.drafts or 'not found (set drafts_folder)'}")
        out.extend(f"  scan {name}: {what}" for name, what in self.scanned.items())
        return out

    @property
    def ok(self) -> bool:
        return all(not what.startswith("error") for what in self.scanned.values())


def check_account(account: AccountConfig, opener: Opener) -> CheckResult:
    result = CheckResult(account.name)
    with opener() as mailbox:
        result.folders = mailbox.list_folders()
        imap = account if isinstance(account, ImapAccount) else None  # a local source: no overrides
        result.sent = find_role(result.folders, "sent", imap.sent_folder if imap else None)
        result.drafts = find_role(result.folders, "drafts", imap.drafts_folder if imap else None)
        for folder in account.folders:
            try:
                state = mailbox.select(folder)
                result.scanned[folder] = (
                    f"{state.exists} message(s), UIDVALIDITY {state.uidvalidity}"
                )
            except InboxcoachError as exc:
                result.scanned[folder] = f"error: {exc}"
    return result
