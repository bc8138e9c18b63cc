"""Composing drafts: the right words, the right threading, and no header injection."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

import pytest

from inboxcoach.drafts.compose import (
    DraftError,
    Writer,
    compose,
    first_name,
    interviewed,
    reply_subject,
)
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import Address, FeedbackCall, MessageRef, RawMessage, feedback_call

GIVEN, NOT_GIVEN = FeedbackCall.GIVEN, FeedbackCall.NOT_GIVEN

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
WRITER = Writer("Sam Candidate", "sam@example.org", "+44 20 7946 0000")


def rejection(headers: str, body: str):
    raw = (headers.strip() + "\r\n\r\n" + body).encode()
    return parse_raw(RawMessage("a", "INBOX", MessageRef("1"), raw))


BASIC = rejection(
    "From: Jane Doe <jane@acme.example>\r\nSubject: Your application\r\n"
    "Message-ID: <rej-1@acme.example>\r\nReferences: <root@acme.example>",
    "Hi Sam,\n\nThanks for applying. We decided to go with another candidate.\n\nJane\n")


def parsed(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.default)


def test_draft_is_a_threaded_reply_to_the_contact():
    draft = compose(BASIC, Address("Jane Doe", "jane@acme.example"), WRITER, company="Acme",
                    role="Data Analyst", feedback=NOT_GIVEN, now=NOW)
    msg = parsed(draft.raw)
    assert msg["To"] == "Jane Doe <jane@acme.example>"
    assert msg["From"] == "Sam Candidate <sam@example.org>"
    assert msg["Subject"] == "Re: Your application"
    assert msg["In-Reply-To"] == "<rej-1@acme.example>"
    assert msg["References"] == "<root@acme.example> <rej-1@acme.example>"
    assert msg["Message-ID"].strip("<>") == draft.message_id and msg["Date"]
    body = msg.get_content()
    assert body.startswith("Dear Jane,") and "Data Analyst role at Acme" in body
    assert "pointers" in body and "Sam Candidate" in body and "+44 20 7946 0000" in body
    assert msg.get_content_charset() == "utf-8" and draft.variant == "ask"


def test_feedback_given_gets_a_thank_you_and_interviews_a_stronger_ask():
    thanks = compose(BASIC, Address("Jane", "jane@acme.example"), WRITER, company=None,
                     role=None, feedback=GIVEN, now=NOW)
    assert thanks.variant == "thanks" and "explaining the reasons" in thanks.body
    after = rejection("From: Jane <jane@acme.example>\r\nSubject: Next steps\r\nMessage-ID: <r@x>",
                      "Thank you for interviewing with us last week. We will not proceed.\n")
    strong = compose(after, Address("Jane", "jane@acme.example"), WRITER, company="Acme",
                     role=None, feedback=NOT_GIVEN, now=NOW)
    assert strong.variant == "ask_after_interview" and "interviews" in strong.body


@pytest.mark.parametrize("lang_body", [
    "Thanks for applying. We went with a candidate who has led a team.\n",
    "Vielen Dank für Ihre Bewerbung. Leider fehlt Ihnen die Erfahrung mit SAP.\n",
    "Merci pour votre candidature. Malheureusement il vous manque l'expérience en SAP.\n",
    "Gracias por su candidatura. Lamentablemente le falta experiencia en SAP.\n",
    "Bedankt voor je sollicitatie. Helaas mis je ervaring met SAP.\n",
])
def test_an_unsure_feedback_call_gets_a_reply_that_reads_well_either_way(lang_body):
    """Neither a thank-you for reasons that may not be there nor a plain ask for what may
    already be written: thanks for the note, and an open question, in the mail's language."""
    mail = rejection("From: Jane <jane@acme.example>\r\nSubject: x\r\nMessage-ID: <u@x>",
                     lang_body)
    draft = compose(mail, Address("Jane", "jane@acme.example"), WRITER, company="Acme",
                    role=None, feedback=FeedbackCall.UNSURE, now=NOW)
    assert draft.variant == "thanks_ask"
    english = compose(BASIC, Address("Jane", "jane@acme.example"), WRITER, company="Acme",
                      role=None, feedback=FeedbackCall.UNSURE, now=NOW)
    assert draft.body != english.body or "Thanks for applying" in lang_body
    assert "{" not in draft.body and "Acme" in draft.body


