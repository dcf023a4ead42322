"""Answering an event: the page's answers, the answer form, change links and owner controls."""

import hashlib
import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from html import unescape

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select
from sqlalchemy import text

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.apps import answers_of
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import answer
from tests.helpers.html import checked_response
from tests.helpers.html import field_error
from tests.helpers.html import html_of
from tests.helpers.html import input_value
from tests.helpers.html import page_text as text_of

DEADLINE = datetime(2026, 7, 9, 16, 0, tzinfo=UTC)  # Thursday 9 July 2026, 18:00 in Paris
FULL = "The event is full: join the waitlist, or answer maybe."
LINK = re.compile(r'class="private-link">(http://localhost/events/(\w{6})/rsvp/([\w-]+))</a>')
SETTINGS = {
    "capacity": "12",
    "deadline_date": "2026-12-01",
    "deadline_time": "18:00",
    "rsvps_closed": "y",
    "guest_list_hidden": "y",
}


def answer_with_link(browser, slug: str, **fields) -> str:
    """Answer, open the page once and return the change link's token it shows."""
    assert answer(browser, slug, **fields).status_code == 303
    match = LINK.search(page_of(browser, slug))
    assert match, "no change link on the page"
    return match.group(3)


def rsvp_ids(app, slug: str | None = None) -> list[int]:
    """The ids of the event's answers (of every row in rsvps without a slug), oldest first."""
    query = select(Rsvp.id).order_by(Rsvp.id)
    if slug:
        query = query.join(Event).where(Event.slug == slug)
    with app.app_context():
        return list(db.session.scalars(query))


def page_of(browser, slug: str) -> str:
    """The event page as this browser gets it."""
    return html_of(browser.get(f"/events/{slug}"))


def has_answer_form(html: str, slug: str) -> bool:
    return f'action="/events/{slug}/rsvp" class="answer-form"' in html


@pytest.fixture
def unlocked_owner(make_browser):
    """Return a callable giving a new browser that unlocked the event with its password."""

    def unlock(slug: str):
        owner = make_browser()
        response = owner.post(f"/events/{slug}/answers/unlock", data={"password": PASSWORD})
        assert response.status_code == 303
        return owner

    return unlock


@pytest.fixture(params=["closed-by-hand", "past-deadline"])
def closed_event(request, make_event, make_browser, unlocked_owner, clock):
    """An event Ana answered (going) before its answers closed; gives (slug, Ana's browser)."""
    ana = make_browser()
    if request.param == "closed-by-hand":
        slug = make_event()
        assert answer(ana, slug).status_code == 303
        owner = unlocked_owner(slug)
        assert owner.post(f"/events/{slug}/answers", data={"rsvps_closed": "y"}).status_code == 303
    else:
        slug = make_event(rsvp_deadline=DEADLINE)
        clock(DEADLINE - timedelta(hours=1))
        assert answer(ana, slug).status_code == 303
        clock(DEADLINE + timedelta(minutes=1))
    return slug, ana


@pytest.fixture
def four_answers(make_browser, make_event) -> str:
    """An event with Ana (+2) and Di going, Ben maybe, Cy (+3, ignored) can't go; gives its slug."""
    slug = make_event()
    answer(make_browser(), slug, name="Ana", guests="2", note="Bringing cake")
    answer(make_browser(), slug, name="Ben", response="maybe")
    answer(make_browser(), slug, name="Cy", response="no", guests="3", note="Away")
    answer(make_browser(), slug, name="Di")
    return slug


@pytest.fixture
def ana_and_ben(app, make_browser, make_event) -> tuple[str, str]:
    """An event Ana and Ben are going to; gives its slug and Ana's change-link token."""
    slug = make_event()
    token = answer_with_link(make_browser(), slug, name="Ana")
    answer(make_browser(), slug, name="Ben")
    return slug, token


# What the page shows


def test_page_counts_going_with_extra_guests_maybe_and_cant_go(client, four_answers):
    shown = text_of(page_of(client, four_answers))
    assert "4 going · 1 maybe · 1 can't go" in shown


def test_guest_list_is_grouped_by_response_with_extra_guests_and_notes(client, four_answers):
    shown = text_of(page_of(client, four_answers))
    assert "Going (2) Ana +2 Bringing cake Di Maybe (1) Ben Can't go (1) Cy Away" in shown
    assert "+3" not in shown


