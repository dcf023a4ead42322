"""Creating an event through the form: what is stored and what is refused."""

import re
from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import func
from sqlalchemy import select

from skedjit.events import service
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.slugs import ALPHABET
from tests.helpers.apps import count_rows
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.html import input_value


def stored_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Event))


def test_home_page_links_to_the_create_form(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/create"' in response.get_data(as_text=True)


def test_create_form_has_a_label_for_every_input(client):
    html = client.get("/create").get_data(as_text=True)
    for name in (
        "title",
        "date",
        "time",
        "timezone",
        "location",
        "description",
        "password",
        "password_confirm",
    ):
        assert f'<label for="{name}">' in html
        assert f'name="{name}"' in html
    assert 'type="date"' in html
    assert 'type="time"' in html


def test_create_form_defaults_to_utc_and_lets_the_browser_pick_its_zone(client):
    html = client.get("/create").get_data(as_text=True)
    assert re.findall(r'<option [^>]*selected value="([^"]+)"', html) == ["UTC"]
    assert "data-auto-zone" in html


def test_the_zone_list_gives_current_names_and_the_old_ones_beside_them(client):
    html = client.get("/create").get_data(as_text=True)
    assert '<option data-links="Asia/Calcutta" value="Asia/Kolkata">' in html
    assert '<option data-links="Europe/Kiev' in html
    assert 'value="Europe/Kyiv">' in html
    for old in ("Asia/Calcutta", "Europe/Kiev", "US/Pacific"):
        assert f'value="{old}"' not in html


def test_an_old_zone_name_sent_by_the_form_is_stored_under_its_current_name(
    browser, create_event_as, load_event
):
    event = load_event(create_event_as(browser, timezone="Asia/Calcutta", time="19:30"))
    assert event.timezone == "Asia/Kolkata"
    assert event.starts_at == datetime(2054, 12, 12, 14, 0, tzinfo=UTC)


def test_create_stores_the_event_and_redirects_to_its_page(browser, load_event):
    response = browser.post("/create", data=event_form())
    assert response.status_code == 303
    slug = response.headers["Location"].removeprefix("/events/")
    event = load_event(slug)
    assert event.title == "Board games at Ana's"
    assert event.starts_at == datetime(2054, 12, 12, 18, 30, tzinfo=UTC)
    assert event.timezone == "Europe/Paris"
    assert event.location == "12 Rue de la Paix, Paris"
    assert event.description == "Bring snacks.\nWe start on time."
    assert event.version == 1


def test_slug_is_six_characters_of_the_alphabet(browser, create_event_as):
    slug = create_event_as(browser)
    assert len(slug) == 6
    assert set(slug) <= set(ALPHABET)


def test_password_is_stored_as_a_bcrypt_hash(browser, create_event_as, load_event):
    event = load_event(create_event_as(browser))
    assert event.password_hash != PASSWORD
    assert PASSWORD not in event.password_hash
    assert event.password_hash.startswith("$2b$04$")


def test_creator_lands_on_the_page_with_owner_access(browser, create_event_as):
    slug = create_event_as(browser)
    html = browser.get(f"/events/{slug}").get_data(as_text=True)
    assert "Your event is ready" in html
    assert "without the password" in html


def test_text_is_trimmed_and_newlines_normalised(browser, create_event_as, load_event):
    slug = create_event_as(
        browser, title="  Dinner  ", location=" Home ", description="\r\nOne\r\nTwo\r\n"
    )
    event = load_event(slug)
    assert (event.title, event.location, event.description) == ("Dinner", "Home", "One\nTwo")


def test_location_and_description_are_optional(browser, create_event_as, load_event):
    event = load_event(create_event_as(browser, location="", description=""))
    assert (event.location, event.description) == ("", "")


def test_zero_seconds_in_the_time_are_accepted(browser, create_event_as, load_event):
    event = load_event(create_event_as(browser, time="19:30:00", timezone="UTC"))
    assert event.starts_at == datetime(2054, 12, 12, 19, 30, tzinfo=UTC)


@pytest.mark.parametrize("field", ["time", "end_time"])
def test_a_time_with_seconds_is_refused_not_dropped(app, browser, field):
    refused = browser.post(
        "/create", data=event_form(**{field: "19:30:15", "end_date": "2054-12-13"})
    )
    assert refused.status_code == 400
    assert "Enter the time as HH:MM on a 24-hour clock" in refused.get_data(as_text=True)
    assert input_value(refused.get_data(as_text=True), field) == "19:30:15"
    assert count_rows(app, Event) == 0


def test_past_dates_are_allowed(browser, create_event_as):
    slug = create_event_as(browser, date="2001-05-04")
    assert "This event has passed." in browser.get(f"/events/{slug}").get_data(as_text=True)


def test_ambiguous_time_takes_the_first_occurrence(browser, create_event_as, load_event):
    # 02:30 happens twice in Paris on 25 October 2026; the first is still summer time.
    event = load_event(create_event_as(browser, date="2026-10-25", time="02:30"))
    assert event.starts_at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_password_of_exactly_72_bytes_is_accepted(browser, create_event_as, load_event):
    password = "é" * 36
    assert len(password.encode()) == 72
    slug = create_event_as(browser, password=password, password_confirm=password)
    assert load_event(slug) is not None


BAD_FIELDS = [
    pytest.param({"title": ""}, "title", "Give the event a title.", id="no-title"),
    pytest.param({"title": "   "}, "title", "Give the event a title.", id="blank-title"),
    pytest.param(
        {"title": "\u200b \ufeff"}, "title", "Give the event a title.", id="invisible-title"
    ),
    pytest.param({"title": "x" * 121}, "title", "120 characters", id="long-title"),
    pytest.param({"date": ""}, "date", "Choose the date.", id="no-date"),
    pytest.param({"date": " \r"}, "date", "Choose the date.", id="blank-date"),
    pytest.param({"date": "2026-02-30"}, "date", "Enter a real date", id="feb-30"),
    pytest.param({"date": "12/12/2026"}, "date", "Enter a real date", id="date-format"),
    pytest.param({"date": "0001-01-01"}, "date", "between the years", id="year-1"),
    pytest.param({"date": "9999-12-31"}, "date", "between the years", id="year-9999"),
    pytest.param({"time": ""}, "time", "Choose the start time.", id="no-time"),
    pytest.param({"time": "\t"}, "time", "Choose the start time.", id="blank-time"),
    pytest.param({"time": "25:00"}, "time", "HH:MM", id="hour-25"),
    pytest.param({"time": "7pm"}, "time", "HH:MM", id="time-format"),
    pytest.param({"timezone": "Mars/Olympus"}, "timezone", "from the list", id="unknown-zone"),
    pytest.param({"timezone": "localtime"}, "timezone", "from the list", id="localtime"),
    pytest.param({"timezone": "Factory"}, "timezone", "from the list", id="factory"),
    pytest.param({"timezone": "posixrules"}, "timezone", "from the list", id="posixrules"),
    pytest.param({"timezone": ""}, "timezone", "Choose a time zone", id="no-zone"),
    pytest.param({"date": "2026-03-29", "time": "02:30"}, "time", "does not exist", id="dst-gap"),
    pytest.param({"location": "x" * 201}, "location", "200 characters", id="long-place"),
    pytest.param({"description": "x" * 5001}, "description", "5000", id="long-text"),
    pytest.param({"title": "a\x00b"}, "title", "control character", id="nul-title"),
    pytest.param({"title": "a\nb"}, "title", "control character", id="newline-title"),
    pytest.param({"location": "a\x07b"}, "location", "control character", id="bell-place"),
    pytest.param({"description": "a\x00b"}, "description", "U+0000", id="nul-text"),
    pytest.param({"description": "a\x1bb"}, "description", "U+001B", id="esc-text"),
    pytest.param({"title": "a\ufffeb"}, "title", "U+FFFE, which is not", id="nonchar-title"),
    pytest.param({"location": "\U0010ffff"}, "location", "U+10FFFF", id="nonchar-place"),
    pytest.param(
        {"password": "", "password_confirm": ""}, "password", "Choose a password", id="no-pw"
    ),
    pytest.param(
        {"password": "short", "password_confirm": "short"}, "password", "8", id="short-pw"
    ),
    pytest.param(
        {"password": "é" * 37, "password_confirm": "é" * 37}, "password", "72", id="73-bytes"
    ),
    pytest.param(
        {"password": "pass\x00word1", "password_confirm": "pass\x00word1"},
        "password",
        "control character",
        id="nul-pw",
    ),
    pytest.param({"password_confirm": "something else"}, "password_confirm", "differ", id="pw-2"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_FIELDS)
def test_bad_field_is_400_with_its_message_and_nothing_stored(
    app, browser, overrides, field, message
):
    response = browser.post("/create", data=event_form(**overrides))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html
    assert stored_count(app) == 0


def test_refused_form_keeps_the_input_but_not_the_passwords(browser):
    fields = event_form(date="2026-02-30", title="Rock & <roll>", password="secret-pw-1")
    fields["password_confirm"] = "secret-pw-1"
    html = browser.post("/create", data=fields).get_data(as_text=True)
    assert 'value="Rock &amp; &lt;roll&gt;"' in html
    assert 'value="2026-02-30"' in html
    assert 'value="19:30"' in html
    assert '<option selected value="Europe/Paris">' in html
    assert "12 Rue de la Paix, Paris" in html
    assert "Bring snacks.\nWe start on time." in html
    assert "secret-pw-1" not in html
    assert "data-auto-zone" not in html


def input_tag(html: str, field_id: str) -> str:
    match = re.search(rf'<input [^>]*id="{field_id}"[^>]*>', html)
    assert match, f"no input {field_id}"
    return match.group(0)


@pytest.mark.parametrize(("field", "typed"), [("date", "12/12/2026"), ("time", "7pm")])
def test_a_date_or_time_no_browser_checked_comes_back_as_the_text_typed(browser, field, typed):
    html = browser.post("/create", data=event_form(**{field: typed})).get_data(as_text=True)
    tag = input_tag(html, field)
    assert 'type="text"' in tag
    assert f'value="{typed}"' in tag


def test_a_readable_date_and_time_keep_their_pickers(browser):
    html = browser.post("/create", data=event_form(title="")).get_data(as_text=True)
    assert 'type="date"' in input_tag(html, "date")
    assert 'type="time"' in input_tag(html, "time")


def test_a_control_character_comes_back_visible_where_it_was(browser):
    html = browser.post("/create", data=event_form(location="a\x07b")).get_data(as_text=True)
    assert 'name="location" type="text" value="a\ufffdb"' in html
    assert "\x07" not in html


def test_html_in_fields_is_shown_as_text(browser, create_event_as):
    script = "<script>alert(1)</script>"
    slug = create_event_as(browser, title=script, location=script, description=script)
    html = browser.get(f"/events/{slug}").get_data(as_text=True)
    assert script not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3


EXPIRED = "This form expired: check it and send it again."


def test_missing_csrf_token_shows_the_form_again_with_what_was_typed(app, client):
    response = client.post("/create", data=event_form(title="Kept as typed"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert EXPIRED in html
    assert input_value(html, "title") == "Kept as typed"
    assert input_value(html, "password") in (None, "")  # passwords are typed again
    assert stored_count(app) == 0


def test_wrong_csrf_token_is_400_and_the_form_comes_back_with_a_fresh_one(app, browser):
    response = browser.client.post("/create", data={**event_form(), "csrf_token": "forged"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert EXPIRED in html
    assert stored_count(app) == 0
    resent = browser.client.post(
        "/create", data={**event_form(), "csrf_token": csrf_token_in(html)}
    )
    assert resent.status_code == 303


def test_csrf_token_of_another_browser_is_refused(app, make_browser):
    someone, attacker = make_browser(), make_browser()
    data = {**event_form(), "csrf_token": someone.csrf_token}
    assert attacker.client.post("/create", data=data).status_code == 400
    assert stored_count(app) == 0


def test_body_over_64_kib_is_413(app, browser):
    response = browser.post("/create", data=event_form(description="x" * (65 * 1024)))
    assert response.status_code == 413
    assert "Too much data" in response.get_data(as_text=True)
    assert stored_count(app) == 0


def test_slug_collision_is_retried(app, browser, create_event_as, monkeypatch):
    first = create_event_as(browser)
    draws = iter([first, first, first, "Zz9Zz9"])
    monkeypatch.setattr(service, "new_slug", lambda: next(draws))
    second = create_event_as(browser, title="Second")
    assert second == "Zz9Zz9"
    assert stored_count(app) == 2


def test_slug_collisions_give_up_after_a_bounded_number_of_tries(app, make_event, monkeypatch):
    taken = make_event()
    monkeypatch.setattr(service, "new_slug", lambda: taken)
    fields = {
        "title": "Clash",
        "starts_at": datetime(2026, 1, 1, tzinfo=UTC),
        "timezone": "UTC",
        "location": "",
        "description": "",
    }
    with app.app_context(), pytest.raises(service.SlugsExhaustedError):
        service.create_event(fields, PASSWORD)
    assert stored_count(app) == 1


def test_a_password_may_hold_a_noncharacter_as_it_is_never_shown(browser):
    password = "pass\ufffeword"
    fields = event_form(password=password, password_confirm=password)
    assert browser.post("/create", data=fields).status_code == 303


def test_the_same_form_sent_twice_makes_one_event_and_one_receipt(app, mail_app, mail_server):
    browser = Browser(mail_app.test_client())
    page = browser.client.get("/create").get_data(as_text=True)
    nonce = input_value(page, "nonce")
    assert nonce
    fields = event_form(
        owner_email="owner@example.org", nonce=nonce, csrf_token=csrf_token_in(page)
    )

    first = browser.client.post("/create", data=fields)
    again = browser.client.post("/create", data=fields)  # a double click, or Back and send

    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert stored_count(app) == 1
    assert len(mail_server.to("owner@example.org")) == 1


def test_a_nonce_with_another_password_makes_its_own_event(app, browser):
    page = browser.client.get("/create").get_data(as_text=True)
    fields = event_form(nonce=input_value(page, "nonce"), csrf_token=csrf_token_in(page))
    first = browser.client.post("/create", data=fields)
    other = "another password entirely"
    second = browser.client.post(
        "/create", data=fields | {"password": other, "password_confirm": other}
    )
    assert second.status_code == 303
    assert second.headers["Location"] != first.headers["Location"]
    assert stored_count(app) == 2
