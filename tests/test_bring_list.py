"""The bring list: the owner's items, friends' claims on them, and what everyone sees."""

import re
import subprocess
import threading
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from skedjit.answers import service as answers
from skedjit.answers.service import lock_answers
from skedjit.bring_list import service
from skedjit.event_page import rows as event_rows
from skedjit.extensions import db
from skedjit.models import BringClaim
from skedjit.models import BringItem
from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.forms import answer
from tests.helpers.html import field_error
from tests.helpers.html import input_value
from tests.helpers.html import page_text
from tests.helpers.waiting import all_at_once
from tests.helpers.waiting import wait_until
from tests.helpers.waiting import warm

HINT = "Answer first, then you can say what you bring."
CHANGE_LINK = re.compile(r'class="private-link">http://localhost(/events/\w+/rsvp/[\w-]+)</a>')
BIGGER_THAN_64_BITS = 2**64


@pytest.fixture
def listed(browser, create_event_as):
    """An event `browser` owns, and a function that adds a thing to its bring list."""
    slug = create_event_as(browser)

    def add(text: str, quantity: str = "") -> int:
        response = browser.post(f"/events/{slug}/bring", data={"text": text, "quantity": quantity})
        assert response.status_code == 303, response.get_data(as_text=True)
        return item_ids(browser.client.application, slug)[-1]

    return slug, add


def item_ids(app, slug: str) -> list[int]:
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        query = select(BringItem.id).where(BringItem.event_id == event_id)
        return list(db.session.scalars(query.order_by(BringItem.position)))


def stored_claims(app) -> list[tuple[str, str, int]]:
    """(item, friend, quantity) of every claim, in order."""
    with app.app_context():
        query = (
            select(BringItem.text, Rsvp.name, BringClaim.quantity)
            .join(BringItem, BringItem.id == BringClaim.item_id)
            .join(Rsvp, Rsvp.id == BringClaim.rsvp_id)
            .order_by(BringItem.position, BringClaim.id)
        )
        return [tuple(row) for row in db.session.execute(query)]


def stored_items(app) -> list[tuple[str, int]]:
    with app.app_context():
        query = select(BringItem.text, BringItem.quantity).order_by(BringItem.position)
        return [tuple(row) for row in db.session.execute(query)]


def claim(friend, slug: str, item_id: int, quantity: str | None = None, **fields):
    data = {f"bring-{item_id}-{name}": value for name, value in fields.items()}
    if quantity is not None:
        data[f"bring-{item_id}-quantity"] = quantity
    return friend.client.post(f"/events/{slug}/bring/{item_id}/claim", data=data)


def release(friend, slug: str, item_id: int, **fields):
    data = {f"bring-{item_id}-{name}": value for name, value in fields.items()}
    return friend.client.post(f"/events/{slug}/bring/{item_id}/release", data=data)


def psql(database_url: str, statement: str) -> None:
    """Run a statement with the psql program, as a person at its prompt would."""
    url = make_url(database_url)
    command = ["psql", "-h", url.query["host"], "-U", url.username, "-d", url.database]
    subprocess.run([*command, "-v", "ON_ERROR_STOP=1", "-c", statement], check=True, timeout=30)


def page(browser, slug: str) -> str:
    return page_text(browser.get(f"/events/{slug}").get_data(as_text=True))


def answered(make_browser, slug: str, name: str = "Ana", **fields):
    friend = make_browser()
    assert answer(friend, slug, name=name, **fields).status_code == 303
    return friend


# The owner's list.


def test_the_owner_adds_things_with_and_without_a_quantity(app, browser, listed):
    slug, add = listed
    add("bottles of wine", "3")
    add("a board game")
    assert stored_items(app) == [("bottles of wine", 3), ("a board game", 1)]
    text = page_text(browser.get(f"/events/{slug}/bring").get_data(as_text=True))
    assert "bottles of wine × 3 · 3 of 3 still needed" in text
    assert "a board game · Still needed" in text