@pytest.mark.parametrize(
    ("capacity", "expected"),
    [(5, "2 going · 3 places left"), (3, "2 going · 1 place left"), (2, "2 going · Full")],
)
def test_page_shows_places_left_or_full(make_browser, make_event, capacity, expected):
    slug = make_event(capacity=capacity)
    assert answer(make_browser(), slug, guests="1").status_code == 303
    assert expected in text_of(page_of(make_browser(), slug))


def test_hidden_guest_list_shows_friends_only_the_counts(make_browser, make_event):
    slug = make_event(guest_list_hidden=True)
    answer(make_browser(), slug, name="Zephyrine", note="Secret note")
    html = page_of(make_browser(), slug)
    assert "1 going · 0 maybe" in text_of(html)
    assert "Zephyrine" not in html
    assert "Secret note" not in html


def test_hidden_guest_list_still_shows_the_owner_names(make_browser, make_event, unlocked_owner):
    slug = make_event(guest_list_hidden=True)
    answer(make_browser(), slug, name="Zephyrine")
    make_browser().get(f"/events/{slug}")  # a friend's page is rendered (and kept) first
    assert "Zephyrine" in html_of(unlocked_owner(slug).get(f"/events/{slug}"))


def test_page_shows_the_deadline_in_the_events_zone(client, make_event, clock):
    clock(DEADLINE - timedelta(days=30))
    slug = make_event(rsvp_deadline=DEADLINE)
    shown = text_of(page_of(client, slug))
    assert "Answers close Thursday 9 July 2026, 18:00." in shown


def test_closed_page_has_no_form_but_keeps_the_answers(make_browser, closed_event):
    slug, _ana = closed_event
    html = page_of(make_browser(), slug)
    assert "Answers are closed." in html
    assert not has_answer_form(html, slug)
    assert "Going (1) Ana" in text_of(html)


# Answering


def test_answer_redirects_to_the_page_and_is_stored(app, browser, make_event):
    slug = make_event()
    response = answer(browser, slug, name=" Ana ", response="maybe", guests="3", note="Late\r\nso")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{slug}")
    assert answers_of(app, slug) == [("Ana", "maybe", 3, "Late\nso")]


def test_answer_sets_an_httponly_lax_cookie_for_the_events_pages_only(browser, make_event):
    slug = make_event()
    cookies = answer(browser, slug).headers.getlist("Set-Cookie")
    cookie = next(c for c in cookies if c.startswith(f"rsvp-{slug}="))
    attributes = [part.strip() for part in cookie.split(";")]
    assert f"Path=/events/{slug}" in attributes
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes


@pytest.mark.parametrize("signed_with", [None, "another secret"], ids=["unsigned", "other-key"])
def test_cookie_not_signed_by_the_app_is_not_trusted(app, make_browser, make_event, signed_with):
    slug = make_event()
    token = answer_with_link(make_browser(), slug)
    forged = (
        URLSafeSerializer(signed_with, salt="skedjit.rsvp").dumps(token) if signed_with else token
    )
    stranger = make_browser()
    stranger.client.set_cookie(f"rsvp-{slug}", forged, path=f"/events/{slug}")
    assert "Your answer:" not in page_of(stranger, slug)
    assert stranger.post(f"/events/{slug}/rsvp/withdraw").status_code == 404
    assert answers_of(app, slug) == [("Ana", "yes", 0, "")]


def test_next_view_shows_your_answer_prefilled_with_a_withdraw_button(browser, make_event):
    slug = make_event()
    answer(browser, slug, name="Ana", guests="2", note="Bringing cake")
    html = page_of(browser, slug)
    assert "Your answer: Going with 2 more." in text_of(html)
    assert (input_value(html, "name"), input_value(html, "guests")) == ("Ana", "2")
    assert checked_response(html) == "yes"
    assert "Bringing cake</textarea>" in html
    assert "Withdraw my answer" in html


def test_change_link_is_absolute_and_shown_only_once(browser, make_event):
    slug = make_event()
    answer(browser, slug)
    match = LINK.search(page_of(browser, slug))
    assert match
    assert match.group(2) == slug
    second = page_of(browser, slug)
    assert "private-link" not in second
    assert match.group(3) not in second


