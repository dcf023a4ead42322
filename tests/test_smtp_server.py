"""The test SMTP server (tests/smtp.py) keeps, counts and refuses mail as the email tests expect."""

import smtplib
from email.message import EmailMessage

import pytest

from tests.helpers.smtp import MailServer

SENDER = "skedjit@example.org"
ICS = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def connect(server: MailServer) -> smtplib.SMTP:
    """A plain SMTP client connected to the server (its own name given: no DNS lookup)."""
    return smtplib.SMTP(server.host, server.port, local_hostname="client.test", timeout=10)


def message(to: str | list[str], subject: str = "Picnic") -> EmailMessage:
    """A short plain-text message from SENDER."""
    message = EmailMessage()
    message["From"] = SENDER
    message["To"] = to if isinstance(to, str) else ", ".join(to)
    message["Subject"] = subject
    message.set_content(f"{subject}: see you there.")
    return message


def test_keeps_a_message_with_two_parts_and_an_attachment(mail_server):
    sent = message(["ana@example.org", "Bo <bo@example.org>"], subject="Pique-nique à 10 h ☀")
    sent.add_alternative("<p>Pique-nique à <b>10 h</b></p>", subtype="html")
    sent.add_attachment(ICS, maintype="text", subtype="calendar", filename="pique-nique.ics")

    with connect(mail_server) as client:
        client.send_message(sent)

    [received] = mail_server.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ["ana@example.org", "bo@example.org"]
    assert received.message["Subject"] == "Pique-nique à 10 h ☀"
    assert received.message["To"] == "ana@example.org, Bo <bo@example.org>"
    assert (
        received.message.get_body(("plain",)).get_content()
        == "Pique-nique à 10 h ☀: see you there.\n"
    )
    assert (
        received.message.get_body(("html",)).get_content() == "<p>Pique-nique à <b>10 h</b></p>\n"
    )
    [attachment] = received.message.iter_attachments()
    assert attachment.get_filename() == "pique-nique.ics"
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_content().encode() == ICS
    assert received.raw.startswith(b"From: skedjit@example.org\r\nTo: ana@example.org, Bo <bo@")


def test_accepts_utf8_addresses(mail_server):
    with connect(mail_server) as client:
        client.send_message(message("zoë@example.org"))

    [received] = mail_server.messages
    assert received.rcpt_tos == ["zoë@example.org"]
    assert received.message["To"] == "zoë@example.org"


def test_one_connection_sending_two_messages_is_one_session(mail_server):
    with connect(mail_server) as client:
        client.send_message(message("ana@example.org", subject="First"))
        client.send_message(message("bo@example.org", subject="Second"))
    assert mail_server.sessions == 1
    assert [m.message["Subject"] for m in mail_server.messages] == ["First", "Second"]

    with connect(mail_server) as client:
        client.send_message(message("ana@example.org", subject="Third"))
    assert mail_server.sessions == 2


def test_greeting_twice_on_one_connection_is_one_session(mail_server):
    with connect(mail_server) as client:
        assert client.helo()[0] == 250
        assert client.ehlo()[0] == 250
    assert mail_server.sessions == 1


def test_messages_to_an_address_ignore_its_case(mail_server):
    with connect(mail_server) as client:
        client.send_message(message("Ana@Example.org", subject="For Ana"))
        client.send_message(message("bo@example.org", subject="For Bo"))

    assert [m.message["Subject"] for m in mail_server.to("ana@EXAMPLE.ORG")] == ["For Ana"]
    assert mail_server.to("cy@example.org") == []


@pytest.mark.parametrize(
    ("reply", "code", "text"),
    [
        ("550 5.1.1 No such user here", 550, b"5.1.1 No such user here"),
        ("450 4.2.1 Mailbox busy, try later", 450, b"4.2.1 Mailbox busy, try later"),
    ],
)
def test_a_refused_recipient_gets_the_reply(mail_server, reply, code, text):
    mail_server.refuse_recipient("Gone@Example.org", reply)

    with connect(mail_server) as client:
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            client.send_message(message("gone@example.org"))
        assert refused.value.recipients == {"gone@example.org": (code, text)}
        not_sent = client.send_message(message(["gone@example.org", "ana@example.org"]))

    assert not_sent == {"gone@example.org": (code, text)}
    [received] = mail_server.messages
    assert received.rcpt_tos == ["ana@example.org"]


def test_refused_data_gets_the_reply_and_keeps_nothing(mail_server):
    mail_server.refuse_data("554 5.6.0 Message rejected")

    with connect(mail_server) as client, pytest.raises(smtplib.SMTPDataError) as refused:
        client.send_message(message("ana@example.org"))

    assert (refused.value.smtp_code, refused.value.smtp_error) == (554, b"5.6.0 Message rejected")
    assert mail_server.messages == []
    assert mail_server.sessions == 1


def test_reset_forgets_messages_sessions_and_refusals(mail_server):
    with connect(mail_server) as client:
        client.send_message(message("ana@example.org"))
    mail_server.refuse_recipient("bo@example.org", "550 5.1.1 No such user here")
    mail_server.refuse_data("554 5.6.0 Message rejected")

    mail_server.reset()

    assert (mail_server.messages, mail_server.sessions) == ([], 0)
    with connect(mail_server) as client:
        client.send_message(message("bo@example.org"))
    assert [m.rcpt_tos for m in mail_server.messages] == [["bo@example.org"]]


@pytest.mark.parametrize("reply", ["250 OK", "550", "Mailbox busy", "550 5.1.1 No\r\nsuch user"])
def test_a_refusal_must_be_a_4xx_or_5xx_reply(mail_server, reply):
    with pytest.raises(ValueError, match="not a 4xx or 5xx SMTP reply"):
        mail_server.refuse_recipient("ana@example.org", reply)
    with pytest.raises(ValueError, match="not a 4xx or 5xx SMTP reply"):
        mail_server.refuse_data(reply)


def test_nothing_listens_on_the_closed_mail_port(closed_mail_port):
    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP("127.0.0.1", closed_mail_port, local_hostname="client.test", timeout=10)


def test_a_stopped_server_no_longer_listens():
    server = MailServer()
    with pytest.raises(RuntimeError, match="not running"):
        _ = server.port
    server.start()
    port = server.port
    server.stop()

    with pytest.raises(ConnectionRefusedError):
        smtplib.SMTP(server.host, port, local_hostname="client.test", timeout=10)