def test_the_owner_s_pages_lead_to_the_bring_list(browser, listed):
    slug, _add = listed
    browser.get(f"/events/{slug}")  # shows the "ready" message
    link = f'href="/events/{slug}/bring"'
    assert link in browser.get(f"/events/{slug}").get_data(as_text=True)
    assert link in browser.get(f"/events/{slug}/answers").get_data(as_text=True)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"text": "", "quantity": "2"}, "text", "Say what friends should bring."),
        ({"text": "wine", "quantity": "0"}, "quantity", "Enter a whole number from 1 to 99"),
        ({"text": "wine", "quantity": "100"}, "quantity", "Enter a whole number from 1 to 99"),
        ({"text": "wine", "quantity": "two"}, "quantity", "Enter a whole number, e.g. 2."),
        ({"text": "w" * 121, "quantity": ""}, "text", "Keep it to 120 characters or fewer."),
        ({"text": "wine\x07", "quantity": ""}, "text", "invisible control character"),
    ],
)
def test_a_bad_item_is_shown_again_with_what_was_typed(
    app, browser, listed, fields, field, message
):
    slug, _add = listed
    response = browser.post(f"/events/{slug}/bring", data=fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in field_error(html, field)
    if field == "quantity":
        assert input_value(html, "quantity") == fields["quantity"]
    else:
        assert input_value(html, "quantity") in (None, fields["quantity"])
    assert stored_items(app) == []


def test_the_list_holds_at_most_fifty_things(app, browser, listed, monkeypatch):
    slug, add = listed
    monkeypatch.setattr(service, "MOST_ITEMS", 2)
    add("wine")
    add("bread")
    response = browser.post(f"/events/{slug}/bring", data={"text": "cheese"})
    assert response.status_code == 409
    assert "A bring list holds at most 2 things." in page_text(response.get_data(as_text=True))
    assert input_value(response.get_data(as_text=True), "text") == "cheese"
    assert [text for text, _ in stored_items(app)] == ["wine", "bread"]


def test_without_owner_access_the_list_cannot_be_changed(app, make_browser, listed):
    slug, add = listed
    item = add("wine")
    stranger = make_browser()
    page = stranger.get(f"/events/{slug}/bring")
    assert page.status_code == 200
    assert "Only a browser with owner access" in page_text(page.get_data(as_text=True))
    assert "wine" not in page_text(page.get_data(as_text=True))
    assert stranger.post(f"/events/{slug}/bring", data={"text": "beer"}).status_code == 403
    assert stranger.get(f"/events/{slug}/bring/{item}/edit").status_code == 403
    assert stranger.post(f"/events/{slug}/bring/{item}/edit", data={"text": "x"}).status_code == 403
    assert stranger.post(f"/events/{slug}/bring/{item}/remove").status_code == 403
    assert stored_items(app) == [("wine", 1)]


def test_an_owner_form_without_its_token_is_refused(app, browser, listed):
    slug, _add = listed
    response = browser.client.post(f"/events/{slug}/bring", data={"text": "wine"})
    assert response.status_code == 400
    assert stored_items(app) == []


def test_the_owner_changes_an_item(app, browser, listed):
    slug, add = listed
    item = add("wine", "2")
    form = browser.get(f"/events/{slug}/bring/{item}/edit").get_data(as_text=True)
    assert (input_value(form, "text"), input_value(form, "quantity")) == ("wine", "2")
    data = {"text": "red wine", "quantity": "4"}
    assert browser.post(f"/events/{slug}/bring/{item}/edit", data=data).status_code == 303
    assert stored_items(app) == [("red wine", 4)]


def test_an_edit_with_errors_keeps_what_was_typed(app, browser, listed):
    slug, add = listed
    item = add("wine", "2")
    response = browser.post(f"/events/{slug}/bring/{item}/edit", data={"text": "", "quantity": "x"})
    assert response.status_code == 400
    assert input_value(response.get_data(as_text=True), "quantity") == "x"
    assert stored_items(app) == [("wine", 2)]


def test_the_quantity_cannot_go_below_what_friends_bring(app, browser, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "2").status_code == 303
    response = browser.post(
        f"/events/{slug}/bring/{item}/edit", data={"text": "wine", "quantity": "1"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Friends already bring 2 of it" in field_error(html, "quantity")
    assert input_value(html, "quantity") == "1"
    assert stored_items(app) == [("wine", 3)]
    data = {"text": "wine", "quantity": "2"}
    assert browser.post(f"/events/{slug}/bring/{item}/edit", data=data).status_code == 303
    assert stored_items(app) == [("wine", 2)]


def test_an_item_without_claims_is_removed_at_once(app, browser, listed):
    slug, add = listed
    item = add("wine")
    assert browser.post(f"/events/{slug}/bring/{item}/remove").status_code == 303
    assert stored_items(app) == []


def test_removing_a_claimed_item_asks_first_naming_who_brings_it(
    app, browser, make_browser, listed
):
    slug, add = listed
    item = add("wine", "2")
    assert claim(answered(make_browser, slug, "Zoë"), slug, item, "2").status_code == 303
    listing = browser.get(f"/events/{slug}/bring").get_data(as_text=True)
    assert f'href="/events/{slug}/bring/{item}/remove"' in listing

    asked = browser.post(f"/events/{slug}/bring/{item}/remove")  # a form from before the claim
    assert asked.status_code == 303
    assert asked.headers["Location"] == f"/events/{slug}/bring/{item}/remove"
    confirm = browser.get(asked.headers["Location"])
    assert confirm.status_code == 200
    assert "Zoë brings 2" in page_text(confirm.get_data(as_text=True))
    assert stored_items(app) == [("wine", 2)]

    done = browser.post(f"/events/{slug}/bring/{item}/remove", data={"confirm": "1"})
    assert done.status_code == 303
    assert (stored_items(app), stored_claims(app)) == ([], [])


@pytest.mark.parametrize("item", ["foreign", "unknown", "huge"])
@pytest.mark.parametrize(
    ("method", "action"),
    [
        ("get", "edit"),
        ("post", "edit"),
        ("get", "remove"),
        ("post", "remove"),
        ("post", "claim"),
        ("post", "release"),
    ],
)
def test_an_item_of_no_event_or_another_is_not_found(
    browser, create_event_as, listed, item, method, action
):
    slug, add = listed
    mine = add("wine")
    elsewhere = create_event_as(browser)
    foreign = browser.post(f"/events/{elsewhere}/bring", data={"text": "beer"})
    assert foreign.status_code == 303
    ids = {
        "foreign": item_ids(browser.client.application, elsewhere)[0],
        "unknown": mine + 1000,
        "huge": BIGGER_THAN_64_BITS,
    }
    url = f"/events/{slug}/bring/{ids[item]}/{action}"
    if method == "post":
        response = browser.post(url, data={"text": "x", "confirm": "1"})
    else:
        response = browser.get(url)
    assert response.status_code == 404


# Friends' claims.


def test_a_friend_who_answered_claims_part_of_a_thing_and_everyone_sees_it(
    app, make_browser, listed
):
    slug, add = listed
    item = add("bottles of wine", "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "2").status_code == 303
    assert stored_claims(app) == [("bottles of wine", "Ana", 2)]
    for viewer in (ana, make_browser()):
        text = page(viewer, slug)
        assert "bottles of wine × 3 · 1 of 3 still needed" in text
        assert "Ana brings 2" in text


def test_the_last_units_cover_the_thing(app, make_browser, listed):
    slug, add = listed
    item = add("bottles of wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "2").status_code == 303
    assert claim(answered(make_browser, slug, "Ben"), slug, item, "1").status_code == 303
    text = page(make_browser(), slug)
    assert "bottles of wine × 3 · All covered" in text
    assert "Ben brings 1" in text


def test_a_single_thing_is_claimed_whole_with_one_button(app, make_browser, listed):
    slug, add = listed
    item = add("a board game")
    ana = answered(make_browser, slug)
    html = ana.get(f"/events/{slug}").get_data(as_text=True)
    assert "I'll bring it" in html
    assert f'name="bring-{item}-quantity"' not in html
    response = claim(ana, slug, item)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{slug}#bring"
    assert "Thanks! You bring “a board game”." in page(ana, slug)
    assert "a board game · All covered Ana brings it" in page(make_browser(), slug)


def test_claiming_again_changes_how_many_and_releasing_takes_it_back(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "1").status_code == 303
    assert claim(ana, slug, item, "3").status_code == 303
    assert stored_claims(app) == [("wine", "Ana", 3)]
    assert release(ana, slug, item).status_code == 303
    assert stored_claims(app) == []
    assert "You no longer bring “wine”." in page(ana, slug)
    assert release(ana, slug, item).status_code == 404  # nothing left to take back


def test_more_than_is_still_needed_is_refused_with_the_page_again(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "2").status_code == 303
    ben = answered(make_browser, slug, "Ben")
    response = claim(ben, slug, item, "2")
    assert response.status_code == 409
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert page_text(html).startswith("Error: Board games at Ana's · Skedjit")
    assert "You can bring at most 1 of it, so nothing was changed." in field_error(
        html, f"bring-{item}-quantity"
    )
    assert input_value(html, f"bring-{item}-quantity") == "2"
    assert stored_claims(app) == [("wine", "Ana", 2)]


def test_a_covered_single_thing_is_refused(app, make_browser, listed):
    slug, add = listed
    item = add("a board game")
    ana = answered(make_browser, slug)
    ben = answered(make_browser, slug, "Ben")
    assert claim(ana, slug, item).status_code == 303
    response = claim(ben, slug, item)
    assert response.status_code == 409
    assert "Friends already bring all of it, so nothing was changed." in page_text(
        response.get_data(as_text=True)
    )
    assert stored_claims(app) == [("a board game", "Ana", 1)]


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "lots"])
def test_a_bad_quantity_is_shown_again_with_what_was_typed(app, make_browser, listed, quantity):
    slug, add = listed
    item = add("wine", "3")
    response = claim(answered(make_browser, slug), slug, item, quantity)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, f"bring-{item}-quantity")
    assert input_value(html, f"bring-{item}-quantity") == quantity
    assert stored_claims(app) == []


def test_a_friend_who_has_not_answered_sees_the_list_and_a_hint(make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    stranger = make_browser()
    html = stranger.get(f"/events/{slug}").get_data(as_text=True)
    assert HINT in page_text(html)
    assert "wine × 3 · 3 of 3 still needed" in page_text(html)
    assert f"/bring/{item}/claim" not in html
    response = claim(stranger, slug, item, "1")
    assert response.status_code == 403
    assert "Answer first" in page_text(response.get_data(as_text=True))


def test_without_things_to_bring_friends_see_no_list(make_browser, listed):
    slug, _add = listed
    assert "What to bring" not in page(make_browser(), slug)


def test_a_friend_who_can_t_go_brings_nothing(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug, response="no")
    assert "You answered that you can't go." in page(ana, slug)
    assert claim(ana, slug, item, "1").status_code == 409
    assert stored_claims(app) == []


def test_can_t_go_releases_what_the_friend_brings(app, make_browser, listed):
    slug, add = listed
    wine, bread = add("wine", "3"), add("bread")
    ana = answered(make_browser, slug)
    ben = answered(make_browser, slug, "Ben", response="maybe")
    assert claim(ana, slug, wine, "2").status_code == 303
    assert claim(ana, slug, bread).status_code == 303
    assert claim(ben, slug, wine, "1").status_code == 303
    assert answer(ana, slug, response="maybe").status_code == 303  # still coming: kept
    assert len(stored_claims(app)) == 3
    assert answer(ana, slug, response="no").status_code == 303
    assert stored_claims(app) == [("wine", "Ben", 1)]


def test_withdrawing_the_answer_releases_its_claims(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "2").status_code == 303
    assert ana.client.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    assert stored_claims(app) == []


def test_the_owner_removing_an_answer_releases_its_claims(app, browser, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "2").status_code == 303
    with app.app_context():
        rsvp_id = db.session.scalar(select(Rsvp.id))
    assert browser.post(f"/events/{slug}/answers/{rsvp_id}/remove").status_code == 303
    assert stored_claims(app) == []


def test_the_private_link_claims_for_its_answer(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = make_browser()
    sent = answer(ana, slug)
    link = CHANGE_LINK.search(ana.get(sent.headers["Location"]).get_data(as_text=True))[1]
    token = link.rsplit("/", 1)[1]
    other_phone = make_browser()
    change = other_phone.get(link).get_data(as_text=True)
    assert f'href="{link}/bring"' in change
    mine = other_phone.get(f"{link}/bring")
    assert mine.status_code == 200
    assert input_value(mine.get_data(as_text=True), f"bring-{item}-token") == token
    response = claim(other_phone, slug, item, "2", token=token)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{link}/bring"
    assert stored_claims(app) == [("wine", "Ana", 2)]
    refused = claim(other_phone, slug, item, "3", token=token + "x")
    assert refused.status_code == 403  # no answer holds that link
    over = claim(make_browser(), slug, item, "9", token=token)
    assert over.status_code == 409
    assert "What you bring to" in page_text(over.get_data(as_text=True))
    assert release(other_phone, slug, item, token=token).status_code == 303
    assert stored_claims(app) == []


def test_an_unknown_private_link_has_no_bring_page(make_browser, listed):
    slug, _add = listed
    assert make_browser().get(f"/events/{slug}/rsvp/not-a-secret/bring").status_code == 404


def test_a_hidden_guest_list_hides_who_brings_what(app, browser, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "2").status_code == 303
    settings = {"capacity": "", "deadline_date": "", "deadline_time": "", "guest_list_hidden": "y"}
    assert browser.post(f"/events/{slug}/answers", data=settings).status_code == 303
    stranger = page(make_browser(), slug)
    assert "wine × 3 · 1 of 3 still needed" in stranger
    assert "Ana brings" not in stranger
    assert "You bring 2." in page(ana, slug)
    assert "Ana brings 2" in page(browser, slug)


@pytest.mark.parametrize("why", ["closed", "passed"])
def test_claims_are_refused_once_answers_close(app, browser, make_browser, listed, clock, why):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "1").status_code == 303
    if why == "closed":
        settings = {"capacity": "", "deadline_date": "", "deadline_time": "", "rsvps_closed": "y"}
        assert browser.post(f"/events/{slug}/answers", data=settings).status_code == 303
        reason = "Answers are closed for this event"
    else:
        clock(datetime(2054, 12, 13, 12, 0, tzinfo=UTC))
        reason = "This event has passed"
    for response in (claim(ana, slug, item, "2"), release(ana, slug, item)):
        assert response.status_code == 409
        assert reason in page_text(response.get_data(as_text=True))
    assert stored_claims(app) == [("wine", "Ana", 1)]
    html = ana.get(f"/events/{slug}").get_data(as_text=True)
    assert "Ana brings 1" in page_text(html)
    assert f"/bring/{item}/claim" not in html


def test_a_claim_from_another_site_is_refused(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        path = f"/events/{slug}/bring/{item}/claim"
        data = {f"bring-{item}-quantity": "1"}
        assert ana.client.post(path, data=data, headers=headers).status_code == 403
    assert stored_claims(app) == []


def test_an_event_s_deletion_takes_its_list_along(app, browser, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "1").status_code == 303
    assert browser.post(f"/events/{slug}/delete").status_code == 303
    assert (stored_items(app), stored_claims(app)) == ([], [])


def test_an_item_removed_meanwhile_cannot_be_claimed_or_changed(app, listed):
    slug, add = listed
    item = add("wine", "3")
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        fields = {"name": "Ana", "response": "yes", "guests": 0, "note": ""}
        _rsvp, token, _told = answers.answer(event, fields, None)
        with pytest.raises(service.AnswerFirstError):
            service.claim(event.id, item, None, 1)
        assert service.remove_item(event.id, item, even_if_claimed=False) is True
        with pytest.raises(service.ItemGoneError):
            service.claim(event.id, item, token, 1)
        with pytest.raises(service.ItemGoneError):
            service.change_item(event.id, item, "beer", 1)
        assert service.remove_item(event.id, item, even_if_claimed=True) is None


def test_a_friend_without_an_answer_has_nothing_to_release(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    assert claim(answered(make_browser, slug), slug, item, "1").status_code == 303
    response = release(make_browser(), slug, item)
    assert response.status_code == 403
    assert "Answer first" in page_text(response.get_data(as_text=True))
    assert stored_claims(app) == [("wine", "Ana", 1)]


# The event page's speed and freshness.


def test_the_friend_page_reads_the_list_in_one_more_select(
    browser, make_browser, listed, count_queries
):
    slug, add = listed
    for text in ("wine", "bread", "cheese"):
        item = add(text, "3")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, item, "1").status_code == 303
    assert claim(answered(make_browser, slug, "Ben"), slug, item, "1").status_code == 303
    ana.get(f"/events/{slug}")  # shows and clears the message
    with count_queries() as statements:
        assert ana.get(f"/events/{slug}").status_code == 200
    event_page_reads = [s for s in statements if "bring_items" in s or "FROM events" in s]
    assert len([s for s in statements if "bring_items" in s]) == 1
    assert len(statements) == 4, statements  # the event, answers, changes, the bring list
    assert event_page_reads


def test_a_claim_changes_the_kept_page_and_its_etag(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    stranger = make_browser().client
    before = warm(stranger, slug)
    assert b"3 of 3 still needed" in before.data
    assert claim(answered(make_browser, slug), slug, item, "2").status_code == 303
    after = stranger.get(f"/events/{slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"1 of 3 still needed" in after.data


def test_a_claim_in_another_process_reaches_its_kept_page(app, make_app, make_browser, listed):
    slug, add = listed
    item = add("wine", "3")
    ana = answered(make_browser, slug)
    other = make_app().test_client()
    assert b"3 of 3 still needed" in warm(other, slug).data
    assert claim(ana, slug, item, "2").status_code == 303
    wait_until(lambda: b"1 of 3 still needed" in other.get(f"/events/{slug}").data)
    assert release(ana, slug, item).status_code == 303
    wait_until(lambda: b"3 of 3 still needed" in other.get(f"/events/{slug}").data)


@pytest.mark.parametrize("what", ["item", "claim"])
def test_a_change_typed_in_psql_reaches_the_kept_page(
    app, make_app, make_browser, listed, backend, database_url, what
):
    if backend != "postgresql":
        pytest.skip("psql is PostgreSQL's")
    slug, add = listed
    item = add("wine", "3")
    answered(make_browser, slug)
    other = make_app().test_client()
    assert b"3 of 3 still needed" in warm(other, slug).data
    if what == "item":
        psql(database_url, f"UPDATE bring_items SET quantity = 5 WHERE id = {item}")
        shown = b"5 of 5 still needed"
    else:
        psql(
            database_url,
            "INSERT INTO bring_claims (item_id, rsvp_id, quantity)"
            f" SELECT {item}, id, 2 FROM rsvps WHERE name = 'Ana'",
        )
        shown = b"1 of 3 still needed"
    wait_until(lambda: shown in other.get(f"/events/{slug}").data)


def test_the_rows_kept_hold_the_list(app, make_browser, listed):
    slug, add = listed
    add("wine", "3")
    warm(make_browser().client, slug)
    rows, _watch = app.extensions[event_rows.KEY]
    assert [item.text for item in rows.get(slug).bring] == ["wine"]


# The answers file.


def test_the_answers_file_says_what_each_friend_brings(app, browser, make_browser, listed):
    slug, add = listed
    wine, game, tools = add("wine", "3"), add("board game"), add("=cmd|' /C calc'!A0")
    ana = answered(make_browser, slug)
    assert claim(ana, slug, wine, "2").status_code == 303
    assert claim(ana, slug, game).status_code == 303
    assert claim(answered(make_browser, slug, "Ben"), slug, tools).status_code == 303
    answered(make_browser, slug, "Chloé")
    body = browser.get(f"/events/{slug}/answers.csv").get_data().decode("utf-8-sig")
    header, *rows = [line.split(",") for line in body.splitlines()]
    assert header[-1] == "Items claimed"
    assert [row[-1] for row in rows] == ["2 × wine; board game", "'=cmd|' /C calc'!A0", ""]


# Friends claiming the last units at once.


def test_friends_claiming_the_last_units_at_once_never_take_more(app, make_browser, listed):
    slug, add = listed
    item = add("bottles of wine", "3")
    friends = [answered(make_browser, slug, f"Friend {index:02}") for index in range(8)]

    def take(quantity: str):
        def send(index: int) -> tuple[int, int]:
            return index, claim(friends[index], slug, item, quantity).status_code

        return send

    first = dict(all_at_once(take("2"), list(range(8))))
    assert sorted(first.values()) == [303] + [409] * 7
    assert sum(quantity for *_, quantity in stored_claims(app)) == 2

    others = [index for index, status in first.items() if status == 409]
    second = dict(all_at_once(take("1"), others))
    assert sorted(second.values()) == [303] + [409] * 6
    assert sum(quantity for *_, quantity in stored_claims(app)) == 3
    assert "bottles of wine × 3 · All covered" in page(make_browser(), slug)


def test_a_claim_waits_for_the_event_lock(app, make_browser, listed):
    slug, add = listed
    item = add("wine", "1")
    ana = answered(make_browser, slug)
    answered(make_browser, slug, "Ben")
    outcome = {}
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        ben = db.session.scalar(select(Rsvp.id).where(Rsvp.name == "Ben"))
        lock_answers(event_id)
        db.session.add(BringClaim(item_id=item, rsvp_id=ben, quantity=1))
        db.session.flush()

        def run():
            outcome["status"] = claim(ana, slug, item).status_code

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(0.5)
        waited = thread.is_alive()
        db.session.commit()
        thread.join(10)
    assert waited, outcome
    assert outcome["status"] == 409
    assert stored_claims(app) == [("wine", "Ben", 1)]
