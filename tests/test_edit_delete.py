"""Editing and deleting an event: owner access, the password, and what is stored."""

import re
import time
from datetime import UTC
from datetime import datetime
from html import unescape

import pytest

from skedjit.extensions import db
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.html import input_tag
from tests.helpers.html import input_value
from tests.helpers.html import text_of as text

NEW_PASSWORD = "a brand new secret"
EDITED_START = datetime(2054, 12, 19, 19, 0, tzinfo=UTC)  # 20:00 in Paris


#: The edit these tests make: the event moves indoors, a week later.
MOVED = {"title": "Picnic, moved indoors", "date": "2054-12-19", "time": "20:00"}


def moved(version: int = 1, **overrides) -> dict:
    return edit_fields(version, **(MOVED | overrides))


def snapshot(event) -> tuple:
    return (event.title, event.starts_at, event.password_hash, event.version)


def assert_unchanged(load_event, slug: str, before: tuple) -> None:
    assert snapshot(load_event(slug)) == before


# -- The edit form ------------------------------------------------------------


def selected_zones(html: str) -> list[str]:
    """The zones chosen in the form's time-zone list."""
    zones = re.search(r'<select [^>]*name="timezone".*?</select>', html, re.S)[0]
    return re.findall(r"<option [^>]*selected[^>]*value=\"([^\"]+)\"", zones)


def test_an_event_stored_under_an_old_zone_name_keeps_working(browser, make_event):
    slug = make_event(starts_at=datetime(2054, 7, 10, 14, 0, tzinfo=UTC), timezone="Asia/Calcutta")
    page = browser.get(f"/events/{slug}")
    assert page.status_code == 200
    assert "Friday 10 July 2054, 19:30 (Asia/Calcutta, UTC+05:30)" in page.get_data(as_text=True)
    assert browser.get(f"/events/{slug}.ics").status_code == 200
    html = browser.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert selected_zones(html) == ["Asia/Kolkata"]
    assert input_value(html, "time") == "19:30"


def test_edit_form_is_prefilled_in_the_events_own_zone(browser, make_event):
    slug = make_event(
        title="Picnic & games",
        starts_at=datetime(2054, 7, 11, 2, 30, tzinfo=UTC),
        timezone="America/Los_Angeles",
        location="Griffith Park",
        description="Bring water.\nAnd hats.",
    )
    response = browser.get(f"/events/{slug}/edit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert input_value(html, "title") == "Picnic & games"
    assert input_value(html, "date") == "2054-07-10"
    assert input_value(html, "time") == "19:30"
    assert selected_zones(html) == ["America/Los_Angeles"]
    assert input_value(html, "location") == "Griffith Park"
    textarea = re.search(r'<textarea[^>]*name="description"[^>]*>(.*?)</textarea>', html, re.S)
    assert re.sub(r"^\r?\n", "", textarea.group(1)) == "Bring water.\nAnd hats."  # HTML drops it


@pytest.mark.parametrize("page", ["edit", "delete"])
def test_form_asks_for_the_password_only_without_owner_access(
    browser, make_browser, create_event_as, page
):
    slug = create_event_as(browser)
    owner_page = browser.get(f"/events/{slug}/{page}")
    friend_page = make_browser().get(f"/events/{slug}/{page}")
    assert owner_page.status_code == friend_page.status_code == 200
    assert input_tag(owner_page.get_data(as_text=True), "password") is None
    assert 'type="password"' in input_tag(friend_page.get_data(as_text=True), "password")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("page", ["edit", "delete"])
def test_unknown_event_is_404(browser, make_event, page, method):
    slug = make_event()
    unknown = "abcdef" if slug != "abcdef" else "bcdefg"
    url = f"/events/{unknown}/{page}"
    response = browser.get(url) if method == "GET" else browser.post(url, moved())
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("page", ["edit", "delete"])
def test_other_methods_on_edit_and_delete_are_405(client, make_event, page, method):
    slug = make_event()
    response = client.open(f"/events/{slug}/{page}", method=method)
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}
    assert "Not allowed here" in response.get_data(as_text=True)


# -- Editing --------------------------------------------------------------------


def test_edit_with_the_right_password_is_stored_and_redirects(browser, make_event, load_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}/edit", moved(password=PASSWORD, location="Hall"))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{slug}"
    event = load_event(slug)
    assert event.title == "Picnic, moved indoors"
    assert event.starts_at == EDITED_START
    assert event.timezone == "Europe/Paris"
    assert event.location == "Hall"
    assert event.description == "Bring snacks.\nWe start on time."