def test_same_browser_answering_again_changes_its_answer(app, browser, make_event):
    slug = make_event()
    answer(browser, slug, name="Ana")
    assert answer(browser, slug, name="Ana B.", response="no", note="Ill").status_code == 303
    assert answers_of(app, slug) == [("Ana B.", "no", 0, "Ill")]


def test_token_is_stored_only_as_its_sha256(app, browser, make_event):
    slug = make_event()
    token = answer_with_link(browser, slug)
    with app.app_context():
        stored = db.session.scalar(select(Rsvp.token_hash))
        assert stored == hashlib.sha256(token.encode()).hexdigest()
        for table in ("rsvps", "events"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")):  # noqa: S608
                assert not any(token in str(value) for value in row)


def test_the_answer_form_carries_no_token_and_needs_none(app, make_browser, make_event):
    slug = make_event()
    friend = make_browser().client
    assert "csrf_token" not in page_of(friend, slug)
    data = {"name": "Ben", "response": "yes", "guests": "0"}
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert friend.post(f"/events/{slug}/rsvp", data=data, headers=headers).status_code == 303
    assert answers_of(app, slug) == [("Ben", "yes", 0, "")]


# The change link


def test_change_link_opens_the_answer_prefilled_in_another_browser(make_browser, make_event):
    slug = make_event()
    token = answer_with_link(make_browser(), slug, response="maybe", guests="1")
    response = make_browser().get(f"/events/{slug}/rsvp/{token}")
    html = html_of(response)
    assert response.status_code == 200
    assert (input_value(html, "name"), input_value(html, "guests")) == ("Ana", "1")
    assert checked_response(html) == "maybe"
    assert input_value(html, "token") == token


def test_posting_from_the_change_link_changes_only_that_answer(app, make_browser, ana_and_ben):
    slug, token = ana_and_ben
    assert answer(make_browser(), slug, response="no", token=token).status_code == 303
    assert answers_of(app, slug) == [("Ana", "no", 0, ""), ("Ben", "yes", 0, "")]


@pytest.mark.parametrize("whose", ["wrong-token", "another-events-answer"])
def test_change_link_not_to_this_events_answer_is_404(make_browser, make_event, whose):
    slug, other = make_event(), make_event()
    token = answer_with_link(make_browser(), other if whose == "another-events-answer" else slug)
    if whose == "wrong-token":
        token = token[::-1]
    assert make_browser().get(f"/events/{slug}/rsvp/{token}").status_code == 404


# Withdrawing


def test_withdraw_removes_the_answer_and_deletes_the_cookie(app, browser, make_event):
    slug = make_event()
    answer(browser, slug)
    response = browser.post(f"/events/{slug}/rsvp/withdraw")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{slug}")
    assert answers_of(app, slug) == []
    cookies = response.headers.getlist("Set-Cookie")
    cookie = next(c for c in cookies if c.startswith(f"rsvp-{slug}="))
    assert "Max-Age=0" in cookie
    assert f"Path=/events/{slug}" in cookie
    assert browser.client.get_cookie(f"rsvp-{slug}", path=f"/events/{slug}") is None


def test_withdraw_by_the_change_links_token_removes_only_that_answer(
    app, make_browser, ana_and_ben
):
    slug, token = ana_and_ben
    response = make_browser().post(f"/events/{slug}/rsvp/withdraw", data={"token": token})
    assert response.status_code == 303
    assert answers_of(app, slug) == [("Ben", "yes", 0, "")]


@pytest.mark.parametrize("token", [None, "not-a-token"])
def test_withdraw_without_an_answer_is_404(app, make_browser, make_event, token):
    slug = make_event()
    answer(make_browser(), slug)
    data = {"token": token} if token else {}
    assert make_browser().post(f"/events/{slug}/rsvp/withdraw", data=data).status_code == 404
    assert len(answers_of(app, slug)) == 1


def test_withdraw_button_works_without_a_token(app, browser, make_event):
    slug = make_event()
    answer(browser, slug)
    assert 'class="withdraw-form"' in page_of(browser, slug)
    assert browser.client.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    assert answers_of(app, slug) == []


# Refused answers


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"name": ""}, "name", "Tell your friends who you are.", id="empty-name"),
        pytest.param({"name": "   "}, "name", "Tell your friends who you are.", id="blank-name"),
        pytest.param(
            {"name": "\u200b"}, "name", "Tell your friends who you are.", id="invisible-name"
        ),
        pytest.param({"name": "x" * 81}, "name", "80 characters or fewer", id="long-name"),
        pytest.param({"response": "perhaps"}, "response", "Not a valid choice", id="bad-response"),
        pytest.param({"response": None}, "response", "Choose going, maybe or", id="no-response"),
        pytest.param({"guests": "-1"}, "guests", "between 0 and 10", id="guests-negative"),
        pytest.param({"guests": "11"}, "guests", "between 0 and 10", id="guests-11"),
        pytest.param({"guests": "two"}, "guests", "Enter a whole number", id="guests-words"),
        pytest.param({"note": "x" * 301}, "note", "300 characters or fewer", id="long-note"),
        pytest.param({"name": "A\x00na"}, "name", "control character (U+0000)", id="nul-name"),
        pytest.param({"note": "hi\x00"}, "note", "control character (U+0000)", id="nul-note"),
        pytest.param({"note": "ring\x07"}, "note", "control character (U+0007)", id="bel-note"),
    ],
)
def test_bad_answer_is_400_with_the_message_beside_the_field(
    app, browser, make_event, fields, field, message
):
    slug = make_event()
    response = answer(browser, slug, **fields)
    assert response.status_code == 400
    assert has_answer_form(html_of(response), slug)
    assert message in field_error(html_of(response), field)
    assert answers_of(app, slug) == []


