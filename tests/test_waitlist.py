"""A waitlist that fills itself: a full event keeps "going" in turn, and freed places go
to the first waiting, in the transaction that freed them."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.apps import answers_of
from tests.helpers.browser import Browser
from tests.helpers.forms import answer
from tests.helpers.html import checked_response
from tests.helpers.html import field_error
from tests.helpers.html import html_of
from tests.helpers.html import page_text

FULL = "The event is full: join the waitlist, or answer maybe."
JOIN = '<button type="submit" name="waitlist" value="y"'
MOVED_UP = "A place freed up: you're going now. You were next on the waitlist."
CHANGE_LINK = re.compile(r'class="private-link">http://localhost(/events/\w+/rsvp/[\w-]+)</a>')


@pytest.fixture
def full(browser, create_event_as, make_browser):
    """An event `browser` owns, with one place that Ana has taken; its slug."""
    slug = create_event_as(browser)
    set_capacity(browser, slug, 1)
    assert answer(make_browser(), slug, name="Ana").status_code == 303
    return slug


def set_capacity(owner: Browser, slug: str, capacity: int | None) -> None:
    data = {"capacity": "" if capacity is None else str(capacity)}
    assert owner.post(f"/events/{slug}/answers", data=data).status_code == 303


def wait(friend: Browser, slug: str, name: str, **fields) -> None:
    """The friend answers going and joins the waitlist."""
    assert answer(friend, slug, name=name, waitlist="y", **fields).status_code == 303


def stored(app, slug: str) -> dict[str, tuple]:
    """Each answer's response, when it joined the waitlist and when it moved up, by name."""
    columns = (Rsvp.name, Rsvp.response, Rsvp.waiting_since, Rsvp.promoted_at)
    with app.app_context():
        query = select(*columns).join(Event).where(Event.slug == slug)
        return {name: tuple(rest) for name, *rest in db.session.execute(query)}


def responses(app, slug: str) -> dict[str, str]:
    return {name: response for name, response, *_ in answers_of(app, slug)}


def page(browser: Browser, slug: str) -> str:
    return page_text(browser.get(f"/events/{slug}").get_data(as_text=True))


def test_going_to_a_full_event_offers_the_waitlist_and_stores_nothing(app, full, make_browser):
    response = answer(make_browser(), full, name="Ben")
    assert response.status_code == 409
    html = html_of(response)
    assert FULL in field_error(html, "response")
    assert JOIN in html
    assert 'value="Ben"' in html  # the input is kept
    assert responses(app, full) == {"Ana": "yes"}


def test_a_friend_who_joins_waits_with_their_number(app, browser, full, make_browser):
    ben = make_browser()
    wait(ben, full, "Ben", guests="1")
    assert stored(app, full)["Ben"][0] == "wait"
    text = page(ben, full)
    assert "You are on the waitlist, number 1. When a place frees up, you move to going." in text
    assert checked_response(ben.get(f"/events/{full}").get_data(as_text=True)) == "yes"
    friend = page(make_browser(), full)
    assert "1 going · Full · 0 maybe · 0 can't go · 1 waiting" in friend
    assert "Waitlist (1) Ben +1" in friend
    owner = page_text(browser.get(f"/events/{full}/answers").get_data(as_text=True))
    assert "Ben : On the waitlist +1 (number 1)" in owner


def test_joining_while_places_are_free_is_going(app, browser, full, make_browser):
    set_capacity(browser, full, 2)
    wait(make_browser(), full, "Ben")
    assert stored(app, full)["Ben"] == ("yes", None, None)


def test_raising_the_capacity_moves_up_as_many_as_fit_in_turn(app, browser, full, make_browser):
    for name in ("Ben", "Cy", "Dee"):
        wait(make_browser(), full, name)
    set_capacity(browser, full, 3)
    assert responses(app, full) == {"Ana": "yes", "Ben": "yes", "Cy": "yes", "Dee": "wait"}
    assert stored(app, full)["Ben"][2] is not None  # moved up: told so
    set_capacity(browser, full, None)
    assert responses(app, full)["Dee"] == "yes"


def test_a_big_party_keeps_its_turn_and_nobody_jumps_it(app, browser, full, make_browser):
    wait(make_browser(), full, "Ben", guests="2")  # needs 3 places
    set_capacity(browser, full, 2)  # one place free: not enough for Ben
    assert responses(app, full) == {"Ana": "yes", "Ben": "wait"}
    cy = make_browser()
    response = answer(cy, full, name="Cy")  # a place is free, but Ben is first
    assert response.status_code == 409
    assert JOIN in html_of(response)
    wait(cy, full, "Cy")
    assert responses(app, full) == {"Ana": "yes", "Ben": "wait", "Cy": "wait"}
    set_capacity(browser, full, 4)
    assert responses(app, full) == {"Ana": "yes", "Ben": "yes", "Cy": "wait"}


