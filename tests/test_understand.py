"""Reading who wrote a message, whether a reply reaches them, the employer and the role."""

from __future__ import annotations

import pytest

from inboxcoach.classify.contact import human_contact, signature_name
from inboxcoach.classify.employer import company
from inboxcoach.classify.role import role
from inboxcoach.classify.understand import same_name
from inboxcoach.fetch.parse import parse_raw
from inboxcoach.records import MessageRef, RawMessage


def mail(headers: str, body: str = "Hello,\nthanks for applying.\n"):
    raw = (headers.strip() + "\r\nMessage-ID: <u@x>\r\n\r\n" + body).encode()
    return parse_raw(RawMessage("a", "f", MessageRef("1"), raw))


REJECTION = ("Hi Sam,\n\nThank you for applying. We have decided to move forward with other "
             "candidates.\n\n")


@pytest.mark.parametrize(("headers", "body", "expected"), [
    ("From: Acme <no-reply@acme.example>\r\nSubject: x", REJECTION + "The Acme Team\n", None),
    # Greenhouse sends from a no-reply address but Reply-To reaches the recruiter
    ("From: Jane Doe <no-reply@us.greenhouse-mail.io>\r\nReply-To: Jane Doe "
     "<jane.doe@acme.example>\r\nSubject: x", REJECTION + "Best,\nJane\n",
     ("Jane Doe", "jane.doe@acme.example")),
    # a relay with no Reply-To discards replies
    ("From: Acme <acme@myworkday.com>\r\nSubject: x", REJECTION + "Acme Talent Acquisition\n",
     None),
    ("From: Jane Doe <jane.doe@acme.example>\r\nSubject: x", REJECTION + "Jane\n",
     ("Jane Doe", "jane.doe@acme.example")),
    # a team mailbox counts when a person signs the mail...
    ("From: Acme Recruiting <jobs@acme.example>\r\nSubject: x",
     REJECTION + "Kind regards,\nMaria Lopez\nTalent Partner\n",
     ("Maria Lopez", "jobs@acme.example")),
    # ... not when a team does
    ("From: Acme Recruiting <jobs@acme.example>\r\nSubject: x",
     REJECTION + "Kind regards,\nThe Acme Hiring Team\n", None),
    ("From: Acme Careers <careers@acme.example>\r\nSubject: x",
     REJECTION + "Please do not reply to this email.\nBest,\nMaria Lopez\n", None),
    ("From: Personalabteilung <bewerbung@firma.example>\r\nSubject: x",
     "Sehr geehrter Herr Weber,\n\nleider...\n\nMit freundlichen Grüßen\nKatrin Vogel\n",
     ("Katrin Vogel", "bewerbung@firma.example")),
])
def test_human_contact(headers, body, expected):
    contact = human_contact(mail(headers, body))
    assert (contact.name, contact.email) == expected if expected else contact is None


def test_signature_name():
    assert signature_name("Thanks again.\n\nBest regards,\nJane Smith\nRecruiter\n") == "Jane Smith"
    assert signature_name("Thanks.\n\nCheers, Tom") == "Tom"
    assert signature_name("Thanks.\n\nBest,\nThe Talent Team") is None
    assert signature_name("no sign-off here") is None


@pytest.mark.parametrize(("headers", "body", "expected"), [
    ("From: Acme Corp <acme@myworkday.com>\r\nSubject: Your application", "Thanks.", "Acme"),
    ("From: Talent <globex+autoreply@talent.icims.com>\r\nSubject: x", "Thanks.", "Globex"),
    ("From: Initech Careers <notifications@smartrecruiters.com>\r\nSubject: Update",
     "Thank you for applying to Initech.", "Initech"),
    ("From: Workable <noreply@candidates.workablemail.com>\r\nSubject: Your application to "
     "Umbrella Health", "Thanks.", "Umbrella Health"),
    ("From: Jane <jane@hooli.example>\r\nSubject: hi", "Thanks for your interest in Hooli!",
     "Hooli"),
    ("From: Omar (Northwind Traders) <careers@northwind.example>\r\nSubject: next", "Hi",
     "Northwind Traders"),
    ("From: Jane Doe <jane@tandemstudio.example>\r\nSubject: next", "Everyone at Tandem Studio "
     "enjoyed meeting you.", "Tandem Studio"),
    ("From: LinkedIn <jobs-noreply@linkedin.com>\r\nSubject: Jobs for you", "New jobs.", None),
    ("From: Lena <lena@gmail.com>\r\nSubject: Re: coffee", "see you", None),
    ("From: Karriere <karriere@x.example>\r\nSubject: Ihre Bewerbung bei Rheinwerk Systems",
     "Danke.", "Rheinwerk Systems"),
    ("From: HR Department <hr@northwind.example>\r\nSubject: x", "Thanks.", "Northwind"),
    ("From: Service Recrutement <recrutement@transports-durand.example>\r\nSubject: x",
     "Merci.", "Transports-Durand"),
    ("From: Jane <jane@example.com>\r\nSubject: x", "Thanks.", None),
    ("From: Emily <emily@webfx.example>\r\nSubject: Quick call",
     "Thanks for your interest in the Marketing department at WebFX!", "WebFX"),
    ("From: Sam <sam@acme.example>\r\nSubject: Welcome", "Welcome to the Lumen Labs team!",
     "Lumen Labs"),
    # an agency acts for the employer and is never the employer
    ("From: Tom Hale <tom@northline-talent.example>\r\nSubject: A role for you",
     "I am recruiting for a client in energy.", None),
    # an assessment vendor signing its own name writes for the employer the text names
    ("From: Codetestly <no-reply@codetestly.example>\r\nSubject: Your assessment",
     "Hello Sam,\n\nAshgrove Analytics has invited you to complete an assessment.",
     "Ashgrove Analytics"),
    ("From: Skillcheck <noreply@skillcheck.example>\r\nSubject: Test",
     "We send this on behalf of Brackenfield Insurance.", "Brackenfield Insurance"),
])
def test_company(headers, body, expected):
    assert company(mail(headers, body)) == expected


