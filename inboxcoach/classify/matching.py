"""Whether two spellings name the same employer or the same role: "Corvel Health" and
"Corvelhealth", "Data Analyst" and "Data Analyst II". The applications stage joins mail on
these, so a mail that spells its employer differently still lands in the right application.
"""

from __future__ import annotations

import re
from functools import lru_cache

from inboxcoach.classify.contact import ORG_LEAD, ORG_WORDS
from inboxcoach.text import ascii_fold, squash_variants


@lru_cache(maxsize=8192)
def normalised(text: str | None) -> str:
    """Lower-case words without accents; a name in another script keeps its own letters."""
    folded = re.sub(r"[^a-z0-9]+", " ", ascii_fold(text or "").lower()).strip()
    return folded or re.sub(r"[\W_]+", " ", (text or "").casefold()).strip()


@lru_cache(maxsize=65536)
def same_employer(a: str, b: str) -> bool:
    """Two spellings of one employer: "Corvel Health", "Corvelhealth", "Corvel"; "Gilmour
    Research Institute", "Gilmour-Institute"; "Gräfenberg", "Graefenberg". The shorter's words,
    in order, start like the longer's."""
    if squash_variants(a) & squash_variants(b) or _initials_of(a, b) or _initials_of(b, a):
        return True
    x, y = normalised(a).split(), normalised(b).split()
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    if long_[-len(short):] == short and all(w in ORG_LEAD for w in long_[:-len(short)]):
        return True  # "Kingsweston", "University of Kingsweston"
    short, long_ = sorted((x, y), key=len)
    joined = "".join(long_)
    if len(short) == 1 and len(short[0]) >= 4 and joined.startswith(short[0]):
        rest = joined[len(short[0]):]  # "Corvel" + "health"; not "Meta" + "switch"
        if not rest or ORG_WORDS.fullmatch(rest) or any(
                joined == short[0] + "".join(long_[i:]) for i in range(1, len(long_))):
            return True
    return short[0] == long_[0] and _in_order(short, long_)


def _initials_of(short: str, name: str) -> bool:
    """"IHSA" for "Irish Heritage Sites Authority"."""
    return acronym_of(short) is not None and acronym_of(short) in initials(name)


def acronym_of(name: str) -> str | None:
    return name.strip().lower() if re.fullmatch(r"[A-Z]{2,6}", name.strip()) else None


def initials(name: str) -> set[str]:
    """A name's initials, "of", "and", "the" and "&" skipped, with and without "NHS" ("KWFT",
    Kirkstall & Wharfe NHS Foundation Trust); none for a one-word name."""
    words = [w for w in normalised(name).split() if w not in ("of", "and", "the", "for", "de")]
    if len(words) < 2:
        return set()
    return {"".join(w[0] for w in words), "".join(w[0] for w in words if w != "nhs")}


def same_role(a: str, b: str) -> bool:
    """One title written two ways: "Data Officer" in "Performance and Data Officer", "BI
    Analyst" for "Business Intelligence Analyst", "Senior Data Analyst" for "Senior Data
    Analyst, Product". The last word, the kind of job, must agree; two different qualifiers
    ("Data Analyst, Growth" and "Data Analyst, Risk") are two roles."""
    (a, qa), (b, qb) = _qualified(a), _qualified(b)
    if qa and qb and normalised(qa) != normalised(qb):
        return False
    x, y = _expand(normalised(a).split(), b), _expand(normalised(b).split(), a)
    if not x or not y or x[-1] != y[-1]:
        return False
    short, long_ = sorted((x, y), key=len)
    return _in_order(short, long_)


def _qualified(title: str) -> tuple[str, str]:
    """"Data Analyst, Product" -> ("Data Analyst", "Product"); "(m/w/d)" is no qualifier."""
    title = re.sub(r"\s*\((?:[mwfdx]/?)+\)", "", title, flags=re.I)
    m = re.match(r"^(?P<t>.+?)\s*(?:,|\(|[\u2013\u2014-]\s)\s*(?P<q>[^)]+)\)?$", title)
    return (m.group("t"), m.group("q")) if m else (title, "")


def _in_order(short: list[str], long_: list[str]) -> bool:
    it = iter(long_)
    return all(word in it for word in short)


def _expand(words: list[str], other: str) -> list[str]:
    """An initialism spelled out as the other title does ("bi" -> "business intelligence")."""
    theirs = normalised(other).split()
    out: list[str] = []
    for w in words:
        n = len(w)
        spans = [theirs[i:i + n] for i in range(len(theirs) - n + 1)] if 1 < n <= 4 else []
        spelled = next((s for s in spans if "".join(t[0] for t in s) == w), None)
        out += spelled or [w]
    return out