def test_the_feedback_call_has_an_unsure_band():
    assert feedback_call(None) is FeedbackCall.UNKNOWN
    assert feedback_call(0.1) is NOT_GIVEN and feedback_call(0.95) is GIVEN
    assert feedback_call(0.5) is FeedbackCall.UNSURE


@pytest.mark.parametrize(("subject", "expected"), [
    ("Your application", "Re: Your application"),
    ("Re: Your application", "Re: Your application"),
    ("RE: re: AW: Bewerbung", "Re: Bewerbung"),
    ("", "Re: your message"),
])
def test_reply_subject_never_doubles_re(subject, expected):
    assert reply_subject(subject) == expected


def test_hostile_names_and_subjects_cannot_add_headers():
    mail = rejection(
        "From: =?utf-8?q?Eve=0D=0ABcc=3A_spy=40evil=2Eexample?= <eve@acme.example>\r\n"
        "Subject: =?utf-8?q?Update=0D=0ABcc:_spy@evil.example=0D=0A=0D=0Abody?=\r\n"
        "Message-ID: <ok@acme.example>\r\nReferences: <a@b>\r\n <evil\r\n\tBcc: x@y>",
        "We will not move forward.\n")
    long_name = "Eve " + "x" * 5000
    for contact in (mail.from_, Address(long_name, "eve@acme.example"),
                    Address("Eve\u2028Bcc: spy@evil.example", "eve@acme.example")):
        draft = compose(mail, contact, WRITER, company="Acme\r\nBcc: x@y", role="Dev\nBcc: z",
                        feedback=NOT_GIVEN, now=NOW)
        msg = parsed(draft.raw)
        assert msg["Bcc"] is None and msg["Cc"] is None
        # the text may survive inside the quoted display name, but only as text
        assert [a.addr_spec for a in msg["To"].addresses] == ["eve@acme.example"]
        assert sorted(k.lower() for k in msg) == sorted(
            ["from", "to", "subject", "date", "message-id", "in-reply-to", "references",
             "x-inboxcoach", "content-type", "content-transfer-encoding", "mime-version"])


@pytest.mark.parametrize("word", ["=?utf-8?q?=98?=", "=?utf-8?q?a=0Ab?=", "=?utf-8?q?=0D=0A?=",
                                  "=?utf-8?q?=3D=3Futf-8=3Fq=3F=3D0A=3F=3D?="])
def test_a_literal_encoded_word_left_in_a_subject_drafts_one_safe_line(word: str):
    """Found by tests/test_fuzz.py: with 8-bit text beside it, mail-parser leaves the word
    as it is and the email package decodes it when the reply's Subject is set."""
    mail = rejection("From: Jane <jane@acme.example>\r\n"
                     f"Subject: \u00e9 {word}\r\nMessage-ID: <e@acme.example>",
                     "We will not move forward.\n")
    draft = compose(mail, mail.from_, WRITER, company=None, role=None, feedback=NOT_GIVEN,
                    now=NOW)
    msg = parsed(draft.raw)
    assert msg["Subject"].startswith("Re: \u00e9") and "\n" not in msg["Subject"]
    assert msg["In-Reply-To"] == "<e@acme.example>" and msg["X-Inboxcoach"]


def test_unusable_contact_address_is_refused():
    for bad in ("jane@acme.example\r\nBcc: x@y", "not-an-address", "a b@c.example"):
        with pytest.raises(DraftError):
            compose(BASIC, Address("Jane", bad), WRITER, company=None, role=None,
                    feedback=NOT_GIVEN, now=NOW)


