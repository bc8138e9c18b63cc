"""What the model sees: folded text and sender/header tokens."""

from __future__ import annotations

from inboxcoach.classify.features import CHAR_TEXT, meta_tokens, model_text, stage_tokens
from inboxcoach.classify.model import frame
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import MessageRef, RawMessage


def mail(headers: str, body: str = "Hello,\nthanks.\n"):
    raw = (headers.strip() + "\r\nMessage-ID: <f@x>\r\n\r\n" + body).encode()
    return parse_raw(RawMessage("a", "f", MessageRef("1"), raw))


def test_model_text_folds_identifiers_and_drops_quotes():
    m = mail("From: a@b.example\r\nSubject: Role 4711",
             "See https://jobs.example/x?id=9 or mail jane@acme.example\n\n"
             "On Mon, Jan 5, 2026 at 9:00 AM Sam <s@x.org> wrote:\n> old question\n")
    text = model_text(m)
    assert "urltoken" in text and "emailtoken" in text and "0000" in text
    assert "old question" not in text and "4711" not in text


def test_noreply_ats_sender_with_bulk_headers():
    m = mail("From: Acme Talent Team <no-reply@us.greenhouse-mail.io>\r\nSubject: Update\r\n"
             "List-Unsubscribe: <mailto:u@x>\r\nPrecedence: bulk\r\nAuto-Submitted: auto-generated")
    tokens = meta_tokens(m).split()
    for t in ("from:noreply", "from:ats", "from:ats-greenhouse", "from:name-team",
              "hdr:list-unsubscribe", "hdr:precedence-bulk", "hdr:auto-submitted-yes"):
        assert t in tokens


def test_person_writing_in_a_thread():
    m = mail("From: Jane Doe <jane.doe@acme.example>\r\nSubject: Re: our call\r\n"
             "In-Reply-To: <x@y>\r\nReply-To: Jane Doe <jane.doe@acme.example>",
             "Hi Sam,\nthanks for your time.\nJane\n+44 20 7946 0958\n")
    tokens = meta_tokens(m).split()
    assert {"from:person-like", "from:name-person", "thread:reply", "subject:re",
            "sig:phone", "len:tiny"} <= set(tokens)
    assert "reply:differs" not in tokens


def test_reply_to_that_differs_is_described():
    m = mail("From: Acme via Lever <no-reply@hire.lever.co>\r\nSubject: x\r\n"
             "Reply-To: Jane <jane@acme.example>")
    tokens = meta_tokens(m).split()
    assert {"reply:differs", "reply:person-like", "from:ats-lever"} <= set(tokens)


def test_german_local_part_and_freemail():
    m = mail("From: Personalabteilung <bewerbung@firma.example>\r\nSubject: x")
    assert "from:team-mailbox" in meta_tokens(m).split()
    m = mail("From: Max <max.mustermann@gmail.com>\r\nSubject: x")
    assert "from:freemail" in meta_tokens(m).split()


def test_domains_match_whole_labels_only():
    def tokens(sender: str) -> set[str]:
        return set(meta_tokens(mail(f"From: {sender}\r\nSubject: x")).split())

    assert {"from:ats", "from:ats-workday"} <= tokens("Acme <acme@myworkday.com>")
    assert "from:ats" not in tokens("Jane <jane@notmyworkday.com>")  # not a subdomain
    assert "from:freemail" in tokens("Jane <jane@yahoo.co.uk>")
    assert "from:scheduler" in tokens("Acme via Calendly <no-reply@calendly.com>")
    assert "from:jobboard" in tokens("LinkedIn <jobs-noreply@linkedin.com>")


def test_character_ngrams_read_only_the_opening():
    long = mail("From: a@b.example\r\nSubject: Update", "word " * 1000)
    row = frame([long]).iloc[0]
    assert len(row["text"]) > CHAR_TEXT and row["opening"] == row["text"][:CHAR_TEXT]


def test_stage_tokens_pair_each_sender_token_with_the_category():
    tokens = stage_tokens("from:person-like len:short", "interview").split()
    assert tokens == ["cat:interview", "interview&from:person-like", "interview&len:short"]
    assert stage_tokens("", "other") == "cat:other"


def test_feedback_cues_name_reasons_and_offers_in_five_languages():
    from inboxcoach.classify.features import feedback_cues

    assert "cue:reason-more" in feedback_cues("we were looking for more hands-on experience")
    assert "cue:reason-lack" in feedback_cues("Leider fehlt Ihnen die Erfahrung mit SAP.")
    assert "cue:reason-requirement" in feedback_cues("un nivel C1 es requisito del puesto")
    assert "cue:reason-lack" in feedback_cues("il vous manque l'expérience en gestion")
    assert "cue:reason-requirement" in feedback_cues("je opzegtermijn van drie maanden")
    assert "cue:offer-only" in feedback_cues("Happy to share feedback on a call.")
    assert "cue:role-reason" in feedback_cues("We have a hiring freeze.")
    assert feedback_cues("Thank you for applying. We wish you well.") == "cue:none"