@pytest.mark.parametrize(("subject", "body", expected := "expected"), [
    ("Your application for the Senior Backend Engineer position", "", "Senior Backend Engineer"),
    ("Application update - Financial Controller", "", "Financial Controller"),
    ("Interview - Data Analyst", "", "Data Analyst"),
    ("Update", "Position: Mobile Developer (iOS)\nRequisition: R1", "Mobile Developer (iOS)"),
    ("Ihre Bewerbung als Werkstudent Softwareentwicklung", "", "Werkstudent Softwareentwicklung"),
    ("Votre candidature", "Merci pour votre candidature au poste de Chargé de projet.",
     "Chargé de projet"),
    ("Thanks", "Thank you for your time last week.", None),
    # the signature says who writes, not the job; a sentence's piece is no title
    ("Next steps", "Could we talk on Monday?\n\nBest,\nAnand Rao\nLead Analytics Engineer\n",
     None),
    ("Next steps", "Great to meet you, said our Head of Digital at the fair.", None),
    ("REQ-30219 Customer Insight Analyst", "", "Customer Insight Analyst"),
])
def test_role(subject, body, expected):
    assert role(mail(f"From: a@b.example\r\nSubject: {subject}", body)) == expected


def test_same_name_is_lenient_about_suffixes_and_short_forms():
    assert same_name("Halcyon", "Halcyon Games")
    assert same_name("Nordlicht GmbH", "nordlicht")
    assert not same_name("Halcyon Games", "Games")
    assert not same_name("", "x")


TEAM = "From: Acme Recruiting <recruiting@acme.example>\r\nSubject: Your application"


@pytest.mark.parametrize(("headers", "body", "expected"), [
    # a person signs a team mailbox's mail: name and title on one line
    (TEAM, REJECTION + "Kind regards,\nMaria Lopez | Talent Partner\n",
     ("Maria Lopez", "recruiting@acme.example")),
    (TEAM, REJECTION + "Best wishes, Tom Baker, Senior Recruiter\n",
     ("Tom Baker", "recruiting@acme.example")),
    # no sign-off, a name over a job title
    (TEAM, REJECTION + "Maria Lopez\nTalent Acquisition Partner\nAcme Ltd\n",
     ("Maria Lopez", "recruiting@acme.example")),
    # the mail names the contact to reply to
    ("From: Personal <bewerbung@firma.example>\r\nSubject: Ihre Bewerbung",
     "Sehr geehrter Herr Weber,\n\nleider müssen wir Ihnen absagen.\n\nIhre Ansprechpartnerin: "
     "Frau Katrin Vogel\nPersonalabteilung\n", ("Katrin Vogel", "bewerbung@firma.example")),
    # a no-reply sender whose Reply-To is a person
    ("From: Acme <noreply@acme.example>\r\nReply-To: Jo Park <jo.park@acme.example>\r\n"
     "Subject: x", REJECTION + "Jo\n", ("Jo Park", "jo.park@acme.example")),
    # ... and the other direction: nobody to reply to
    (TEAM, REJECTION + "Best regards,\nThe Recruiting Team\nAcme\n", None),
    (TEAM, REJECTION + "Acme Corporation\nHuman Resources Department\n", None),
    ("From: Acme Careers <careers@acme.example>\r\nSubject: x", REJECTION + "Acme Careers\n",
     None),
    (TEAM, REJECTION + "This mailbox is not monitored.\nKind regards,\nMaria Lopez\n", None),
    ("From: Acme <no-reply@acme.example>\r\nSubject: x",
     REJECTION + "Kind regards,\nMaria Lopez | Talent Partner\n", None),
    ("From: Tramontana Empleo <no-responder@empleo.tramontana.example>\r\nSubject: x",
     "Lamentamos comunicarte que tu perfil no ha sido seleccionado.\n\nAtentamente,\n"
     "Departamento de Personas\n", None),
    ("From: Tarrant Group <tarrantgroup@careers.example>\r\nSubject: x",
     REJECTION + "Sincerely,\nTarrant Group Talent Acquisition\n\nPlease do not reply to this "
     "message.\n", None),
    ("From: Saltmarsh Coffee Roasters <saltmarsh@saltmarsh.example>\r\nSubject: x",
     REJECTION + "Warmly,\nThe Hiring Team at Saltmarsh\n", None),
    # a recruiter who pasted a template's footer is still read
    ("From: Jane Doe <jane.doe@acme.example>\r\nSubject: x",
     REJECTION + "Best,\nJane\n\nPlease do not reply to this automated email.\n",
     ("Jane Doe", "jane.doe@acme.example")),
])
def test_human_contact_of_team_mailboxes_and_relays(headers, body, expected):
    contact = human_contact(mail(headers, body))
    assert (contact.name, contact.email) == expected if expected else contact is None