def test_a_waiting_friend_keeps_their_turn_when_they_answer_again(app, full, make_browser):
    ben, cy = make_browser(), make_browser()
    wait(ben, full, "Ben")
    wait(cy, full, "Cy")
    since = stored(app, full)["Ben"][1]
    assert answer(ben, full, name="Ben", note="Any place will do").status_code == 303
    assert stored(app, full)["Ben"][:2] == ("wait", since)
    assert "number 1" in page(ben, full)
    assert "number 2" in page(cy, full)


def test_a_waiting_friend_who_answers_maybe_leaves_the_list(app, full, make_browser):
    ben, cy = make_browser(), make_browser()
    wait(ben, full, "Ben")
    wait(cy, full, "Cy")
    assert answer(ben, full, name="Ben", response="maybe").status_code == 303
    assert stored(app, full)["Ben"] == ("maybe", None, None)
    assert "number 1" in page(cy, full)


def test_a_waiting_party_that_shrinks_to_fit_moves_up(app, browser, full, make_browser):
    set_capacity(browser, full, 2)
    ben = make_browser()
    assert answer(ben, full, name="Ben", guests="1").status_code == 409
    wait(ben, full, "Ben", guests="1")
    assert answer(ben, full, name="Ben", guests="0").status_code == 303
    assert responses(app, full)["Ben"] == "yes"


def test_a_friend_who_said_maybe_may_join_the_waitlist(app, full, make_browser):
    zed = make_browser()
    answer(zed, full, name="Zed", response="maybe")
    wait(zed, full, "Zed", guests="3")
    assert responses(app, full)["Zed"] == "wait"


def test_going_past_the_places_left_never_moves_a_friend_to_the_waitlist(
    app, browser, create_event_as, make_browser
):
    slug = create_event_as(browser)
    set_capacity(browser, slug, 2)
    ana = make_browser()
    answer(ana, slug, name="Ana")
    response = answer(ana, slug, name="Ana", guests="3", waitlist="y")
    assert response.status_code == 409
    message = "Not enough places are left for that many extra people."
    assert message in field_error(html_of(response), "response")
    assert answers_of(app, slug) == [("Ana", "yes", 0, "")]


@pytest.mark.parametrize("how", ["withdrawal", "fewer-guests", "maybe", "owner-removes"])
def test_a_freed_place_goes_to_the_first_waiting(app, browser, create_event_as, make_browser, how):
    slug = create_event_as(browser)
    set_capacity(browser, slug, 2)
    ana = make_browser()
    answer(ana, slug, name="Ana", guests="1")
    ben, cy = make_browser(), make_browser()
    wait(ben, slug, "Ben")
    wait(cy, slug, "Cy")
    if how == "withdrawal":
        assert ana.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    elif how == "fewer-guests":
        assert answer(ana, slug, name="Ana", guests="0").status_code == 303
    elif how == "maybe":
        assert answer(ana, slug, name="Ana", response="maybe").status_code == 303
    else:
        with app.app_context():
            ana_id = db.session.scalar(select(Rsvp.id).where(Rsvp.name == "Ana"))
        assert browser.post(f"/events/{slug}/answers/{ana_id}/remove").status_code == 303
    expected = {"Ben": "yes", "Cy": "wait" if how == "fewer-guests" else "yes"}
    assert {name: responses(app, slug)[name] for name in ("Ben", "Cy")} == expected
    assert MOVED_UP in page(ben, slug)
    assert stored(app, slug)["Ben"][1] is None  # no longer waiting


def test_the_news_of_a_place_goes_once_the_friend_answers_again(app, browser, full, make_browser):
    ben = make_browser()
    wait(ben, full, "Ben")
    set_capacity(browser, full, 2)
    assert MOVED_UP in page(ben, full)
    assert answer(ben, full, name="Ben", note="See you!").status_code == 303
    assert MOVED_UP not in page(ben, full)
    assert stored(app, full)["Ben"] == ("yes", None, None)


def test_nobody_moves_up_once_the_event_has_passed(app, browser, full, make_browser, clock):
    ben = make_browser()
    wait(ben, full, "Ben")
    with app.app_context():
        ana_id = db.session.scalar(select(Rsvp.id).where(Rsvp.name == "Ana"))
        starts_at = db.session.scalar(select(Event.starts_at).where(Event.slug == full))
    clock(starts_at + timedelta(days=1))
    assert browser.post(f"/events/{full}/answers/{ana_id}/remove").status_code == 303
    assert responses(app, full) == {"Ben": "wait"}


