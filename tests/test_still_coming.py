""" "Still coming?": after the plan moves, friends going or maybe are asked again on their page."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from skedjit.answers import service
from skedjit.events import service as events_service
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.browser import Browser
from tests.helpers.forms import answer
from tests.helpers.forms import edit_fields
from tests.helpers.html import form_version
from tests.helpers.html import page_text

ASKED = "The plan changed. Still coming?"
NOT_RECONFIRMED = "not reconfirmed since the change"
EDITED = datetime(2054, 3, 3, 9, 0, tzinfo=UTC)
ANSWER_FIELDS = {"name": "Ana", "response": "yes", "guests": 0, "note": ""}


@pytest.fixture
def moving(browser, create_event_as, clock):
    """An event `browser` owns, and a function that moves it (a day later each time)."""
    clock(EDITED - timedelta(days=1))
    slug = create_event_as(browser)
    edits = iter(range(1, 100))

    def move(**fields) -> None:
        version = next(edits)
        clock(EDITED + timedelta(days=version - 1))
        data = edit_fields(version, **(fields or {"time": f"{19 + version}:00"}))
        assert browser.post(f"/events/{slug}/edit", data=data).status_code == 303

    return slug, move


def page(browser, slug: str) -> str:
    return page_text(browser.get(f"/events/{slug}").get_data(as_text=True))


def still_coming_form(browser, slug: str) -> dict:
    """The hidden fields of the "Still coming?" form on the friend's page."""
    html = browser.get(f"/events/{slug}").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="still-coming".*?</form>', html, re.S)[0]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))


def say_again(friend, slug: str, response: str):
    """Tap one of the "Still coming?" buttons."""
    data = {**still_coming_form(friend, slug), "response": response}
    return friend.client.post(f"/events/{slug}/rsvp", data=data)


@pytest.mark.parametrize("response", ["yes", "maybe"])
def test_a_friend_going_or_maybe_is_asked_after_a_move(make_browser, moving, response):
    slug, move = moving
    friend = make_browser()
    assert answer(friend, slug, response=response).status_code == 303
    assert ASKED not in page(friend, slug)
    move()
    assert ASKED in page(friend, slug)


def test_a_friend_who_can_t_go_is_not_asked(make_browser, moving):
    slug, move = moving
    friend = make_browser()
    answer(friend, slug, response="no")
    move()
    assert ASKED not in page(friend, slug)


def test_a_friend_who_answered_after_the_move_is_not_asked(make_browser, moving):
    slug, move = moving
    move(location="Chez Marie")
    friend = make_browser()
    answer(friend, slug)
    assert ASKED not in page(friend, slug)


def test_a_friend_without_an_answer_and_the_shared_page_are_not_asked(app, moving):
    slug, move = moving
    move()
    assert ASKED not in app.test_client().get(f"/events/{slug}").get_data(as_text=True)


def test_still_going_keeps_the_answer_and_stops_the_question(app, make_browser, moving):
    slug, move = moving
    friend = make_browser()
    answer(friend, slug, guests="2", note="Bringing cake")
    move()
    fields = still_coming_form(friend, slug)
    assert fields == {"name": "Ana", "guests": "2", "note": "Bringing cake"}
    assert (
        friend.client.post(f"/events/{slug}/rsvp", data={**fields, "response": "yes"}).status_code
        == 303
    )
    assert ASKED not in page(friend, slug)
    with app.app_context():
        rsvp = db.session.scalars(select(Rsvp)).one()
        assert (rsvp.response, rsvp.guests, rsvp.note) == ("yes", 2, "Bringing cake")


def test_can_t_go_any_more_changes_the_answer(app, make_browser, moving):
    slug, move = moving
    friend = make_browser()
    answer(friend, slug)
    move()
    assert say_again(friend, slug, "no").status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Rsvp.response)).one() == "no"
    assert ASKED not in page(friend, slug)


def test_a_move_back_asks_nothing(make_browser, moving):
    slug, move = moving
    friend = make_browser()
    answer(friend, slug)
    move(time="20:00")
    move(time="19:30")
    assert ASKED not in page(friend, slug)


def test_the_private_link_asks_too_and_answers_for_its_answer(app, make_browser, moving):
    slug, move = moving
    friend = make_browser()
    sent = answer(friend, slug)
    link = friend.get(sent.headers["Location"]).get_data(as_text=True)
    change_path = re.search(rf"/events/{slug}/rsvp/[\w.-]+", link)[0]
    move()
    other_phone = make_browser()
    html = other_phone.get(change_path).get_data(as_text=True)
    assert ASKED in page_text(html)
    token = re.search(r'class="still-coming".*?name="token" value="([^"]+)"', html, re.S)[1]
    assert change_path.endswith(token)
    data = {"token": token, "name": "Ana", "guests": "0", "note": "", "response": "maybe"}
    assert other_phone.client.post(f"/events/{slug}/rsvp", data=data).status_code == 303
    with app.app_context():
        assert db.session.scalars(select(Rsvp.response)).one() == "maybe"
    assert ASKED not in page_text(other_phone.get(change_path).get_data(as_text=True))