def test_a_signature_without_sign_off_is_the_name_closest_to_the_end():
    founder = ("Hi Robin,\n\nJonas here, one of the two founders. We will pass.\n\n"
               "Jonas Aalto\nCo-founder, Wrenfield\n")
    assert signature_name(founder) == "Jonas Aalto"  # not the greeting over a line on founders
    assert signature_name("Hi Robin, sorry, not this time.\nAoife Brannigan, People Team, "
                          "Tessellate\n") == "Aoife Brannigan"
    assert signature_name("Sorry, not this time.\nAcme Group\nHuman Resources\n") is None


@pytest.mark.parametrize(("headers", "body", "expected"), [
    # a person signs for the team, after a line that is not a name
    (TEAM, REJECTION + "Mit freundlichen Grüßen\ni. A. Camille Kowalski\nPersonalabteilung\n",
     ("Camille Kowalski", "recruiting@acme.example")),
    (TEAM, REJECTION + "Freundliche Grüße\nIhr Recruiting-Team\nDavid Kaur\nAcme | x@y\n",
     ("David Kaur", "recruiting@acme.example")),
    (TEAM, REJECTION + "Bien à vous,\nPour le service Recrutement,\nDavid Hughes\nAcme\n",
     ("David Hughes", "recruiting@acme.example")),
    # a name under a department line, and over one
    (TEAM, REJECTION + "Le service des ressources humaines\nLukas Martin\nAcme\n",
     ("Lukas Martin", "recruiting@acme.example")),
    (TEAM, REJECTION + "Reciba un cordial saludo,\n\nLucía Ortega\nDepartamento de Selección\n",
     ("Lucía Ortega", "recruiting@acme.example")),
    # ... and nobody: a proxy line with no name, a job title, a sentence, the employer itself
    (TEAM, REJECTION + "Mit freundlichen Grüßen\nIm Auftrag\nPersonal- und Organisationsamt\n",
     None),
    (TEAM, REJECTION + "Kind regards,\nProgramme Coordinator\n", None),
    (TEAM, REJECTION + "Kind regards,\nThe Recruitment Team\nAcme\n", None),
    ("From: Nimbus Recruitment <recruitment@nimbus.example>\r\nSubject: x",
     REJECTION + "Kind regards,\nThe Recruitment Team\nNimbus Robotics\n", None),
    ("From: Ironbridge Capital \u2013 Personalservice <bewerbung@ironbridgecapital.example>\r\n"
     "Subject: x", REJECTION + "Im Auftrag\nPersonalservice\n\nDieses Schreiben wurde "
     "maschinell erstellt und ist ohne Unterschrift gültig.\n", None),
    # role mailboxes whose local part is a compound, and an employer's own prefixed mailbox
    ("From: Quarry Graduate Recruitment <graduates@quarry.example>\r\nSubject: x",
     REJECTION + "With gratitude,\nQuarry Early Careers\n", None),
    ("From: Redwood <pilotrecruitment@redwood.example>\r\nSubject: x", REJECTION, None),
    ("From: Indeed Apply <indeedapply@indeed.example>\r\nSubject: x",
     REJECTION + "Application status update\n", None),
    ("From: Computrabajo <notificaciones@computrabajo.example>\r\nSubject: x", REJECTION, None),
    # a person's own mailbox is still one, whatever their name hides ("christoph" holds "hr")
    ("From: Christoph Hrabal <christoph.hrabal@acme.example>\r\nSubject: x",
     REJECTION + "Viele Grüße\nChristoph\n", ("Christoph Hrabal", "christoph.hrabal@acme.example")),
])
def test_human_contact_behind_proxy_lines_departments_and_role_mailboxes(headers, body, expected):
    contact = human_contact(mail(headers, body))
    assert (contact.name, contact.email) == expected if expected else contact is None
