"""The digest's coaching note: a few plain sentences drawn from the numbers, no false cheer.

Each rule states a fact first and then one practical step, the way a career coach would after
looking at the same week. Rules that have nothing to say stay silent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from inboxcoach.digest.page import RECENT, Digest

Rule = Callable[[Digest], str | None]


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def feedback(d: Digest) -> str | None:
    f = d.facts
    personal = f.personal_rejections_this_week
    asked = f.feedback_asked_this_week
    waiting = len(d.drafts)
    if not personal and not waiting:
        return None
    text = ""
    if personal:
        text = (f"This week {_plural(personal, 'rejection')} came from a person; you have asked "
                f"for feedback on {asked or 'none'} of them so far.")
    if waiting:  # its own sentence and its own period: drafts of the last RECENT days
        text += (f" From the last {RECENT.days} days, {_plural(waiting, 'feedback draft')} "
                 f"{'is' if waiting == 1 else 'are'} waiting for your review: read, adjust and "
                 "send the ones you are comfortable with. "
                 "Most people never ask, and the few who reply often say something useful.")
    return text.strip()


def pace(d: Digest) -> str | None:
    f = d.facts
    now, before = f.applications_this_week, f.applications_weekly_before
    if not now and not before:
        return None
    text = (f"Applications confirmed this week: {now}; over the four weeks before, about "
            f"{before} a week.")
    if now < before:
        text += (" A slower week is normal. If you want to keep momentum, pick two roles you "
                 "really want and apply to those well.")
    return text


def interviews(d: Digest) -> str | None:
    n = d.facts.rejections_after_interview
    if not n:
        return None
    return (f"{_plural(n, 'process', 'processes')} ended in a rejection after interviews this "
            "week. That still counts as practice: write down the question you would answer "
            "differently while you remember it.")


PREPARE_DAYS = 14  # an application whose last word was an interview this recent is under way


def prepare(d: Digest) -> str | None:
    """The interviews to prepare for, named first: applications whose latest news is an
    interview, the most recent first."""
    recent = sorted((a for a in d.applications if a.status == "interview" and a.last_activity
                     and d.generated_at - a.last_activity <= timedelta(days=PREPARE_DAYS)),
                    key=lambda a: a.last_activity or d.generated_at, reverse=True)
    if not recent:
        return None
    names = [a.company for a in recent[:3]]  # roles as read today are too often wrong
    more = f" and {len(recent) - 3} more" if len(recent) > 3 else ""
    return (f"Interviews to prepare for first: {', '.join(names)}{more}. Reread the job ad and "
            "your application, look up who you will meet, and have two questions of your own.")


def next_steps(d: Digest) -> str | None:
    f = d.facts
    if f.offers_this_week:
        return ("An offer arrived this week. Take the time you need, ask for it in writing, and "
                "tell any process you are still in that you have an offer.")
    if f.interviews_this_week and prepare(d) is None:
        return (f"{_plural(f.interviews_this_week, 'interview message')} this week: answer "
                "those first, and look up who you will meet.")
    return None


def silence(d: Digest) -> str | None:
    n = d.facts.silent
    if not n:
        return None
    days = d.facts.no_reply_days
    return (f"{_plural(n, 'application')} had no reply for over {days} days. A short follow-up "
            "to a named person is fair; otherwise count them as closed and free the space in "
            "your head.")


RULES: tuple[Rule, ...] = (prepare, next_steps, feedback, interviews, pace, silence)


def coaching_note(d: Digest) -> list[str]:
    notes = [text for rule in RULES if (text := rule(d))]
    return notes or ["Nothing new that needs you today. Applications take time; the quiet "
                     "days are part of it."]