def test_the_owner_sees_who_has_not_reconfirmed(browser, make_browser, moving):
    slug, move = moving
    ana, ben, chloe = make_browser(), make_browser(), make_browser()
    answer(ana, slug)
    answer(ben, slug, name="Ben", response="maybe")
    answer(chloe, slug, name="Chloé", response="no")
    move()
    ana.client.post(
        f"/events/{slug}/rsvp", data={**still_coming_form(ana, slug), "response": "yes"}
    )
    answers = page_text(browser.get(f"/events/{slug}/answers").get_data(as_text=True))
    assert "Ana : Going Remove" in answers
    assert f"Ben : Maybe ({NOT_RECONFIRMED})" in answers
    assert "Chloé : Can't go Remove" in answers
    assert answers.count(NOT_RECONFIRMED) == 1


def test_closed_answers_ask_nothing(browser, make_browser, moving):
    slug, move = moving
    friend = make_browser()
    answer(friend, slug)
    move()
    settings = {"rsvps_closed": "y", "capacity": "", "deadline_date": "", "deadline_time": ""}
    assert browser.post(f"/events/{slug}/answers", data=settings).status_code == 303
    assert ASKED not in page(friend, slug)


# -- By email: the change notice to a friend's confirmed address ---------------------

STILL_LINK = re.compile(r"- ([^:\n]+): http://localhost(/events/\w{6}/still-coming/[\w.-]+)")


@pytest.fixture
def emailed(mail_app, mail_server, create_event_as):
    """An event its owner moves, and Dee (going, her address confirmed) told of it."""
    owner, dee = Browser(mail_app.test_client()), Browser(mail_app.test_client())
    slug = create_event_as(owner)
    answer(dee, slug, name="Dee", remind="y", email="dee@example.org")
    (confirmation,) = mail_server.to("dee@example.org")
    confirm = re.search(r"http://localhost(/events/\w{6}/reminders/[\w.-]+)", plain(confirmation))
    assert dee.post(confirm[1]).status_code == 303
    mail_server.reset()
    return owner, dee, slug


def plain(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def notify(owner, slug: str, **fields) -> None:
    data = edit_fields(form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True)))
    data.update(notify="y", **fields)
    assert owner.post(f"/events/{slug}/edit", data=data).status_code == 303


def still_links(mail_server, address: str) -> dict[str, str]:
    (change,) = mail_server.to(address)
    return dict(STILL_LINK.findall(plain(change)))


def response_of(app) -> str:
    with app.app_context():
        response = db.session.scalars(select(Rsvp.response)).one()
        db.session.remove()
    return response


