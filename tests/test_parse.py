"""From raw bytes to an Email record: identities, people, dates, text, and safety of values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from inboxcoach.fetch.parse import ParseError, message_key, parse_raw
from inboxcoach.records import Email, MessageRef, RawMessage
from inboxcoach.text import MAX_BLOCKS, clean_header_text, html_to_text, split_reply
from tests.data_paths import TRICKY
from tests.mailgen import make_message


def parse(raw: bytes, internaldate: datetime | None = None) -> Email:
    return parse_raw(RawMessage("acct", "INBOX", MessageRef("1", 1), raw,
                                internaldate=internaldate))


def test_plain_message_fields():
    raw = (b"From: \"Jane Doe\" <Jane@Acme.example>\r\nTo: a@b.example, \"Q, R\" <q@r.example>\r\n"
           b"Cc: c@d.example\r\nReply-To: Talent <talent@acme.example>\r\n"
           b"Sender: bounces@ats.example\r\nSubject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n"
           b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\nMessage-ID: <abc@acme.example>\r\n"
           b"In-Reply-To: <x@y>\r\nReferences: <w@y>\r\n  <x@y>\r\n"
           b"List-Unsubscribe: <mailto:u@acme.example>\r\nAuto-Submitted: auto-generated\r\n"
           b"\r\nHi,\r\nthanks.\r\n")
    mail = parse(raw)
    assert mail.key == mail.message_id == "abc@acme.example"
    assert (mail.in_reply_to, mail.references) == ("x@y", ("w@y", "x@y"))
    assert mail.from_.name == "Jane Doe" and mail.from_.email == "jane@acme.example"
    assert [a.email for a in mail.to] == ["a@b.example", "q@r.example"]
    assert mail.to[1].name == "Q, R"
    assert mail.reply_to[0].email == "talent@acme.example"
    assert mail.sender.email == "bounces@ats.example"
    assert mail.subject == "Grüße"
    assert mail.date == datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    assert mail.date.utcoffset() == timedelta(hours=1) and mail.date_source == "header"
    assert mail.auto_headers["auto-submitted"] == "auto-generated"
    assert "list-unsubscribe" in mail.auto_headers
    assert mail.text == "Hi,\nthanks." and not mail.html_only


def test_record_round_trips_through_json():
    mail = parse(make_message(3))
    assert Email.from_json(mail.to_json()) == mail


def test_missing_message_id_uses_a_stable_hash_and_date_falls_back_to_internaldate():
    raw = (TRICKY / "no-message-id-no-date.eml").read_bytes()
    when = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    mail = parse(raw, internaldate=when)
    assert mail.message_id is None
    assert mail.key == message_key(None, raw) == parse(raw).key
    assert mail.key.startswith("sha256:")
    assert (mail.date, mail.date_source) == (when, "internaldate")
    assert parse(raw).date_source == "none"


def test_encoded_crlf_cannot_reach_header_values():
    mail = parse((TRICKY / "encoded-crlf-headers.eml").read_bytes())
    values = [mail.subject, mail.from_.name, mail.reply_to[0].name]
    assert all("\r" not in v and "\n" not in v for v in values)
    assert mail.subject == "Your application Bcc: evil@attacker.example"
    assert mail.from_.email == "mallory@example.com"


def test_eight_bit_headers_are_decoded():
    utf8 = parse((TRICKY / "eight-bit-utf8-headers.eml").read_bytes())
    assert "Absage" in utf8.subject and utf8.from_.email == "karriere@mueller.example"
    latin = parse((TRICKY / "eight-bit-latin1-headers.eml").read_bytes())
    assert latin.subject.startswith("Votre candidature")


def test_unknown_charset_still_gives_text():
    mail = parse((TRICKY / "unknown-charset.eml").read_bytes())
    assert "Bewerbung" in mail.text


def test_html_only_mail_becomes_text_without_script_and_with_quotes_apart():
    mail = parse((TRICKY / "html-only.eml").read_bytes())
    assert mail.html_only
    assert "decided not to move forward" in mail.text
    assert "alert(1)" not in mail.text and "color:red" not in mail.text
    assert "> Any news on my application?" in mail.text
    assert "Any news" not in mail.new_text and "move forward" in mail.new_text


def test_attachment_names_are_kept_as_text_only():
    mail = parse((TRICKY / "nested-rfc822.eml").read_bytes())
    names = [a.name for a in mail.attachments]
    assert "../../etc/passwd" in names  # shown as the sender named it, never used as a path
    assert all(a.size >= 0 for a in mail.attachments)


def test_known_parser_crash_becomes_a_parse_error():
    with pytest.raises(ParseError, match="AttributeError"):
        parse((TRICKY / "parser-crash-inner-boundary.eml").read_bytes())


def test_deep_nesting_becomes_a_parse_error():
    from tests.builders import deep_multipart

    with pytest.raises(ParseError):
        parse(deep_multipart(1000))


def test_defects_are_recorded():
    mail = parse((TRICKY / "broken-inner-boundary.eml").read_bytes())
    assert "StartBoundaryNotFoundDefect" in mail.defects


def test_headers_only_flag_is_carried():
    raw = RawMessage("a", "f", MessageRef("1", 1, size=99_000_000), b"Subject: big\r\n\r\n",
                     headers_only=True)
    mail = parse_raw(raw)
    assert mail.headers_only and mail.size == 99_000_000


def test_split_reply_keeps_signature_and_drops_quotes():
    text = ("Hi Sam,\n\nWe went with another candidate.\n\nBest,\nJane\n\n"
            "On Mon, Nov 2, 2026 at 10:00 AM Sam <sam@x.org> wrote:\n> any news?\n")
    assert split_reply(text) == "Hi Sam,\n\nWe went with another candidate.\n\nBest,\nJane"
    german = ("Hallo Sam,\nleider nein.\n\n"
              "Am 02.11.2026 um 10:00 schrieb Sam <sam@x.org>:\n> frage\n")
    assert split_reply(german) == "Hallo Sam,\nleider nein."


def test_html_to_text_keeps_blocks_apart():
    assert html_to_text("<p>One <b>two</b></p><p>three<br>four</p>") == "One two\n\nthree\nfour"


@pytest.mark.parametrize("evil", ["a\r\nBcc: x", "a\nb", "a\x1eb", "a\u2028b", "a\x85b", "a\x00b",
                                  "a\x1b[31mb"])
def test_clean_header_text_leaves_one_safe_line(evil):
    cleaned = clean_header_text(evil)
    assert len(cleaned.splitlines()) == 1
    assert not any(ord(c) < 32 for c in cleaned)


def test_clean_header_text_limits_length():
    assert len(clean_header_text("x" * 100_000)) == 998


def test_batch_parser_in_worker_processes_matches_in_process():
    from inboxcoach.fetch.parse import BatchParser

    raws = [RawMessage("a", "f", MessageRef(str(i), i), make_message(i)) for i in range(70)]
    raws.append(RawMessage("a", "f", MessageRef("bad", 99),
                           (TRICKY / "parser-crash-inner-boundary.eml").read_bytes()))
    with BatchParser(workers=2) as pool:
        parallel = pool.parse(raws)
        assert pool._pool is not None  # really ran in workers
    serial = BatchParser(workers=1).parse(raws)
    assert parallel == serial
    assert isinstance(parallel[-1][1], str) and "AttributeError" in parallel[-1][1]


def test_thousands_of_unclosed_blocks_still_give_one_line_each():
    """Found by fuzzing: inserting a line break around each of 10,000 nested <p> took 13 s;
    past MAX_BLOCKS the text is laid out one string per line instead (timing: benchmarks)."""
    text = html_to_text("<p>x" * (MAX_BLOCKS + 500))
    assert text.splitlines() == ["x"] * (MAX_BLOCKS + 500)
