"""Inviting friends by email, read back from a real SMTP server on 127.0.0.1."""

import re
from datetime import timedelta
from html import unescape

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy import update

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Invitee
from skedjit.models import utcnow
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.html import html_of as text
from tests.helpers.html import textarea

NOTE = "Come early!\nThere will be cake <3"
LIST_UNSUBSCRIBE = re.compile(r"^<(http://localhost/events/\w{6}/unsubscribe/[\w.-]+)>$")


def subject(received) -> str:
    """The Subject as a mail app shows it (the space a folded header starts with dropped)."""
    return received.message["Subject"].strip()


def invitees(app, slug: str) -> dict[str, Invitee]:
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        rows = db.session.scalars(select(Invitee).where(Invitee.event_id == event_id)).all()
        return {row.address: row for row in rows}


def counted(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Event.invites_counted).where(Event.slug == slug))


@pytest.fixture
def owner(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def slug(owner, create_event_as) -> str:
    return create_event_as(owner)


def invite(browser: Browser, slug: str, addresses: str, **fields):
    return browser.post(f"/events/{slug}/invite", data={"addresses": addresses, **fields})


def test_each_address_gets_one_email(owner, slug, mail_server, mail_app):
    response = invite(owner, slug, "ana@example.org, Ben <ben@example.org>\nANA@Example.org")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{slug}/invite"
    assert sorted(m.rcpt_tos for m in mail_server.messages) == [
        ["ana@example.org"],
        ["ben@example.org"],
    ]
    page = text(owner.get(f"/events/{slug}/invite"))
    assert "Invitation on its way to 2 addresses." in page
    assert set(invitees(mail_app, slug)) == {"ana@example.org", "ben@example.org"}


def test_the_email_has_the_event_in_both_parts_and_as_a_calendar(owner, slug, mail_server):
    assert invite(owner, slug, "ana@example.org", note=NOTE).status_code == 303

    (received,) = mail_server.to("ana@example.org")
    message = received.message
    assert message["From"] == "Skedjit <events@example.org>"
    assert message["To"] == "ana@example.org"
    assert subject(received) == "Invitation: Board games at Ana's, Saturday 12 December 2054"
    plain = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (plain, unescape(html)):
        assert "Board games at Ana's" in part
        assert "Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00)" in part
        assert "12 Rue de la Paix, Paris" in part
        assert "Bring snacks.\nWe start on time." in part
        assert f"http://localhost/events/{slug}" in part
    assert "> Come early!\n> There will be cake <3" in plain
    assert "There will be cake &lt;3" in html  # plain text, escaped
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "board-games-at-anas.ics"
    emailed = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    download = Calendar.from_ical(owner.get(f"/events/{slug}.ics").data).walk("VEVENT")[0]
    for name in ("UID", "SUMMARY", "DTSTART", "DTEND", "LOCATION", "SEQUENCE", "URL"):
        assert emailed[name] == download[name], name


def test_a_friend_needs_the_password(mail_app, slug, mail_server):
    friend = Browser(mail_app.test_client())
    form = text(friend.get(f"/events/{slug}/invite"))
    assert 'name="password"' in form
    assert "Invited so far" not in form  # the list is the owner's

    no_password = invite(friend, slug, "ana@example.org")
    wrong = invite(friend, slug, "ana@example.org", password="not the password")
    assert (no_password.status_code, wrong.status_code) == (400, 403)
    assert "That is not this event's password" in unescape(text(wrong))
    assert textarea(text(wrong), "addresses") == "ana@example.org"
    assert mail_server.messages == []
    assert invitees(mail_app, slug) == {}

    assert invite(friend, slug, "ana@example.org", password=PASSWORD).status_code == 303
    assert [m.rcpt_tos for m in mail_server.messages] == [["ana@example.org"]]
    assert "ana@example.org" in text(friend.get(f"/events/{slug}/invite"))  # now the owner


def test_each_bad_address_is_named_and_nothing_is_sent(owner, slug, mail_server, mail_app):
    typed = "ana@example.org, ben@, carl@example.org\nnot an address"
    response = invite(owner, slug, typed, note=NOTE)

    assert response.status_code == 400
    page = unescape(text(response))
    assert "“ben@” is not an email address" in page
    assert "“not” is not an email address" in page
    assert "“address” is not an email address" in page
    assert "ana@example.org” is not" not in page
    assert textarea(text(response), "addresses") == typed
    assert textarea(text(response), "note") == NOTE
    assert mail_server.messages == []
    assert invitees(mail_app, slug) == {}


@pytest.mark.parametrize(
    ("addresses", "message"),
    [
        ("", "Enter at least one email address."),
        (" , ;\n", "Enter at least one email address."),
        (" ".join(f"f{n}@example.org" for n in range(21)), "at most 20 addresses at once"),
        ("jösé@example.org", "Internationalized characters before the @-sign"),
        ("ana@example.org\x00", "invisible control character (U+0000)"),
    ],
    ids=["empty", "only-separators", "21", "non-ascii-local-part", "nul"],
)
def test_refused_address_lists_say_why(owner, slug, mail_server, addresses, message):
    response = invite(owner, slug, addresses)

    assert response.status_code == 400
    assert message in unescape(text(response))
    assert mail_server.messages == []


def test_twenty_addresses_go_at_once_however_often_repeated(owner, slug, mail_server):
    addresses = [f"friend{n}@example.org" for n in range(20)]
    typed = "\n".join(addresses + [a.upper() for a in addresses])

    assert invite(owner, slug, typed).status_code == 303
    assert len(mail_server.messages) == 20


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * 501, "Keep the message to 500 characters or fewer."),
        ("Hi\x1b[31m", "invisible control character (U+001B)"),
    ],
    ids=["too-long", "escape"],
)
def test_the_note_is_short_plain_text(owner, slug, mail_server, note, message):
    response = invite(owner, slug, "ana@example.org", note=note)

    assert response.status_code == 400
    assert message in text(response)
    assert mail_server.messages == []


