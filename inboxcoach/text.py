"""Readable text from mail bodies: HTML to text, quoted history apart from the new text,
and header values made safe to print or copy into a new header."""

from __future__ import annotations

import re
import unicodedata
import warnings
from email.header import decode_header, make_header
from functools import lru_cache

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from mailparser_reply import EmailReplyParser

REPLY_LANGUAGES = ["en", "de", "fr", "es", "nl"]
BLOCK_TAGS = ["p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section",
              "article", "header", "footer", "ul", "ol", "pre", "hr"]
QUOTE_SELECTORS = ["blockquote", "div.gmail_quote", "div.yahoo_quoted", "#divRplyFwdMsg",
                   "div#appendonsend", "div.moz-cite-prefix"]
# Subject prefixes in the languages job mail comes in, each repeated or numbered ("Re[2]:"):
# replies ("Re:", "AW:", "SV:", "Antw:", "Réf:", "RV:", "Rif:") and forwards ("Fwd:", "WG:",
# "TR:", "Enc:", "Doorst:"). The model's own subject tokens (classify/features.py) keep the
# narrower lists it was trained with.
REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|aw|antw|sv|vs|réf|ref|rv|rif|r)\s*(?:\[\d+\])?\s*:\s*)+",
                          re.I)
FORWARD_PREFIX = re.compile(r"^\s*(?:fwd?|fw|wg|tr|rv|enc|doorst)\s*(?:\[\d+\])?\s*:", re.I)
MAX_HEADER_TEXT = 998  # RFC 5322 line limit: nothing longer is useful in a subject or a name
_reply_parser = EmailReplyParser(languages=REPLY_LANGUAGES)
_blank_runs = re.compile(r"\n{3,}")
MAX_BLOCKS = 2000  # more block tags than any real mail has; past it, a cheaper layout
_spaces = re.compile(r"[ \t\u00a0]+")


def html_to_text(html: str) -> str:
    """Visible text of an HTML body, with blocks on their own lines and quotes marked "> "."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
        soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "head", "title", "noscript", "template"]):
        tag.decompose()
    for selector in QUOTE_SELECTORS:
        for quote in soup.select(selector):
            quote.replace_with("\n" + _quoted(quote.get_text("\n")) + "\n")
    for br in soup.find_all("br"):
        br.replace_with("\n")
    blocks = soup.find_all(BLOCK_TAGS)
    if len(blocks) > MAX_BLOCKS:  # inserting around each costs depth x count: a hostile
        return tidy(soup.get_text("\n"))  # 10,000 unclosed <p> took 13 s; one per line
    for tag in blocks:
        tag.insert_before("\n")
        tag.insert_after("\n")
    return tidy(soup.get_text())


def _quoted(text: str) -> str:
    return "\n".join("> " + line.strip() for line in text.splitlines() if line.strip())


def tidy(text: str) -> str:
    """Collapse runs of spaces and blank lines that HTML and templates leave behind."""
    lines = [_spaces.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    return _blank_runs.sub("\n\n", "\n".join(lines)).strip()


def split_reply(text: str) -> str:
    """The new part of a message: the text above quoted history and forwarded blocks."""
    if not text.strip():
        return ""
    try:
        latest = _reply_parser.read(text).latest_reply
    except Exception:  # a third-party heuristic must never cost us the message
        return text
    return (latest or "").strip() or text


def ascii_fold(text: str) -> str:
    """Accents and other marks dropped ("Lumière" -> "Lumiere"), for comparing names with the
    ASCII of domains and file names."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def ascii_slug(text: str, sep: str = "") -> str:
    """Lowercase ASCII words joined by ``sep``: safe in a file name or an address."""
    return sep.join(re.findall(r"[a-z0-9]+", ascii_fold(text).lower()))


_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe",
                         "Ü": "Ue"})


@lru_cache(maxsize=8192)
def squash_variants(text: str) -> frozenset[str]:
    """A name as the letters of a domain may write it: lower case, nothing but letters and
    digits, accents dropped ("gräfenberg" -> "grafenberg") or spelled out as German domains
    do ("graefenberg"). A name in another script keeps its letters ("яндекс"), never ""."""
    text = text.replace("&", " and ")  # "Maple & Finch" is maple-and-finch.example
    spellings = (text, text.translate(_UMLAUT), text.replace(" and ", " "))
    out = {re.sub(r"[^a-z0-9]", "", ascii_fold(t).lower()) for t in spellings} - {""}
    return frozenset(out or ({re.sub(r"\W", "", text.casefold())} - {""}))


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words that a parser left in place (display names, mostly)."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError, AssertionError):
        return value


def clean_header_text(value: object, limit: int = MAX_HEADER_TEXT) -> str:
    """One safe line: no CR/LF, no other line breaks ``str.splitlines`` knows, no controls.

    Mail content decodes to anything, including "Hi\\r\\nBcc: x"; whatever later copies this
    into a generated header or prints it on a terminal must not see a line break or an escape.
    """
    text = value if isinstance(value, str) else str(value or "")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        out.append(" " if cat in ("Cc", "Zl", "Zp") or ch in "\x1c\x1d\x1e\x85" else ch)
    return " ".join("".join(out).split())[:limit]


_FUNCTION_WORDS = {
    "en": {"the", "and", "you", "your", "we", "for", "to", "of", "with", "thank", "our", "this",
           "that", "have", "be", "will", "would", "unfortunately"},
    "de": {"und", "der", "die", "das", "sie", "ihre", "ihr", "wir", "für", "mit", "nicht",
           "leider", "ihnen", "eine", "bei", "vielen", "dank", "uns", "wurde", "haben"},
    "fr": {"et", "les", "vous", "votre", "nous", "pour", "avec", "pas", "une", "des", "nos",
           "merci", "est", "sur", "candidature", "le", "la", "malheureusement"},
    "es": {"y", "los", "las", "usted", "su", "para", "con", "una", "del", "gracias", "por", "muy",
           "hemos", "candidatura", "el", "lamentablemente", "que"},
    "nl": {"en", "het", "u", "uw", "wij", "voor", "met", "niet", "een", "van", "bedankt", "helaas",
           "bij", "sollicitatie", "je", "jouw", "graag", "hebben"},
}


def guess_language(text: str) -> str:
    """The language a message is written in, among those drafts speak (en, de, fr, es, nl),
    by counting common function words; English when unsure."""
    words = re.findall(r"[a-zà-ÿß]+", text.lower())[:400]
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _FUNCTION_WORDS.items()}
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] >= 3 and scores[best] > scores["en"] else "en"


_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                        "\u200e\u200f\u061c"))


def display_text(value: object, limit: int = 300) -> str:
    """Mail text fit to show in the digest: one line, no controls, no bidirectional overrides,
    URLs defanged (every field: a sender's display name or an employer can carry one as well as
    a subject can).

    An override (U+202E) in a subject would otherwise reverse the text around it on screen and
    make "exe.pdf" read as "fdp.exe"; the digest also isolates each value with ``<bdi>``.
    """
    text = clean_header_text(value, limit * 2).translate(_BIDI_CONTROLS)
    text = defang(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_URL = re.compile(r"\b(https?|ftp)://|\bwww\.", re.IGNORECASE)


def defang(text: str) -> str:
    """Keep a URL from mail readable but not clickable, even where a mail client turns plain
    text into links (the digest may be read in one): ``https://x`` becomes ``https[:]//x``."""
    return _URL.sub(lambda m: f"{m.group(1)}[:]//" if m.group(1) else "www[.]", text)