def test_the_change_email_asks_with_one_tap_links(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    notify(owner, slug, location="Chez Marie")
    (change,) = mail_server.to("dee@example.org")
    assert "The plan changed. Still coming?" in plain(change)
    assert list(still_links(mail_server, "dee@example.org")) == [
        "Still going",
        "Now maybe",
        "Can't go any more",
    ]
    html = change.message.get_body(("html",)).get_content()
    assert html.count("/still-coming/") == 3


def test_following_a_link_changes_nothing_until_its_button(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    notify(owner, slug, time="21:00")
    link = still_links(mail_server, "dee@example.org")["Can't go any more"]
    scanner = Browser(mail_app.test_client())
    shown = scanner.get(link)
    assert shown.status_code == 200
    text = page_text(shown.get_data(as_text=True))
    assert "The answer of Dee becomes: Can't go any more" in text
    assert "Saturday 12 December 2054, 21:00" in text
    assert response_of(mail_app) == "yes"
    assert scanner.post(link).status_code == 303
    assert response_of(mail_app) == "no"
    answers = page_text(owner.get(f"/events/{slug}/answers").get_data(as_text=True))
    assert NOT_RECONFIRMED not in answers


def test_still_going_by_email_stops_the_question(mail_app, mail_server, emailed):
    owner, dee, slug = emailed
    notify(owner, slug, time="21:00")
    assert NOT_RECONFIRMED in owner.get(f"/events/{slug}/answers").get_data(as_text=True)
    link = still_links(mail_server, "dee@example.org")["Still going"]
    done = Browser(mail_app.test_client()).post(link)
    assert done.status_code == 303
    assert response_of(mail_app) == "yes"
    assert NOT_RECONFIRMED not in owner.get(f"/events/{slug}/answers").get_data(as_text=True)
    assert ASKED not in page(dee, slug)


def test_a_new_title_asks_nothing(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    notify(owner, slug, title="Games night")
    assert still_links(mail_server, "dee@example.org") == {}


def test_invited_friends_without_an_answer_of_their_own_get_no_links(
    mail_app, mail_server, emailed
):
    owner, _dee, slug = emailed
    assert (
        owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"}).status_code
        == 303
    )
    mail_server.reset()
    notify(owner, slug, time="21:00")
    assert still_links(mail_server, "ana@example.org") == {}
    assert len(still_links(mail_server, "dee@example.org")) == 3


@pytest.mark.parametrize("token", ["nonsense", "WzEsMF0.bad"])
def test_a_bad_link_is_a_404(mail_app, emailed, token):
    _owner, dee, slug = emailed
    assert dee.get(f"/events/{slug}/still-coming/{token}").status_code == 404
    assert dee.post(f"/events/{slug}/still-coming/{token}").status_code == 404


def test_a_link_for_an_answer_removed_since_is_a_404(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    notify(owner, slug, time="21:00")
    link = still_links(mail_server, "dee@example.org")["Still going"]
    with mail_app.app_context():
        rsvp_id = db.session.scalars(select(Rsvp.id)).one()
        db.session.remove()
    assert owner.post(f"/events/{slug}/answers/{rsvp_id}/remove").status_code == 303
    assert Browser(mail_app.test_client()).get(link).status_code == 404


def test_once_answers_close_the_link_changes_nothing(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    notify(owner, slug, time="21:00")
    link = still_links(mail_server, "dee@example.org")["Can't go any more"]
    settings = {"rsvps_closed": "y", "capacity": "", "deadline_date": "", "deadline_time": ""}
    assert owner.post(f"/events/{slug}/answers", data=settings).status_code == 303
    friend = Browser(mail_app.test_client())
    assert "Answers are closed" in friend.get(link).get_data(as_text=True)
    assert friend.post(link).status_code == 409
    assert response_of(mail_app) == "yes"


def test_an_old_link_does_not_act_on_a_newer_answer_with_the_same_id(
    mail_app, mail_server, emailed, create_event_as
):
    owner, _dee, slug = emailed
    notify(owner, slug, time="21:00")
    link = still_links(mail_server, "dee@example.org")["Can't go any more"]
    with mail_app.app_context():
        rsvp = db.session.scalars(select(Rsvp)).one()
        rsvp.token_hash = "0" * 64  # as a new answer given the same id would differ
        db.session.commit()
        db.session.remove()
    assert Browser(mail_app.test_client()).get(link).status_code == 404
    assert Browser(mail_app.test_client()).post(link).status_code == 404
    assert response_of(mail_app) == "yes"


def test_an_address_not_confirmed_gets_no_links(mail_app, mail_server, emailed):
    owner, _dee, slug = emailed
    data = {"addresses": "ana@example.org"}
    assert owner.post(f"/events/{slug}/invite", data=data).status_code == 303
    ben = Browser(mail_app.test_client())
    answer(ben, slug, name="Ben", remind="y", email="ana@example.org")  # Ana's, typed by Ben
    mail_server.reset()
    notify(owner, slug, time="21:00")
    assert still_links(mail_server, "ana@example.org") == {}


def test_saying_again_reads_the_answer_after_the_lock(app, make_event):
    slug = make_event()
    with app.app_context():
        event = events_service.find_event(slug)
        rsvp, _token, _told = service.answer(event, dict(ANSWER_FIELDS), None)
        stale = service.answer_of(event.id, rsvp.id)  # kept by the session, as a view keeps it
        with db.engine.connect() as other:  # meanwhile the friend brings two more
            other.execute(update(Rsvp).where(Rsvp.id == rsvp.id).values(guests=2))
            other.commit()
        again = service.say_again(event, stale.id, "maybe")
        assert (again.response, again.guests) == ("maybe", 2)
        db.session.remove()


def test_an_answer_to_an_event_deleted_meanwhile_is_a_404(app, make_event):
    slug = make_event()
    with app.app_context():
        event = events_service.find_event(slug)
        db.session.execute(delete(Event).where(Event.id == event.id))
        with pytest.raises(service.EventGoneError) as refused:
            service.answer(event, dict(ANSWER_FIELDS), None)
        assert refused.value.status == 404
        db.session.remove()