def test_a_note_of_500_characters_with_markup_arrives_as_text(owner, slug, mail_server):
    note = ("<b>hi</b> " * 50)[:500]
    assert invite(owner, slug, "ana@example.org", note=note).status_code == 303

    html = mail_server.messages[0].message.get_body(("html",)).get_content()
    assert "<b>" not in html
    assert "&lt;b&gt;hi&lt;/b&gt;" in html


def test_no_line_break_reaches_a_header(owner, mail_server, make_event):
    slug = make_event(title="Party\r\nBcc: evil@example.org\u2028X-Evil: 1")  # not via the form

    injected = invite(
        owner,
        slug,
        "ana@example.org\r\nBcc: evil@example.org",
        note="Hi\r\nBcc: evil@example.org\r\n\r\nbody",
        password=PASSWORD,
    )
    assert injected.status_code == 400
    assert mail_server.messages == []

    sent = invite(
        owner, slug, "ana@example.org", note="Hi\r\nBcc: evil@example.org", password=PASSWORD
    )
    assert sent.status_code == 303
    (received,) = mail_server.messages
    assert received.rcpt_tos == ["ana@example.org"]
    names = {name.lower() for name in received.message}
    assert not names & {"bcc", "x-evil"}
    assert (
        subject(received)
        == "Invitation: Party Bcc: evil@example.org X-Evil: 1, Friday 10 July 2054"
    )
    assert "> Bcc: evil@example.org" in received.message.get_body(("plain",)).get_content()


def test_fifty_invitations_a_day_per_event(owner, slug, mail_server, mail_app):
    batches = [[f"f{batch}-{n}@example.org" for n in range(20)] for batch in range(3)]
    assert invite(owner, slug, " ".join(batches[0])).status_code == 303
    assert invite(owner, slug, " ".join(batches[1])).status_code == 303

    over = invite(owner, slug, " ".join(batches[2]))
    assert over.status_code == 429
    assert 0 < int(over.headers["Retry-After"]) <= 24 * 3600
    assert "This event can send 10 more invitations today (50 a day), not 20." in text(over)
    assert "aria-invalid" not in text(over)  # the addresses are fine, the day is not
    assert textarea(text(over), "addresses") == " ".join(batches[2])
    assert len(mail_server.messages) == 40

    assert invite(owner, slug, " ".join(batches[2][:10])).status_code == 303
    spent = invite(owner, slug, "late@example.org")
    assert spent.status_code == 429
    assert "This event has sent its 50 invitations for today." in text(spent)
    assert len(mail_server.messages) == 50
    assert counted(mail_app, slug) == 50

    with mail_app.app_context():  # a day later
        db.session.execute(
            update(Event)
            .where(Event.slug == slug)
            .values(invites_counted_since=utcnow() - timedelta(days=1, seconds=1))
        )
        db.session.commit()
    assert invite(owner, slug, "late@example.org").status_code == 303
    assert counted(mail_app, slug) == 1


