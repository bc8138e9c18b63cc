"""Grouping mail into applications, measured on a team-written mailbox whose true application
of every message is written down (``tests/data/applications/``, see
``inboxcoach.train.grouping_eval``)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from inboxcoach.train.grouping_eval import load_mailbox, score_grouping

MAILBOX = sorted((Path(__file__).parent / "data" / "applications").glob("*.jsonl"))
# Measured with the current rules on the whole mailbox (README, "Applications"); the targets
# are 0.95 each. A floor no later change may fall under, not a goal. The parts in HELD_OUT_PARTS
# were written after the rules and are the part no rule was fitted to.
FLOORS = {"employer_accuracy": 0.87, "role_accuracy": 0.94, "pair_precision": 0.98,
          "pair_recall": 0.94}
HELD_OUT_PARTS = ("apps-h", "apps-i")
HELD_OUT = {"employer_accuracy": 0.71, "role_accuracy": 0.86, "pair_precision": 0.97,
            "pair_recall": 0.82}


def msg(i: int, app: str | None, employer: str | None, role: str | None, category: str,
        subject: str, body: str, thread: str | None = None, sender: str = "jo@acme.example",
        day: int = 5) -> dict:
    return {"id": f"t-{i:03d}", "application": app, "employer": employer, "role": role,
            "category": category, "folder": "INBOX", "day": day, "time": f"{9 + i % 8:02d}:00",
            "thread": thread, "from_name": "Jo Lane", "from_addr": sender,
            "to_addr": "sam@example.org", "subject": subject, "body": body}


def test_a_thread_is_one_application_and_two_roles_are_two():
    rows = [
        msg(1, "acme-analyst", "Acme", "Data Analyst", "acknowledgement",
            "Your application for Data Analyst at Acme", "We received your application.", "t1",
            day=9),
        msg(2, "acme-analyst", "Acme", "Data Analyst", "interview", "Re: Your application for "
            "Data Analyst at Acme", "Could we talk on Monday?", "t1", day=7),
        msg(3, "acme-engineer", "Acme", "Data Engineer", "acknowledgement",
            "Your application for Data Engineer at Acme", "We received your application.",
            day=3),
    ]
    s = score_grouping(rows)
    assert (s.applications_true, s.applications_found) == (2, 2)
    assert s.pair_precision == 1.0 and s.pair_recall == 1.0
    assert s.employer_accuracy == 1.0 and s.role_accuracy == 1.0


def test_the_team_mailbox_is_labelled_consistently():
    rows = load_mailbox(MAILBOX)
    facts = defaultdict(set)
    for r in rows:
        if r["application"]:
            facts[r["application"]].add((r["employer"], r["role"]))
    assert len(rows) >= 300 and len(facts) >= 60
    assert all(len(v) == 1 for v in facts.values()), {k: v for k, v in facts.items()
                                                      if len(v) > 1}
    assert len({r["id"] for r in rows}) == len(rows)


def test_grouping_on_the_team_mailbox_holds_its_measured_floor():
    s = score_grouping(load_mailbox(MAILBOX))
    for name, floor in FLOORS.items():
        assert getattr(s, name) >= floor, (name, getattr(s, name))
    held = score_grouping(load_mailbox([p for p in MAILBOX if p.stem in HELD_OUT_PARTS]))
    for name, floor in HELD_OUT.items():
        assert getattr(held, name) >= floor, (name, getattr(held, name))


def test_the_users_own_mail_starts_and_joins_applications():
    """A sent application with no answer is an application (the one that never got a reply);
    the reply from the employer's domain joins it, and the user's name is never the employer."""
    rows = [
        {**msg(1, None, None, None, "other", "Insights Analyst - application from Sam Rivera",
               "Hi Halcyon Games team, I'm applying for the Insights Analyst role.", "h1",
               day=9), "folder": "Sent", "from_name": "Sam Rivera",
         "from_addr": "sam@example.org", "to_addr": "jobs@halcyongames.example"},
        msg(2, "halcyon", "Halcyon Games", "Insights Analyst", "acknowledgement",
            "Re: Insights Analyst - application from Sam Rivera",
            "Thanks for the application.\n\nBea Castellano\nTalent Lead, Halcyon Games", "h1",
            sender="bea.castellano@halcyongames.example", day=8),
        msg(3, "halcyon", "Halcyon Games", "Insights Analyst", "interview",
            "Let's set up a call", "Could you talk on Friday?\n\nBea",
            sender="bea.castellano@halcyongames.example", day=4),
        {**msg(4, None, None, None, "other", "Data Analyst application",
               "Dear Orla, please find my CV for the Data Analyst post.", day=30),
         "folder": "Sent", "from_name": "Sam Rivera", "from_addr": "sam@example.org",
         "to_addr": "orla@quietco.example"},
    ]
    s = score_grouping(rows)
    assert (s.applications_found, s.pair_recall, s.employer_accuracy) == (1, 1.0, 1.0)

    from datetime import UTC, datetime

    from inboxcoach.classify.applications import group
    from inboxcoach.classify.understand import Me
    from inboxcoach.train.grouping_eval import to_emails

    now = datetime.now(UTC)
    mails = to_emails(rows, now)
    apps = group([(m, "other") for m in mails if m.subject.endswith("Analyst application")]
                 , now, me=Me(frozenset({"sam@example.org"}), ("Sam Rivera",)))
    assert [(a.company, a.role, a.status, a.no_reply) for a in apps] == [
        ("Quietco", "Data Analyst", "applied", True)]


def test_requisition_ids_join_and_part_applications():
    rows = [
        msg(1, "b1", "Brackenfield", "Data Analyst", "acknowledgement",
            "Application received: Data Analyst (BI-3310)", "Thanks.",
            sender="brackenfield@myworkday.com", day=60),
        msg(2, "b1", "Brackenfield", "Data Analyst", "rejection", "Update on your application",
            "About BI-3310: we will not go on.", sender="brackenfield@myworkday.com", day=50),
        msg(3, "b2", "Brackenfield", "Data Analyst", "acknowledgement",
            "Application received: Data Analyst (BI-4102)", "Thanks.",
            sender="brackenfield@myworkday.com", day=10),
        msg(4, "b2", "Brackenfield", "Data Analyst", "interview", "Phone screen - BI-4102",
            "Could we talk?\n\nGareth Oyelaran\nClaims Analytics Manager",
            sender="gareth.oyelaran@brackenfield.example", day=5),
    ]
    s = score_grouping(rows)
    assert (s.applications_true, s.applications_found) == (2, 2)
    assert (s.pair_precision, s.pair_recall, s.role_accuracy) == (1.0, 1.0, 1.0)


def test_an_assessment_vendor_is_never_the_employer_and_its_reminder_joins():
    vendor = "no-reply@codetestly.example"
    rows = [
        msg(1, "e", "Edgecombe Travel", "Revenue Analyst", "acknowledgement",
            "Edgecombe Travel - application received", "Thanks for applying, Revenue Analyst.",
            sender="jobs@lever.co", day=20),
        {**msg(2, "e", "Edgecombe Travel", "Revenue Analyst", "assessment",
               "Edgecombe Travel has invited you to an assessment", "Start here.",
               sender=vendor, day=15), "from_name": "Codetestly"},
        {**msg(3, "s", "Stellwick Games", None, "assessment",
               "Stellwick Games has invited you to an assessment", "Start here.",
               sender=vendor, day=14), "from_name": "Codetestly"},
        {**msg(4, "e", "Edgecombe Travel", "Revenue Analyst", "assessment",
               "Reminder: your Edgecombe Travel assessment expires tomorrow", "Hurry.",
               sender=vendor, day=13), "from_name": "Codetestly"},
    ]
    s = score_grouping(rows)
    assert (s.applications_found, s.pair_precision, s.pair_recall) == (2, 1.0, 1.0)
    assert s.employer_accuracy == 1.0, s.wrong


def test_an_agency_names_its_client_later_and_the_process_stays_one():
    agent = "liam.oconnell@talentbridge-partners.example"
    rows = [
        msg(1, "h", "Harbinger Freight", "Analytics Engineer", "outreach",
            "Analytics Engineer - freight-tech scale-up, London",
            "I'm working exclusively with a freight-tech company. Open to a call?", sender=agent,
            day=30),
        msg(2, "h", "Harbinger Freight", "Analytics Engineer", "interview",
            "Harbinger Freight - first interview confirmed",
            "The first stage is a video interview with Noor Haddad, their Director of Data.",
            sender=agent, day=20),
        msg(3, "h", "Harbinger Freight", "Analytics Engineer", "rejection",
            "Harbinger Freight - feedback", "I'm afraid they've decided not to go on.",
            sender=agent, day=10),
    ]
    s = score_grouping(rows)
    assert (s.applications_found, s.pair_recall, s.employer_accuracy) == (1, 1.0, 1.0), s.wrong


def test_names_and_titles_are_compared_as_people_write_them():
    from inboxcoach.classify.matching import same_employer, same_role

    assert same_employer("Corvel Health", "Corvelhealth") and same_employer("Corvel",
                                                                         "Corvel Health")
    assert same_employer("Gräfenberg Logistik", "Graefenberg-Logistik")
    assert same_employer("Gilmour Research Institute", "Gilmour-Institute")
    assert not same_employer("Lumen & Marsh", "Halden & Crow")
    assert same_employer("IHSA", "Irish Heritage Sites Authority")
    assert same_employer("Kingsweston", "University of Kingsweston")
    assert not same_employer("IHSA", "Irish Heritage Board")
    assert same_role("BI Analyst", "Business Intelligence Analyst")
    assert same_role("Data Officer", "Performance and Data Officer")
    assert same_role("Senior Data Analyst", "Senior Data Analyst, Product")
    assert same_role("Datenanalyst (m/w/d)", "Datenanalyst")
    assert not same_role("Data Analyst, Growth", "Data Analyst, Risk")
    assert not same_role("Data Analyst", "Data Engineer")

    from inboxcoach.classify.understand import same_name

    assert same_name("Chargé de communication", "Chargé(e) de communication")
    assert same_name("Ingeniero Backend Senior", "Ingeniero/a Backend Senior")


def test_the_same_role_applied_to_again_after_a_rejection_is_a_new_application():
    ats = "no-reply@teamtailor-mail.com"
    rows = [
        {**msg(1, "n1", "Northquay Health", "Backend Engineer", "acknowledgement",
               "We've received your application", "Thanks for applying for the Backend "
               "Engineer role at Northquay Health.", sender=ats, day=80),
         "from_name": "Northquay Health"},
        {**msg(2, "n1", "Northquay Health", "Backend Engineer", "rejection",
               "Your application at Northquay Health", "We will not go on.", sender=ats,
               day=70), "from_name": "Northquay Health"},
        {**msg(3, "n2", "Northquay Health", "Backend Engineer", "acknowledgement",
               "We've received your application", "Thanks for applying for the Backend "
               "Engineer role at Northquay Health.", sender=ats, day=10),
         "from_name": "Northquay Health"},
    ]
    s = score_grouping(rows)
    assert (s.applications_true, s.applications_found, s.pair_precision) == (2, 2, 1.0)


def test_evaluate_applications_prints_the_figures(capsys, tmp_path):
    from inboxcoach.cli import main

    assert main(["evaluate", "--applications", str(MAILBOX[0].parent)]) == 0
    assert "applications found" in capsys.readouterr().out
    assert main(["evaluate", "--applications", str(tmp_path / "none")]) == 2


def test_an_agency_that_writes_for_a_client_is_never_the_employer():
    agent = "dean.whitlow@carebridge-nursing.example"
    rows = [
        msg(1, "a", "Aireborough Private Hospital", "Practice Development Nurse", "outreach",
            "Practice Development Nurse - private hospital, Guiseley",
            "I'm recruiting for my client, a private hospital in Guiseley. Interested?",
            sender=agent, day=30),
        msg(2, "a", "Aireborough Private Hospital", "Practice Development Nurse", "interview",
            "Interview Friday?", "They would like to meet you on Friday.\n\nDean\nCareBridge "
            "Nursing", sender=agent, day=20),
    ]
    s = score_grouping(rows)
    assert s.applications_found == 1
    assert ("t-002", "employer", "Aireborough Private Hospital", "Carebridge Nursing") not in [
        (i, f, t, g and g.title()) for i, f, t, g in s.wrong]


def test_titles_of_other_trades_and_languages_are_read():
    from inboxcoach.classify.role import role
    from inboxcoach.train.grouping_eval import to_emails

    cases = {
        "Application received: Finance Graduate Programme 2026": "Finance Graduate Programme",
        "Solicitud recibida - Auditor/a Junior": "Auditor Junior",
        "Candidature - Formateur clinique Royaume-Uni (H/F)": "Formateur clinique",
        "Competition LHG-0457 Clinical Nurse Manager 2": "Clinical Nurse Manager",
    }
    rows = [msg(i, None, None, None, "acknowledgement", subject, "Thank you.")
            for i, subject in enumerate(cases)]
    from datetime import UTC, datetime

    found = [role(m) for m in to_emails(rows, datetime.now(UTC))]
    assert found == list(cases.values())


def test_what_the_review_found_stays_fixed():
    from inboxcoach.classify.matching import same_employer, same_role
    from inboxcoach.classify.role import JOB_REF

    # names in other scripts are compared by their own letters, never as "" == ""
    assert not same_employer("Яндекс", "Сбербанк") and same_employer("Яндекс", "Яндекс")
    assert same_role("Аналитик данных", "Аналитик данных")
    # a prefix is one employer only when what follows is a word of a name
    assert not same_employer("Meta", "Metaswitch") and not same_employer("Shell", "Shelley Homes")
    assert same_employer("Corvel", "Corvelhealth")
    # time zones and standards are not requisition ids
    assert not JOB_REF.search("10:00 GMT-0500, ISO-27001, FY-2025") and JOB_REF.search("REQ-2043")


def test_the_users_other_mail_starts_no_application_and_sending_one_after_an_approach_counts():
    from datetime import UTC, datetime

    from inboxcoach.classify.applications import group
    from inboxcoach.classify.understand import Me
    from inboxcoach.train.grouping_eval import to_emails

    me = Me(frozenset({"sam@example.org"}), ("Sam Rivera",))
    mine = {"folder": "Sent", "from_name": "Sam Rivera", "from_addr": "sam@example.org"}
    rows = [
        {**msg(1, None, None, None, "other", "Can we resume our call tomorrow?", "Hi mum",
               day=9), **mine, "to_addr": "mum@example.net"},
        {**msg(2, None, None, None, "other", "Fwd: Your application at Acme", "See below",
               day=8), **mine, "to_addr": "mentor@example.net"},
        msg(3, "q", "Quarry Labs", "Data Analyst", "outreach", "Data Analyst at Quarry Labs",
            "Would you like to apply?", sender="ann.lee@quarrylabs.example", day=7),
        {**msg(4, "q", "Quarry Labs", "Data Analyst", "other",
               "Application: Data Analyst", "Please find my CV attached.", day=6), **mine,
         "to_addr": "ann.lee@quarrylabs.example"},
    ]
    now = datetime.now(UTC)
    apps = group([(m, r["category"]) for m, r in zip(to_emails(rows, now), rows, strict=True)],
                 now, me=me)
    assert [(a.company, a.status) for a in apps] == [("Quarry Labs", "applied")]