def test_refused_answer_keeps_what_was_typed(browser, make_event):
    slug = make_event()
    response = answer(browser, slug, name="Ana S", response="maybe", guests="11", note="Cake")
    html = html_of(response)
    assert response.status_code == 400
    assert (input_value(html, "name"), input_value(html, "guests")) == ("Ana S", "11")
    assert checked_response(html) == "maybe"
    assert "Cake</textarea>" in html


def test_extra_people_that_are_not_a_number_come_back_as_plain_text(browser, make_event):
    slug = make_event()
    html = html_of(answer(browser, slug, guests="two"))
    tag = re.search(r'<input [^>]*name="guests"[^>]*>', html).group(0)
    assert 'type="text"' in tag
    assert 'value="two"' in tag
    assert "min=" not in tag  # only a number input may have bounds
    assert "max=" not in tag


def test_an_unanswered_choice_is_linked_from_the_summary_to_its_first_option(browser, make_event):
    html = html_of(answer(browser, make_event(), response=""))
    assert '<a href="#response-0">Are you coming?: ' in unescape(html)
    assert re.search(r'<input aria-invalid="true" id="response-0"', html)
    assert (
        '<fieldset class="radio-group field-error" id="response" aria-describedby="response-error">'
        in html
    )


@pytest.mark.parametrize("slug", ["abcdef", "abc", "abcde0"], ids=["unknown", "short", "symbol"])
def test_answer_to_an_unknown_or_malformed_slug_is_404(app, browser, slug):
    assert answer(browser, slug).status_code == 404
    assert len(rsvp_ids(app)) == 0


@pytest.mark.parametrize(
    "headers",
    [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}],
    ids=["fetch-metadata", "origin"],
)
def test_an_answer_from_another_site_is_refused_and_stores_nothing(
    app, client, make_event, headers
):
    slug = make_event()
    data = {"name": "Mallory", "response": "yes"}
    response = client.post(f"/events/{slug}/rsvp", data=data, headers=headers)
    assert response.status_code == 403
    assert "This form was sent from another site" in html_of(response)
    assert answers_of(app, slug) == []


# Capacity and closing


def test_going_past_the_capacity_the_owner_set_is_409_and_stores_nothing(
    app, make_browser, make_event, unlocked_owner
):
    slug = make_event()
    owner = unlocked_owner(slug)
    assert owner.post(f"/events/{slug}/answers", data={"capacity": "2"}).status_code == 303
    answer(make_browser(), slug, name="Ana", guests="1")
    response = answer(make_browser(), slug, name="Ben")
    assert response.status_code == 409
    assert FULL in field_error(html_of(response), "response")
    assert answers_of(app, slug) == [("Ana", "yes", 1, "")]


