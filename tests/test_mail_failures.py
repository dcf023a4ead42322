"""A mail server that is down or refuses: reported per address, nothing lost, retryable."""

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Invitee
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import text_of as text
from tests.helpers.html import textarea

NOTE = "See you there"


def stored(app, slug: str) -> tuple[int, dict[str, tuple]]:
    """The event's invitation count and each invitee's (last_send_ok, last_error)."""
    with app.app_context():
        event = db.session.scalars(select(Event).where(Event.slug == slug)).one()
        rows = db.session.scalars(select(Invitee).where(Invitee.event_id == event.id))
        return event.invites_counted, {r.address: (r.last_send_ok, r.last_error) for r in rows}


@pytest.fixture
def down_app(make_app, app, closed_mail_port):
    """The app with a mail server that refuses connections."""
    return make_app(**mail_settings("127.0.0.1", closed_mail_port))


def mail_settings(host: str, port: int) -> dict:
    return {"MAIL_SERVER": host, "MAIL_PORT": port, "MAIL_DEFAULT_SENDER": "events@example.org"}


def invite(browser: Browser, slug: str, addresses: str):
    data = {"addresses": addresses, "note": NOTE}
    return browser.post(f"/events/{slug}/invite", data=data)


def test_an_unreachable_server_fails_every_address_and_keeps_the_form(
    down_app, create_event_as, make_app, mail_server
):
    owner = Browser(down_app.test_client())
    slug = create_event_as(owner)

    response = invite(owner, slug, "ana@example.org, ben@example.org")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    page = text(response)
    assert "Some invitations were not sent" in page
    for address in ("ana@example.org", "ben@example.org"):
        assert f"Not sent to {address}: The mail server could not be reached" in page
    assert textarea(page, "addresses") == "ana@example.org\nben@example.org"
    assert textarea(page, "note") == NOTE
    counted, invitees = stored(down_app, slug)
    assert counted == 0  # the day's allowance is given back
    assert invitees == {
        "ana@example.org": (False, "The mail server could not be reached, so it was not sent."),
        "ben@example.org": (False, "The mail server could not be reached, so it was not sent."),
    }

    # The server is back: the same form, sent again, reaches both.
    up = make_app(**mail_settings(mail_server.host, mail_server.port))
    again = Browser(up.test_client())
    data = {"addresses": textarea(page, "addresses"), "note": NOTE, "password": "correct horse"}
    assert again.post(f"/events/{slug}/invite", data=data).status_code == 303
    assert sorted(m.rcpt_tos[0] for m in mail_server.messages) == [
        "ana@example.org",
        "ben@example.org",
    ]
    assert stored(up, slug) == (2, {"ana@example.org": (True, ""), "ben@example.org": (True, "")})


@pytest.mark.parametrize(
    ("reply", "sentence"),
    [
        (
            "550 5.1.1 No such user here",
            "The mail server refused it (550 5.1.1 No such user here). Check the address.",
        ),
        (
            "450 4.2.1 Mailbox busy, try later",
            "The mail server could not take it just now (450 4.2.1 Mailbox busy, try later). "
            "Try again later.",
        ),
    ],
    ids=["5xx", "4xx"],
)
def test_a_refused_recipient_fails_alone(mail_app, create_event_as, mail_server, reply, sentence):
    owner = Browser(mail_app.test_client())
    slug = create_event_as(owner)
    mail_server.refuse_recipient("ben@example.org", reply)

    response = invite(owner, slug, "ana@example.org ben@example.org carl@example.org")

    assert response.status_code == 503
    page = text(response)
    assert "Invitation sent to 2 addresses." in page
    assert f"Not sent to ben@example.org: {sentence}" in page
    assert textarea(page, "addresses") == "ben@example.org"
    assert [m.rcpt_tos for m in mail_server.messages] == [["ana@example.org"], ["carl@example.org"]]
    assert mail_server.sessions == 1
    counted, invitees = stored(mail_app, slug)
    assert counted == 2
    assert invitees["ben@example.org"] == (False, sentence)
    assert invitees["ana@example.org"] == (True, "")


def test_a_refused_message_fails_every_address(mail_app, create_event_as, mail_server):
    owner = Browser(mail_app.test_client())
    slug = create_event_as(owner)
    mail_server.refuse_data("554 5.6.0 Message rejected")

    response = invite(owner, slug, "ana@example.org ben@example.org")

    assert response.status_code == 503
    page = text(response)
    assert "Not sent to ana@example.org: The mail server refused it (554 5.6.0" in page
    assert "Not sent to ben@example.org: The mail server refused it (554 5.6.0" in page
    assert stored(mail_app, slug)[0] == 0


def test_a_receipt_that_fails_leaves_the_event_created(down_app, load_event):
    owner = Browser(down_app.test_client())

    response = owner.post("/create", data=event_form(owner_email="me@example.org"))

    assert response.status_code == 303
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert load_event(slug).owner_email == "me@example.org"
    page = text(owner.get(f"/events/{slug}"))
    assert "Your event is ready." in page
    assert (
        "The receipt could not be emailed to me@example.org: The mail server could not be reached"
        in page
    )


def test_change_notices_that_fail_are_reported_and_the_change_kept(
    mail_app, create_event_as, make_app, closed_mail_port, load_event, mail_server
):
    owner = Browser(mail_app.test_client())
    slug = create_event_as(owner)
    assert invite(owner, slug, "ana@example.org").status_code == 303
    down = Browser(make_app(**mail_settings("127.0.0.1", closed_mail_port)).test_client())
    data = edit_fields(password=PASSWORD, title="Moved", notify="y")

    response = down.post(f"/events/{slug}/edit", data=data)

    assert response.status_code == 303
    assert load_event(slug).title == "Moved"
    page = text(down.get(f"/events/{slug}"))
    assert "Your changes are saved." in page
    assert "Not sent to ana@example.org: The mail server could not be reached" in page
    assert stored(mail_app, slug)[1]["ana@example.org"][0] is False
