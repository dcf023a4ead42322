"""Emails after the invitation: changes, cancellation, unsubscribing, and the owner's receipt."""

import re

import pytest
from icalendar import Calendar
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Invitee
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import form_version
from tests.helpers.html import text_of as text

UNSUBSCRIBE = re.compile(r"http://localhost(/events/\w{6}/unsubscribe/[\w.-]+)")


def calendar_event(received):
    """The VEVENT of the message's .ics attachment, and the calendar's METHOD."""
    (attachment,) = received.message.iter_attachments()
    calendar = Calendar.from_ical(attachment.get_content())
    return calendar["METHOD"], calendar.walk("VEVENT")[0]


def edit_now(browser: Browser, slug: str, **overrides) -> dict:
    """The edit form at the version it opens with now, telling invitees, with overrides."""
    version = form_version(browser.get(f"/events/{slug}/edit").get_data(as_text=True))
    return edit_fields(version, notify="y", **overrides)


@pytest.fixture
def owner(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def slug(owner, create_event_as, mail_server) -> str:
    """An event sent to Ana and Ben; the server then forgets those two emails."""
    slug = create_event_as(owner)
    data = {"addresses": "ana@example.org ben@example.org"}
    assert owner.post(f"/events/{slug}/invite", data=data).status_code == 303
    mail_server.reset()
    return slug


def test_the_edit_form_offers_to_tell_invitees_checked(owner, slug, create_event_as):
    form = owner.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked[^>]*name="notify"', form)
    assert "the 2 people invited by email get the new details" in form

    uninvited = create_event_as(owner)
    assert 'name="notify"' not in owner.get(f"/events/{uninvited}/edit").get_data(as_text=True)
    assert 'name="notify"' not in owner.get(f"/events/{uninvited}/delete").get_data(as_text=True)
    owner.post(f"/events/{uninvited}/invite", data={"addresses": "ana@example.org"})
    one = owner.get(f"/events/{uninvited}/delete").get_data(as_text=True)
    assert "The person invited by email gets a cancellation" in one


def test_a_new_time_is_emailed_with_the_next_sequence(owner, slug, mail_server):
    before = Calendar.from_ical(owner.get(f"/events/{slug}.ics").data).walk("VEVENT")[0]

    response = owner.post(f"/events/{slug}/edit", data=edit_now(owner, slug, time="21:00"))

    assert response.status_code == 303
    assert "The change is on its way to 2 addresses." in text(owner.get(f"/events/{slug}"))
    assert sorted(m.rcpt_tos[0] for m in mail_server.messages) == [
        "ana@example.org",
        "ben@example.org",
    ]
    received = mail_server.to("ana@example.org")[0]
    assert (
        received.message["Subject"].strip()
        == "Changed: Board games at Ana's, Saturday 12 December 2054"
    )
    plain = received.message.get_body(("plain",)).get_content()
    assert "When: now Saturday 12 December 2054, 21:00 (Europe/Paris, UTC+01:00)" in plain
    assert "(was Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00))" in plain
    assert "21:00" in received.message.get_body(("html",)).get_content()
    method, vevent = calendar_event(received)
    assert method == "PUBLISH"
    assert vevent["UID"] == before["UID"]
    assert vevent["SEQUENCE"] == before["SEQUENCE"] + 1
    assert vevent.decoded("DTSTART").strftime("%H:%M") == "21:00"


@pytest.mark.parametrize(
    "change",
    [{"title": "Board games, moved"}, {"location": "Chez Ben"}, {"date": "2054-12-13"}],
    ids=["title", "place", "date"],
)
def test_each_change_that_matters_is_emailed(owner, slug, mail_server, change):
    assert (
        owner.post(f"/events/{slug}/edit", data=edit_now(owner, slug, **change)).status_code == 303
    )
    assert len(mail_server.messages) == 2


def test_no_email_without_the_box_or_for_a_new_description(owner, slug, mail_server):
    unticked = edit_now(owner, slug, time="21:00")
    del unticked["notify"]
    assert owner.post(f"/events/{slug}/edit", data=unticked).status_code == 303
    described = edit_now(owner, slug, time="21:00", description="New words")
    assert owner.post(f"/events/{slug}/edit", data=described).status_code == 303

    assert mail_server.messages == []
    assert "The change was sent" not in text(owner.get(f"/events/{slug}"))


def test_deleting_sends_a_cancellation_calendars_act_on(owner, slug, mail_server):
    uid = Calendar.from_ical(owner.get(f"/events/{slug}.ics").data).walk("VEVENT")[0]["UID"]
    form = owner.get(f"/events/{slug}/delete").get_data(as_text=True)
    assert re.search(r'<input [^>]*checked[^>]*name="notify"', form)

    response = owner.post(f"/events/{slug}/delete", data={"notify": "y"})

    assert response.status_code == 303
    assert "The cancellation is on its way to 2 addresses." in text(owner.get("/"))
    received = mail_server.to("ben@example.org")[0]
    assert (
        received.message["Subject"].strip()
        == "Cancelled: Board games at Ana's, Saturday 12 December 2054"
    )
    assert "is cancelled" in received.message.get_body(("plain",)).get_content()
    method, vevent = calendar_event(received)
    assert method == "CANCEL"
    assert vevent["STATUS"] == "CANCELLED"
    assert vevent["UID"] == uid


def test_deleting_without_the_box_sends_nothing(owner, slug, mail_server):
    assert owner.post(f"/events/{slug}/delete").status_code == 303
    assert mail_server.messages == []


def unsubscribe_path(received) -> str:
    link = UNSUBSCRIBE.search(received.message.get_body(("plain",)).get_content()).group(1)
    header = received.message["List-Unsubscribe"].strip()
    assert header == f"<http://localhost{link}>"
    assert received.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    return link


def test_an_unsubscribed_address_is_never_emailed_about_the_event_again(
    owner, slug, mail_server, mail_app
):
    owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
    link = unsubscribe_path(mail_server.to("ana@example.org")[0])
    mail_server.reset()
    ana = Browser(mail_app.test_client())

    page = ana.get(link)
    assert page.status_code == 200
    assert "ana@example.org will get no more emails about this event" in text(page)
    assert mail_server.messages == []  # opening the link changes nothing
    assert ana.post(link).status_code == 200

    again = owner.post(f"/events/{slug}/invite", data={"addresses": "ANA@example.org"})
    assert again.status_code == 303
    assert "Not sent to ANA@example.org: they asked for no more emails" in text(
        owner.get(f"/events/{slug}/invite")
    )
    owner.post(f"/events/{slug}/edit", data=edit_now(owner, slug, time="21:00"))
    owner.post(f"/events/{slug}/delete", data={"notify": "y"})
    assert [m.rcpt_tos for m in mail_server.messages] == [["ben@example.org"]] * 2


def test_a_mail_app_can_unsubscribe_in_one_click(owner, slug, mail_server, mail_app):
    owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
    link = unsubscribe_path(mail_server.to("ana@example.org")[0])
    client = mail_app.test_client()  # no cookie, no CSRF token: a mail provider's request

    assert client.post(link).status_code == 400  # a plain POST still needs the page's token
    assert client.post(link, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    page = text(client.get(link))
    assert "ana@example.org already gets no more emails about this event." in page


def test_an_unsubscribe_link_works_only_for_its_own_event(
    owner, slug, mail_server, mail_app, create_event_as
):
    owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
    link = unsubscribe_path(mail_server.to("ana@example.org")[0])
    other = create_event_as(owner)
    token = link.rsplit("/", 1)[1]
    client = mail_app.test_client()

    assert client.get(f"/events/{other}/unsubscribe/{token}").status_code == 404
    assert client.get(f"{link}x").status_code == 404
    assert client.get(f"/events/{slug}/unsubscribe/MTIzNDU.forged").status_code == 404
    assert client.get(f"/events/{slug}/unsubscribe/bm90IGFuIGlk").status_code == 404


def test_the_owner_receipt_has_the_link_and_never_the_password(mail_app, mail_server, load_event):
    owner = Browser(mail_app.test_client())
    form = owner.get("/create").get_data(as_text=True)
    assert re.search(r'<input [^>]*id="owner_email"[^>]*type="email"', form)

    response = owner.post("/create", data=event_form(owner_email="  Me@Example.ORG "))

    assert response.status_code == 303
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert load_event(slug).owner_email == "Me@example.org"
    page = text(owner.get(f"/events/{slug}"))
    assert "A receipt with the link is on its way to Me@example.org." in page
    (received,) = mail_server.messages
    assert received.rcpt_tos == ["Me@example.org"]
    assert received.message["Subject"].strip() == "Your event: Board games at Ana's"
    for part in (received.message.get_body((kind,)).get_content() for kind in ("plain", "html")):
        assert f"http://localhost/events/{slug}" in part
        assert f"http://localhost/events/{slug}/edit" in part
        assert PASSWORD not in part
    assert "Me@example.org" not in Browser(mail_app.test_client()).get(f"/events/{slug}").text
    assert "Me@example.org" not in owner.get(f"/events/{slug}/edit").text


def test_a_bad_owner_email_is_refused_with_the_form_kept(mail_app, mail_server):
    owner = Browser(mail_app.test_client())

    response = owner.post("/create", data=event_form(owner_email="me@example"))

    assert response.status_code == 400
    page = text(response)
    assert "“me@example” is not an email address" in page
    assert 'value="me@example"' in page
    assert mail_server.messages == []


def test_no_receipt_without_an_owner_email(mail_app, mail_server, load_event):
    owner = Browser(mail_app.test_client())
    response = owner.post("/create", data=event_form())
    assert response.status_code == 303
    assert load_event(response.headers["Location"].rsplit("/", 1)[1]).owner_email is None
    assert mail_server.messages == []


def test_unsubscribing_twice_keeps_the_first_time(owner, slug, mail_server, mail_app):
    owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
    link = unsubscribe_path(mail_server.to("ana@example.org")[0])
    client = mail_app.test_client()
    one_click = {"List-Unsubscribe": "One-Click"}

    def unsubscribed_at():
        with mail_app.app_context():
            query = select(Invitee.unsubscribed_at).where(Invitee.address == "ana@example.org")
            return db.session.scalar(query)

    assert client.post(link, data=one_click).status_code == 200
    first = unsubscribed_at()
    assert client.post(link, data=one_click).status_code == 200
    assert unsubscribed_at() == first is not None


@pytest.mark.parametrize("page", ["edit", "delete"])
def test_only_owner_access_sees_how_many_were_invited(mail_app, owner, slug, page):
    friend = Browser(mail_app.test_client())
    seen = text(friend.get(f"/events/{slug}/{page}"))
    assert "2 people invited" not in seen
    assert "nyone invited by email gets" in seen  # the box is there, without a number
    assert "2 people invited by email get" in text(owner.get(f"/events/{slug}/{page}"))


def test_the_password_alone_can_still_tell_invitees(mail_app, slug, mail_server):
    friend = Browser(mail_app.test_client())
    data = edit_now(friend, slug, time="21:00", password=PASSWORD)
    assert friend.post(f"/events/{slug}/edit", data=data).status_code == 303
    assert len(mail_server.to("ana@example.org")) == 1