def test_maybe_is_still_accepted_when_full(app, make_browser, make_event):
    slug = make_event(capacity=1)
    answer(make_browser(), slug, name="Ana")
    assert answer(make_browser(), slug, name="Ben", response="maybe").status_code == 303
    assert answers_of(app, slug) == [("Ana", "yes", 0, ""), ("Ben", "maybe", 0, "")]


def test_raising_your_guests_past_capacity_is_409_and_keeps_your_answer(app, browser, make_event):
    slug = make_event(capacity=3)
    answer(browser, slug, guests="1")
    assert answer(browser, slug, guests="3").status_code == 409
    assert answers_of(app, slug) == [("Ana", "yes", 1, "")]


@pytest.mark.parametrize(
    ("response", "guests"),
    [("yes", "3"), ("yes", "1"), ("maybe", "3")],
    ids=["same", "fewer", "maybe"],
)
def test_keeping_or_lowering_your_headcount_is_allowed_over_capacity(
    app, browser, make_browser, make_event, unlocked_owner, response, guests
):
    slug = make_event(capacity=10)
    answer(browser, slug, name="Ana", guests="3")
    answer(make_browser(), slug, name="Ben", guests="2")
    owner = unlocked_owner(slug)
    assert owner.post(f"/events/{slug}/answers", data={"capacity": "2"}).status_code == 303
    assert "7 going · Full" in text_of(page_of(make_browser(), slug))
    assert answer(browser, slug, response=response, guests=guests).status_code == 303
    assert answers_of(app, slug)[0] == ("Ana", response, int(guests), "")


@pytest.mark.parametrize("who", ["new-friend", "earlier-answerer"])
def test_answer_after_closing_is_409_and_stores_nothing(app, make_browser, closed_event, who):
    slug, ana = closed_event
    response = answer(make_browser() if who == "new-friend" else ana, slug, response="no")
    assert response.status_code == 409
    assert "Answers are closed for this event" in html_of(response)
    assert answers_of(app, slug) == [("Ana", "yes", 0, "")]


@pytest.mark.parametrize(
    ("after_deadline", "status"),
    [(timedelta(seconds=-1), 303), (timedelta(0), 409), (timedelta(minutes=1), 409)],
)
def test_answers_close_at_the_deadline(app, browser, make_event, clock, after_deadline, status):
    slug = make_event(rsvp_deadline=DEADLINE)
    clock(DEADLINE + after_deadline)
    assert answer(browser, slug).status_code == status
    assert len(answers_of(app, slug)) == (1 if status == 303 else 0)


# The owner's controls


@pytest.mark.parametrize(
    ("creator", "shown", "not_shown"),
    [(True, "capacity", "password"), (False, "password", "capacity")],
    ids=["creator-sees-settings", "others-are-asked-the-password"],
)
def test_answer_settings_need_owner_access(
    browser, make_event, create_event_as, creator, shown, not_shown
):
    html = html_of(
        browser.get(f"/events/{create_event_as(browser) if creator else make_event()}/answers")
    )
    assert f'name="{shown}"' in html
    assert f'name="{not_shown}"' not in html


@pytest.mark.parametrize(
    ("password", "status", "message"),
    [("wrong horse", 403, "not this event's password"), (None, 400, "Enter the event's password")],
)
def test_unlocking_with_a_wrong_or_no_password_is_refused(
    browser, make_event, password, status, message
):
    slug = make_event()
    data = {"password": password} if password else {}
    response = browser.post(f"/events/{slug}/answers/unlock", data=data)
    assert response.status_code == status
    assert message in field_error(html_of(response), "password")
    assert 'name="capacity"' not in html_of(response)


def test_unlocking_with_the_password_leads_back_to_the_settings(browser, make_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}/answers/unlock", data={"password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/events/{slug}/answers")
    assert 'name="capacity"' in html_of(browser.get(f"/events/{slug}/answers"))