def test_event_page_confirms_the_saved_changes(browser, make_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}/edit", moved(password=PASSWORD))
    page = text(browser.get(response.headers["Location"]))
    assert "Your changes are saved." in page
    assert "Picnic, moved indoors" in page
    assert "Saturday 19 December 2054, 20:00 (Europe/Paris, UTC+01:00)" in page


def test_editing_bumps_the_stored_version(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    version = load_event(slug).version
    assert browser.post(f"/events/{slug}/edit", moved()).status_code == 303
    assert load_event(slug).version == version + 1


def test_friend_without_password_is_400_and_changes_nothing(browser, make_event, load_event):
    slug = make_event()
    before = snapshot(load_event(slug))
    response = browser.post(f"/events/{slug}/edit", moved())
    assert response.status_code == 400
    assert "Enter the event's password." in text(response)
    assert_unchanged(load_event, slug, before)


def test_wrong_password_is_403_and_changes_nothing(browser, make_event, load_event):
    slug = make_event()
    before = snapshot(load_event(slug))
    response = browser.post(f"/events/{slug}/edit", moved(password="not the password 42"))
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "That is not this event's password." in unescape(html)
    assert input_value(html, "title") == "Picnic, moved indoors"
    assert input_value(html, "password") == ""
    assert "not the password 42" not in html
    assert_unchanged(load_event, slug, before)


def test_right_password_gives_that_browser_owner_access(browser, make_event, load_event):
    slug = make_event()
    assert browser.post(f"/events/{slug}/edit", moved(password=PASSWORD)).status_code == 303
    response = browser.post(f"/events/{slug}/edit", moved(2, title="Second change"))
    assert response.status_code == 303
    assert load_event(slug).title == "Second change"


def test_creator_edits_without_any_password(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    response = browser.post(f"/events/{slug}/edit", moved())
    assert response.status_code == 303
    assert load_event(slug).title == "Picnic, moved indoors"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "Give the event a title."),
        ({"title": "x" * 121}, "title", "Keep the title to 120 characters or fewer."),
        ({"date": "2026-02-30"}, "date", "Enter a real date as YYYY-MM-DD"),
        ({"time": "25:00"}, "time", "Enter the time as HH:MM"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone", "Choose a time zone from the list."),
        ({"date": "2026-03-29", "time": "02:30"}, "time", "02:30 does not exist on that day"),
        ({"location": "x" * 201}, "location", "Keep the place to 200 characters or fewer."),
        ({"new_password": "short", "new_password_confirm": "short"}, "new_password", "at least 8"),
        ({"new_password": NEW_PASSWORD}, "new_password_confirm", "The two new passwords differ."),
    ],
    ids=[
        "empty-title",
        "long-title",
        "feb-30",
        "bad-time",
        "unknown-zone",
        "dst-gap",
        "long-place",
        "short-new-password",
        "new-password-mismatch",
    ],
)
def test_bad_field_is_400_with_message_beside_it_and_changes_nothing(
    browser, make_event, load_event, overrides, field, message
):
    slug = make_event()
    before = snapshot(load_event(slug))
    response = browser.post(f"/events/{slug}/edit", moved(password=PASSWORD, **overrides))
    assert response.status_code == 400
    beside = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', response.text)
    assert beside, f"no error beside {field}"
    assert message in unescape(beside.group(1))
    assert_unchanged(load_event, slug, before)


@pytest.mark.parametrize("field", ["password", "new_password"])
def test_password_over_72_bytes_is_refused_without_error_500(
    browser, make_event, load_event, field
):
    slug = make_event()
    before = snapshot(load_event(slug))
    too_long = "é" * 40  # 80 bytes of UTF-8
    fields = {"password": PASSWORD, field: too_long, "new_password_confirm": too_long}
    response = browser.post(f"/events/{slug}/edit", moved(**fields))
    assert response.status_code in (400, 403)
    assert "at most 72 bytes" in text(response)
    assert_unchanged(load_event, slug, before)


@pytest.mark.parametrize(("password", "status"), [(PASSWORD, 403), (NEW_PASSWORD, 303)])
def test_new_password_replaces_the_old_one(
    browser, make_browser, create_event_as, password, status
):
    slug = create_event_as(browser)
    change = moved(new_password=NEW_PASSWORD, new_password_confirm=NEW_PASSWORD)
    assert browser.post(f"/events/{slug}/edit", change).status_code == 303
    response = make_browser().post(f"/events/{slug}/edit", moved(2, password=password))
    assert response.status_code == status