def test_first_name():
    assert first_name(Address("Jane Doe", "j@x")) == "Jane"
    assert first_name(Address("Doe, Jane", "j@x")) == "Jane"
    assert first_name(Address("", "j@x")) is None
    assert first_name(Address("acme recruiting", "j@x")) is None


def test_templates_can_be_overridden(tmp_path):
    (tmp_path / "ask.txt.j2").write_text("{{ greeting }}\n\nCustom ask for {{ role }}.\n\n"
                                         "{{ closing }}\n")
    writer = Writer("Sam", "sam@example.org", "", tmp_path)
    draft = compose(BASIC, Address("Jane", "jane@acme.example"), writer, company=None,
                    role="QA Engineer", feedback=NOT_GIVEN, now=NOW)
    assert "Custom ask for QA Engineer." in draft.body


def test_the_only_sending_path_is_the_digest_to_its_owner():
    """Drafts are never sent: only digest/deliver.py speaks SMTP, it imports nothing that knows
    about drafts or mail content, and its one recipient is the configured owner."""
    import ast
    from pathlib import Path

    package = Path(__file__).parent.parent / "inboxcoach"
    senders = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if any(word in p.read_text() for word in ("smtplib", "SMTP(", "SMTP_SSL", "sendmail",
                                                            "send_message"))]
    assert senders == ["digest/deliver.py"]
    tree = ast.parse((package / "digest" / "deliver.py").read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not imported & {"inboxcoach.drafts.stage", "inboxcoach.drafts.compose",
                           "inboxcoach.store.database"}
    sends = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") in ("send_message", "sendmail")]
    assert len(sends) == 1
    recipients = {k.arg: ast.unparse(k.value) for k in sends[0].keywords}
    assert recipients["to_addrs"] == "[settings.to]"


@pytest.mark.parametrize(("company", "role", "expected"), [
    ("Acme", "QA Engineer", "letting me know about the QA Engineer role at Acme,"),
    ("Acme", None, "letting me know about my application to Acme,"),
    (None, "QA Engineer", "letting me know about the QA Engineer role,"),
    (None, None, "Thank you for letting me know, and"),
])
def test_opening_reads_well_with_or_without_company_and_role(company, role, expected):
    for feedback in (NOT_GIVEN, GIVEN, FeedbackCall.UNSURE):
        draft = compose(BASIC, Address("Jane", "jane@acme.example"), WRITER, company=company,
                        role=role, feedback=feedback, now=NOW)
        assert expected in " ".join(draft.body.split())


@pytest.mark.parametrize(("body", "expected"), [
    ("Sehr geehrter Herr Weber,\n\nvielen Dank für Ihre Bewerbung. Leider haben wir uns für "
     "eine andere Kandidatin entschieden.\n", ("Hallo Jane,", "Viele Grüße", "vielen Dank")),
    ("Bonjour,\n\nMerci pour votre candidature. Malheureusement nous ne pouvons pas donner une "
     "suite favorable.\n", ("Bonjour Jane,", "Bien cordialement,", "Merci pour votre retour")),
    ("Hola,\n\nGracias por su candidatura. Lamentablemente hemos decidido continuar con otros "
     "candidatos para el puesto.\n", ("Hola Jane,", "Saludos cordiales,", "Gracias por")),
    ("Beste Sam,\n\nBedankt voor je sollicitatie. Helaas hebben wij besloten niet met je verder "
     "te gaan.\n", ("Beste Jane,", "Met vriendelijke groet,", "Dank u wel")),
    ("Hi Sam, thanks for applying. We went with another candidate.\n",
     ("Dear Jane,", "Best regards,", "Thank you")),
])
def test_draft_answers_in_the_rejections_language(body, expected):
    mail = rejection("From: Jane <jane@acme.example>\r\nSubject: x\r\nMessage-ID: <l@x>", body)
    draft = compose(mail, Address("Jane Doe", "jane@acme.example"), WRITER, company="Acme",
                    role=None, feedback=NOT_GIVEN, now=NOW)
    for text in expected:
        assert text in draft.body


def test_every_variant_has_a_template_in_every_draft_language():
    from pathlib import Path

    from inboxcoach.drafts.compose import GREETINGS, Variant

    folder = Path(__file__).parent.parent / "inboxcoach" / "drafts" / "templates"
    for variant in Variant:
        for lang in GREETINGS:
            name = f"{variant}.txt.j2" if lang == "en" else f"{variant}.{lang}.txt.j2"
            assert (folder / name).is_file(), name


@pytest.mark.parametrize("text", [
    "Thank you for interviewing with us last week. We will not proceed.",
    "After your interview on Monday the panel decided to go with another candidate.",
    "It was a pleasure to meet you, but we have chosen someone else.",
    "Nach unserem Gespräch haben wir uns für eine andere Person entschieden.",
    "Suite à notre entretien, nous ne donnerons pas suite.",
    "Tras la entrevista hemos decidido seguir con otra persona.",
    "Na ons gesprek hebben we voor iemand anders gekozen.",
])
def test_a_rejection_that_says_the_candidate_was_interviewed(text):
    assert interviewed(text)


@pytest.mark.parametrize("text", [
    "Unfortunately you have not been shortlisted for interview on this occasion.",
    "We will not be inviting you to an interview.",
    "We received many applications and interviews are now under way with others.",
    "Leider können wir Sie nicht zu einem Vorstellungsgespräch einladen.",
    "Nous ne pouvons pas vous proposer d'entretien.",
    "Thanks for applying. We went with someone else.",
    "It was lovely to meet you at the meetup and I really hope something good comes up soon.",
])
def test_a_rejection_that_mentions_interviews_but_none_with_this_candidate(text):
    assert not interviewed(text)


def test_the_after_interview_draft_follows_the_application_history():
    mail = rejection("From: Jane <jane@acme.example>\r\nSubject: Update\r\nMessage-ID: <h@x>",
                     "We have decided not to move forward.\n")
    plain = compose(mail, Address("Jane", "jane@acme.example"), WRITER, company="Acme",
                    role=None, feedback=NOT_GIVEN, now=NOW)
    after = compose(mail, Address("Jane", "jane@acme.example"), WRITER, company="Acme",
                    role=None, feedback=NOT_GIVEN, now=NOW, met=True)
    assert (plain.variant, after.variant) == ("ask", "ask_after_interview")


def test_rejections_after_an_interview_or_a_test_in_their_application_are_found():
    from inboxcoach.classify.applications import Application, Event
    from inboxcoach.drafts.stage import met_before

    def app(*statuses: str) -> Application:
        return Application("Acme", None, statuses[-1], [
            Event(None, s, "", "", f"{'-'.join(statuses)}:{i}") for i, s in enumerate(statuses)])

    apps = [app("applied", "interview", "rejected"), app("applied", "rejected"),
            app("rejected", "assessment", "rejected")]
    found = {e.message_key for a in apps for e in a.events
             if e.status == "rejected" and met_before(a, e.message_key)}
    assert found == {"applied-interview-rejected:2", "rejected-assessment-rejected:2"}


def test_a_draft_states_only_facts_that_were_said_not_guessed():
    from inboxcoach.classify.applications import Application
    from inboxcoach.drafts.stage import checked_facts
    from inboxcoach.records import FactSource

    said = Application("Quillmarsh Insurance", "Analytics Engineer", "rejected",
                       company_source=FactSource.TEXT, role_source=FactSource.STATED)
    guessed = Application("Brackenridgefoods", "Director", "rejected",
                          company_source=FactSource.GUESSED, role_source=FactSource.GUESSED)
    assert checked_facts(said) == ("Quillmarsh Insurance", "Analytics Engineer")
    assert checked_facts(guessed) == (None, None)  # the draft says "the role", "your team"
    assert checked_facts(None) == (None, None)