def test_owner_settings_are_stored_with_the_deadline_in_utc(make_event, load_event, unlocked_owner):
    slug = make_event()
    response = unlocked_owner(slug).post(f"/events/{slug}/answers", data=SETTINGS)
    assert response.status_code == 303
    event = load_event(slug)
    stored = (event.capacity, event.rsvp_deadline, event.rsvps_closed, event.guest_list_hidden)
    assert stored == (12, datetime(2026, 12, 1, 17, 0, tzinfo=UTC), True, True)


def test_the_deadline_fields_are_named_in_full_for_screen_readers(make_event, unlocked_owner):
    slug = make_event()
    html = html_of(unlocked_owner(slug).get(f"/events/{slug}/answers"))
    assert '<label for="deadline_date">Answers close on</label>' in html
    assert '<label for="deadline_time">Answers close at</label>' in html


def test_settings_without_owner_access_are_403_and_change_nothing(browser, make_event, load_event):
    slug = make_event(capacity=7)
    assert browser.post(f"/events/{slug}/answers", data=SETTINGS).status_code == 403
    event = load_event(slug)
    assert (event.capacity, event.rsvp_deadline, event.rsvps_closed) == (7, None, False)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        pytest.param({"capacity": "0"}, "capacity", "from 1 up", id="capacity-0"),
        pytest.param({"capacity": "x"}, "capacity", "Enter a whole number", id="capacity-x"),
        pytest.param(
            {"deadline_date": "1/12/2026", "deadline_time": "18:00"},
            "deadline_date",
            "Enter a real date as YYYY-MM-DD",
            id="bad-date",
        ),
        pytest.param(
            {"deadline_date": "2026-12-01", "deadline_time": "6pm"},
            "deadline_time",
            "Enter the time as HH:MM",
            id="bad-time",
        ),
        pytest.param({"deadline_date": "2026-12-01"}, "deadline_time", "Give both", id="no-time"),
        pytest.param({"deadline_time": "18:00"}, "deadline_time", "Give both", id="no-date"),
        pytest.param(
            {"deadline_date": "2026-03-29", "deadline_time": "02:30"},
            "deadline_time",
            "02:30 does not exist on that day in Europe/Paris",
            id="dst-gap",
        ),
    ],
)
def test_bad_settings_are_400_and_change_nothing(
    make_event, load_event, unlocked_owner, fields, field, message
):
    slug = make_event(capacity=7)
    response = unlocked_owner(slug).post(f"/events/{slug}/answers", data=fields)
    assert response.status_code == 400
    assert message in field_error(html_of(response), field)
    event = load_event(slug)
    assert (event.capacity, event.rsvp_deadline) == (7, None)


@pytest.mark.parametrize(
    ("zone", "day", "clock"),
    [("Etc/GMT+12", "9999-12-31", "23:59"), ("Etc/GMT-14", "0001-01-01", "00:00")],
)
def test_deadline_outside_the_years_events_take_is_400_not_an_overflow(
    make_event, load_event, unlocked_owner, zone, day, clock
):
    slug = make_event(timezone=zone)
    fields = {"deadline_date": day, "deadline_time": clock}
    response = unlocked_owner(slug).post(f"/events/{slug}/answers", data=fields)
    assert response.status_code == 400
    message = "Choose a date between the years 1900 and 2999."
    assert message in field_error(html_of(response), "deadline_date")
    assert input_value(html_of(response), "deadline_date") == day
    assert load_event(slug).rsvp_deadline is None


def test_owner_removes_one_answer_and_keeps_the_others(app, ana_and_ben, unlocked_owner):
    slug, _token = ana_and_ben
    url = f"/events/{slug}/answers/{rsvp_ids(app, slug)[0]}/remove"
    assert unlocked_owner(slug).post(url).status_code == 303
    assert answers_of(app, slug) == [("Ben", "yes", 0, "")]


def test_removing_an_answer_without_owner_access_is_403(app, browser, make_browser, make_event):
    slug = make_event()
    answer(make_browser(), slug)
    url = f"/events/{slug}/answers/{rsvp_ids(app, slug)[0]}/remove"
    assert browser.post(url).status_code == 403
    assert len(answers_of(app, slug)) == 1