def test_the_change_link_of_a_waiting_friend_shows_going_chosen(full, make_browser):
    ben = make_browser()
    wait(ben, full, "Ben")
    link = CHANGE_LINK.search(ben.get(f"/events/{full}").get_data(as_text=True))[1]
    html = ben.get(link).get_data(as_text=True)
    assert checked_response(html) == "yes"
    assert "You are on the waitlist, number 1." in page_text(html)


def test_a_friend_moved_up_with_a_confirmed_address_is_emailed(
    mail_app, mail_server, create_event_as
):
    owner, ana, ben = (Browser(mail_app.test_client()) for _ in range(3))
    slug = create_event_as(owner)
    set_capacity(owner, slug, 1)
    answer(ana, slug, name="Ana")
    wait(ben, slug, "Ben", remind="y", email="ben@example.org")
    (confirmation,) = mail_server.to("ben@example.org")
    body = confirmation.message.get_body(("plain",)).get_content()
    confirm = re.search(r"http://localhost(/events/\w{6}/reminders/[\w.-]+)", body)[1]
    assert ben.post(confirm).status_code == 303
    mail_server.reset()
    assert ana.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    (news,) = mail_server.to("ben@example.org")
    assert news.message["Subject"].startswith("You're going: Board games at Ana's, ")
    text = news.message.get_body(("plain",)).get_content()
    assert "A place freed up: you're going to “Board games at Ana's”." in text
    assert mail_server.to("ana@example.org") == []


def test_nobody_moves_up_once_the_event_is_called_off(app, browser, full, make_browser):
    ben = make_browser()
    wait(ben, full, "Ben")
    minimum = {"min_going": "1", "decide_date": "2054-12-11", "decide_time": "18:00"}
    assert browser.post(f"/events/{full}/minimum", data=minimum).status_code == 303
    assert browser.post(f"/events/{full}/minimum/off").status_code == 303
    with app.app_context():
        ana_id = db.session.scalar(select(Rsvp.id).where(Rsvp.name == "Ana"))
    assert browser.post(f"/events/{full}/answers/{ana_id}/remove").status_code == 303
    assert responses(app, full) == {"Ben": "wait"}
    link = CHANGE_LINK.search(ben.get(f"/events/{full}").get_data(as_text=True))[1]
    for shown in (page(ben, full), page_text(ben.get(link).get_data(as_text=True))):
        assert "You are on the waitlist, number 1." in shown
        assert "When a place frees up" not in shown
    changing = page_text(ben.get(link).get_data(as_text=True))
    assert "This event was called off, so your answer stays as it is." in changing
    bringing = page_text(ben.get(f"{link}/bring").get_data(as_text=True))
    assert "This event was called off, so what friends bring stays as it is." in bringing


def test_a_party_refused_for_want_of_places_is_offered_the_waitlist(
    app, browser, full, make_browser
):
    set_capacity(browser, full, 2)
    ben = make_browser()
    response = answer(ben, full, name="Ben", guests="2")
    assert response.status_code == 409
    assert JOIN in html_of(response)
    wait(ben, full, "Ben", guests="2")
    assert responses(app, full)["Ben"] == "wait"


def test_places_left_go_to_the_waitlist_first(app, browser, full, make_browser):
    wait(make_browser(), full, "Ben", guests="2")
    set_capacity(browser, full, 2)  # one place free, Ben needs three
    response = answer(make_browser(), full, name="Cy")
    message = "The places left go to the waitlist first: join it, or answer maybe."
    assert message in field_error(html_of(response), "response")


def test_a_friend_going_brings_no_one_more_while_others_wait(app, browser, make_browser, full):
    set_capacity(browser, full, 3)
    ana = Browser(make_browser().client)
    answer(ana, full, name="Eve")  # two going of three
    wait(make_browser(), full, "Ben", guests="1")  # needs two: waits
    response = answer(ana, full, name="Eve", guests="1")
    assert response.status_code == 409
    assert responses(app, full) == {"Ana": "yes", "Eve": "yes", "Ben": "wait"}


def test_the_waitlist_stays_still_while_answers_are_closed(app, browser, full, make_browser):
    ben = make_browser()
    wait(ben, full, "Ben")
    closed = {"capacity": "1", "rsvps_closed": "y"}
    assert browser.post(f"/events/{full}/answers", data=closed).status_code == 303
    with app.app_context():
        ana_id = db.session.scalar(select(Rsvp.id).where(Rsvp.name == "Ana"))
    assert browser.post(f"/events/{full}/answers/{ana_id}/remove").status_code == 303
    assert responses(app, full) == {"Ben": "wait"}
    assert "When a place frees up" not in page(ben, full)
    set_capacity(browser, full, 1)  # opened again
    assert responses(app, full) == {"Ben": "yes"}