def change_password_with_a_second_owner(browser, make_browser, create_event_as):
    """The creator changes the password after a friend gained owner access with it."""
    slug = create_event_as(browser)
    friend = make_browser()
    assert friend.post(f"/events/{slug}/edit", moved(password=PASSWORD)).status_code == 303
    assert friend.post(f"/events/{slug}/edit", moved(2, title="Friend")).status_code == 303
    change = moved(3, new_password=NEW_PASSWORD, new_password_confirm=NEW_PASSWORD)
    assert browser.post(f"/events/{slug}/edit", change).status_code == 303
    return slug, friend


def test_new_password_revokes_other_browsers_owner_access(
    browser, make_browser, create_event_as, load_event
):
    slug, friend = change_password_with_a_second_owner(browser, make_browser, create_event_as)
    response = friend.post(f"/events/{slug}/edit", moved(4, title="Too late"))
    assert response.status_code == 400
    assert "Enter the event's password." in text(response)
    assert load_event(slug).title == "Picnic, moved indoors"


def test_browser_that_changed_the_password_keeps_owner_access(
    browser, make_browser, create_event_as, load_event
):
    slug, _friend = change_password_with_a_second_owner(browser, make_browser, create_event_as)
    response = browser.post(f"/events/{slug}/edit", moved(4, title="Still mine"))
    assert response.status_code == 303
    assert load_event(slug).title == "Still mine"


@pytest.mark.parametrize(("hours_later", "status"), [(11.5, 303), (12.1, 400)])
def test_owner_access_lasts_twelve_hours(
    browser, create_event_as, monkeypatch, hours_later, status
):
    slug = create_event_as(browser)
    later = time.time() + hours_later * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    response = Browser(browser.client).post(f"/events/{slug}/edit", moved())  # fresh token
    assert response.status_code == status
    assert "This form has expired" not in text(response)


def test_failed_commit_rolls_back_and_shows_a_500_page(
    app, browser, make_event, load_event, count_queries, monkeypatch
):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    slug = make_event()
    before = snapshot(load_event(slug))

    def flush_then_fail():
        db.session.flush()
        raise RuntimeError("commit failed: disk full")

    with monkeypatch.context() as patch, count_queries() as statements:
        patch.setattr(db.session, "commit", flush_then_fail)
        response = browser.post(f"/events/{slug}/edit", moved(password=PASSWORD))
    assert any(s.lstrip().upper().startswith("UPDATE") for s in statements)
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong on our side" in html
    assert "Traceback" not in html
    assert "disk full" not in html
    assert_unchanged(load_event, slug, before)


# -- Deleting -------------------------------------------------------------------


def test_delete_with_the_right_password_removes_the_event(browser, make_event, load_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}/delete", {"password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert load_event(slug) is None
    assert browser.get(f"/events/{slug}").status_code == 404


def test_home_page_confirms_the_deletion(browser, make_event):
    slug = make_event(title="Picnic")
    response = browser.post(f"/events/{slug}/delete", {"password": PASSWORD})
    page = text(browser.get(response.headers["Location"]))
    assert "“Picnic” is deleted. Its link no longer works." in page


def test_creator_deletes_without_any_password(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    response = browser.post(f"/events/{slug}/delete")
    assert response.status_code == 303
    assert load_event(slug) is None


@pytest.mark.parametrize(
    ("password", "status", "message"),
    [
        ("", 400, "Enter the event's password."),
        ("not the password 42", 403, "That is not this event's password."),
    ],
    ids=["missing", "wrong"],
)
def test_delete_refused_keeps_the_event(browser, make_event, load_event, password, status, message):
    slug = make_event()
    response = browser.post(f"/events/{slug}/delete", {"password": password})
    assert response.status_code == status
    assert message in text(response)
    assert load_event(slug) is not None
    assert browser.get(f"/events/{slug}").status_code == 200


@pytest.mark.parametrize("token", [None, "forged"])
def test_an_expired_edit_form_comes_back_as_typed_and_changes_nothing(
    browser, create_event_as, load_event, token
):
    slug = create_event_as(browser)
    data = edit_fields(title="Typed before it expired", description="A long note\nkept")
    if token:
        data["csrf_token"] = token
    response = browser.client.post(f"/events/{slug}/edit", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This form expired: check it and send it again." in text(response)
    assert input_value(html, "title") == "Typed before it expired"
    assert "A long note\nkept" in unescape(html)
    assert load_event(slug).title == "Board games at Ana's"