@pytest.mark.parametrize("whose", ["unknown", "another-events"])
def test_removing_an_answer_not_of_this_event_is_404(
    app, make_browser, make_event, unlocked_owner, whose
):
    slug, other = make_event(), make_event()
    answer(make_browser(), other)
    rsvp_id = rsvp_ids(app, other)[0] + (1000 if whose == "unknown" else 0)
    assert unlocked_owner(slug).post(f"/events/{slug}/answers/{rsvp_id}/remove").status_code == 404
    assert len(answers_of(app, other)) == 1


@pytest.mark.parametrize("rsvp_id", [2**63 - 1, 2**63, 2**64, 10**30])
def test_removing_an_answer_id_no_database_can_hold_is_404(make_event, unlocked_owner, rsvp_id):
    slug = make_event()
    assert unlocked_owner(slug).post(f"/events/{slug}/answers/{rsvp_id}/remove").status_code == 404


@pytest.mark.parametrize("by", ["cookie", "change-link"])
def test_an_answer_cannot_be_withdrawn_once_answers_are_closed(app, closed_event, by):
    slug, ana = closed_event
    token = answer_token_of(ana, slug) if by == "change-link" else None
    refused = ana.post(f"/events/{slug}/rsvp/withdraw", data={"token": token} if token else {})
    assert refused.status_code == 409
    assert "Answers are closed for this event" in text_of(refused.get_data(as_text=True))
    assert [name for name, *_ in answers_of(app, slug)] == ["Ana"]


def answer_token_of(browser, slug: str) -> str:
    """The answer token a browser's cookie for the event holds."""
    cookie = browser.client.get_cookie(f"rsvp-{slug}", path=f"/events/{slug}")
    return URLSafeSerializer(browser.client.application.secret_key, salt="skedjit.rsvp").loads(
        cookie.value
    )


# Deleting, versions, escaping


@pytest.mark.parametrize("how", ["delete-form", "raw-sql"])
def test_deleting_the_event_deletes_its_answers(
    app, browser, make_browser, create_event_as, make_event, how
):
    slug, other = create_event_as(browser), make_event()
    for event_slug in (slug, slug, other):
        answer(make_browser(), event_slug)
    assert len(rsvp_ids(app)) == 3
    if how == "delete-form":
        assert browser.post(f"/events/{slug}/delete").status_code == 303
    else:
        with app.app_context():
            db.session.execute(text("DELETE FROM events WHERE slug = :slug"), {"slug": slug})
            db.session.commit()
    assert len(rsvp_ids(app)) == 1
    assert len(answers_of(app, other)) == 1


def test_answers_bump_answers_version_not_the_calendar_sequence(browser, make_event, load_event):
    slug = make_event()
    before = load_event(slug)
    answer(browser, slug)
    answer(browser, slug, response="maybe")
    browser.post(f"/events/{slug}/rsvp/withdraw")
    after = load_event(slug)
    assert after.version == before.version
    assert after.answers_version == before.answers_version + 3
    assert b"SEQUENCE:0" in browser.get(f"/events/{slug}.ics").data


def test_friend_gets_a_new_etag_after_someone_else_answers(make_browser, make_event):
    slug = make_event()
    friend = make_browser()
    etag = friend.get(f"/events/{slug}").headers["ETag"]
    assert friend.get(f"/events/{slug}", headers={"If-None-Match": etag}).status_code == 304
    answer(make_browser(), slug, name="Ben")
    response = friend.get(f"/events/{slug}", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response.headers["ETag"] != etag
    assert "Going (1) Ben" in text_of(html_of(response))


@pytest.mark.parametrize("where", ["event-page", "owners-list"])
def test_html_in_names_and_notes_is_escaped(make_browser, make_event, unlocked_owner, where):
    slug = make_event()
    friend = make_browser()
    answer(friend, slug, name="<script>alert(1)</script>", note="<b>bold</b>")
    if where == "event-page":
        html = page_of(friend, slug)  # with the "Thanks, <name>!" message
    else:
        html = html_of(unlocked_owner(slug).get(f"/events/{slug}/answers"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<b>bold</b>" not in html


def test_the_change_link_says_answers_are_closed_instead_of_offering_its_forms(closed_event):
    slug, ana = closed_event
    page = ana.get(f"/events/{slug}/rsvp/{answer_token_of(ana, slug)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Answers are closed for this event, so your answer stays as it is." in text_of(html)
    assert "rsvp/withdraw" not in html
    assert 'name="response"' not in html