def test_the_allowance_is_per_event(owner, slug, create_event_as, mail_server):
    other = create_event_as(owner)
    for batch in range(2):
        addresses = " ".join(f"f{batch}-{n}@example.org" for n in range(20))
        assert invite(owner, slug, addresses).status_code == 303
    addresses = " ".join(f"g{n}@example.org" for n in range(20))
    assert invite(owner, other, addresses).status_code == 303


def test_the_owner_sees_each_invitee_and_how_the_last_email_went(owner, slug, mail_server):
    mail_server.refuse_recipient("ben@example.org", "550 5.1.1 No such user here")
    invite(owner, slug, "ana@example.org ben@example.org")

    page = text(owner.get(f"/events/{slug}/invite"))
    listing = page.split("Invited so far", 1)[1]
    assert re.search(
        r"ana@example.org</span>:\s+invited \w+day \d+ \w+ 20\d\d, last email sent", listing
    )
    assert re.search(r"ben@example.org</span>:\s+<span class=\"error\">email not sent", listing)
    assert "550 5.1.1 No such user here" in listing


def test_without_a_mail_server_email_is_hidden(app, browser, create_event_as, load_event):
    create = text(browser.get("/create"))
    assert 'name="owner_email"' not in create
    slug = create_event_as(browser, owner_email="owner@example.org")
    assert load_event(slug).owner_email is None

    page = text(browser.get(f"/events/{slug}"))
    assert "/invite" not in page
    assert browser.get(f"/events/{slug}/invite").status_code == 404
    assert invite(browser, slug, "ana@example.org").status_code == 404
    assert browser.get(f"/events/{slug}/unsubscribe/MQ.x").status_code == 404
    assert 'name="notify"' not in text(browser.get(f"/events/{slug}/edit"))


def test_long_lines_and_accents_arrive_whole(owner, mail_server, make_event):
    description = "Crème brûlée, " * 300  # 4200 characters on one line
    slug = make_event(title="Fête chez Zoë", description=description)

    assert invite(owner, slug, "ana@example.org", password=PASSWORD).status_code == 303

    (received,) = mail_server.messages
    assert max(len(line) for line in received.raw.split(b"\r\n")) <= 998
    assert description.strip() in received.message.get_body(("plain",)).get_content()
    assert description.strip() in unescape(received.message.get_body(("html",)).get_content())
    assert subject(received) == "Invitation: Fête chez Zoë, Friday 10 July 2054"
    (attachment,) = received.message.iter_attachments()
    assert attachment.get_filename() == "fête-chez-zoë.ics"


def test_turning_email_off_later_sends_nothing(owner, slug, mail_server, app):
    assert invite(owner, slug, "ana@example.org").status_code == 303
    mail_server.reset()
    browser = Browser(app.test_client())  # the same database, no mail server configured

    deleted = browser.post(f"/events/{slug}/delete", data={"password": PASSWORD, "notify": "y"})

    assert deleted.status_code == 303
    assert mail_server.messages == []


def test_wrong_passwords_on_the_invite_form_lock_out_the_address(mail_app, slug, mail_server):
    guesser = Browser(mail_app.test_client())
    for _attempt in range(5):
        assert invite(guesser, slug, "ana@example.org", password="guess").status_code == 403

    locked = invite(guesser, slug, "ana@example.org", password=PASSWORD)

    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert "Too many wrong passwords for this event from your address." in text(locked)
    assert textarea(text(locked), "addresses") == "ana@example.org"
    assert mail_server.messages == []


def test_inviting_again_moves_the_date_and_sends_again(owner, slug, mail_server, mail_app):
    invite(owner, slug, "ana@example.org ben@example.org")
    with mail_app.app_context():  # as if invited two days ago
        db.session.execute(update(Invitee).values(invited_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    before = {address: row.invited_at for address, row in invitees(mail_app, slug).items()}

    invite(owner, slug, "ana@example.org ben@example.org")

    after = invitees(mail_app, slug)
    assert len(after) == 2
    for address in ("ana@example.org", "ben@example.org"):
        assert after[address].invited_at > before[address]
        assert len(mail_server.to(address)) == 2
