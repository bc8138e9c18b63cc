"""The digest stage, second half: render the records as one self-contained HTML file.

Autoescape is on for every value, mail text is never marked safe, links from mail stay plain
text, and a Content-Security-Policy forbids scripts and remote loads even if something slipped
through. The charts are the only markup inserted as is, and they are built from our own numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from inboxcoach import __version__
from inboxcoach.digest.charts import funnel_chart, kinds_chart, weekly_chart
from inboxcoach.digest.coaching import coaching_note
from inboxcoach.digest.page import Digest
from inboxcoach.paths import atomic_write
from inboxcoach.vocab import CATEGORY_LOOK, category_label, status_label

LATEST = "digest.html"
MAX_APPLICATIONS = 40  # the most recent; ``inboxcoach applications`` lists every one
@dataclass(frozen=True)
class Written:
    latest: Path
    dated: Path


def _day(value: datetime | None) -> str:
    return value.astimezone().strftime("%a %d %b") if value else "no date"


def _stamp(value: datetime) -> str:
    return value.astimezone().strftime("%a %d %b %Y, %H:%M")


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("inboxcoach.digest", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.filters.update(day=_day, stamp=_stamp, pct=lambda v: f"{100 * v:.0f}%",
                       category=category_label, status=status_label)
    return env


def render(digest: Digest, model_version: str | None = None) -> str:
    return environment().get_template("digest.html.j2").render(
        d=digest, coaching=coaching_note(digest), version=__version__,
        model_version=model_version or "none", max_apps=MAX_APPLICATIONS,
        tag_colours=[(str(c), look.colour) for c, look in CATEGORY_LOOK.items()],
        charts={"weekly": weekly_chart(digest.weekly), "funnel": funnel_chart(digest.funnel),
                "kinds": kinds_chart(digest.kinds)},
    )


def write_digest(html: str, folder: Path, now: datetime, keep_days: int = 365) -> Written:
    """The latest digest and a dated copy for the day, both written atomically, owner-only."""
    data = html.encode("utf-8")
    dated = atomic_write(folder / f"digest-{now.astimezone():%Y-%m-%d}.html", data)
    latest = atomic_write(folder / LATEST, data)
    _prune(folder, now, keep_days)
    return Written(latest, dated)


def _prune(folder: Path, now: datetime, keep_days: int) -> None:
    oldest = (now.astimezone() - timedelta(days=keep_days)).date().isoformat()  # local, as named
    for path in folder.glob("digest-????-??-??.html"):
        if path.stem.removeprefix("digest-") < oldest:
            path.unlink(missing_ok=True)
