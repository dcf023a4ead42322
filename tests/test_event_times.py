"""The optional end, how far away an event is, and how its times read."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from skedjit.event_page import data as page
from skedjit.timezones import describe_distance
from skedjit.timezones import format_end
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

PARIS = "Europe/Paris"
START = datetime(2054, 12, 12, 18, 30, tzinfo=UTC)  # 19:30 in Paris, a Saturday


@pytest.mark.parametrize(
    ("end_date", "end_time", "ends_at"),
    [
        ("", "23:00", datetime(2054, 12, 12, 22, 0, tzinfo=UTC)),
        ("2054-12-13", "01:30", datetime(2054, 12, 13, 0, 30, tzinfo=UTC)),
        ("", "", None),
    ],
)
def test_end_is_stored_in_the_events_zone(
    browser, create_event_as, load_event, end_date, end_time, ends_at
):
    slug = create_event_as(browser, end_date=end_date, end_time=end_time)
    assert load_event(slug).ends_at == ends_at


@pytest.mark.parametrize(
    ("end_date", "end_time", "message"),
    [
        ("", "19:30", "The end must be after the start."),
        ("", "18:00", "For an event past midnight, set the end date."),
        ("2054-12-11", "23:00", "The end must be after the start."),
        ("2054-12-13", "", "Add the end time, or clear the end date."),
        ("2026-03-29", "02:30", "does not exist on that day"),
        ("2026-02-30", "10:00", "Enter a real date"),
        ("", "25:00", "HH:MM"),
    ],
)
def test_bad_end_is_400_with_its_message(browser, end_date, end_time, message):
    response = browser.post("/create", data=event_form(end_date=end_date, end_time=end_time))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert 'id="end_time-error"' in html or 'id="end_date-error"' in html


def test_edit_form_shows_the_end_and_an_edit_can_remove_it(browser, create_event_as, load_event):
    slug = create_event_as(browser, end_date="2054-12-13", end_time="01:30")
    html = browser.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert 'value="2054-12-13"' in html
    assert 'value="01:30"' in html
    fields = edit_fields(end_date="", end_time="")
    assert browser.post(f"/events/{slug}/edit", data=fields).status_code == 303
    assert load_event(slug).ends_at is None


def test_page_shows_the_end(client, make_event):
    slug = make_event(
        starts_at=START, ends_at=START + timedelta(hours=3, minutes=30), timezone=PARIS
    )
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00)</time> until" in html
    assert ">23:00</time>" in html
    assert 'data-end="2054-12-12T22:00:00+00:00"' in html


def test_page_gives_the_instant_and_zone_for_the_viewers_own_time(client, make_event):
    slug = make_event(starts_at=START, timezone=PARIS)
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert '<time datetime="2054-12-12T18:30:00+00:00" data-zone="Europe/Paris"' in html
    # Empty and hidden until the script writes it, with its sentences in the page's language.
    assert re.search(
        r'<p class="viewer-time" data-your-time="Your time: %\(when\)s" '
        r'data-until="%\(start\)s until %\(end\)s" hidden></p>',
        html,
    )


def test_hide_preview_choice_is_stored_and_shown_on_the_edit_form(
    browser, create_event_as, load_event
):
    slug = create_event_as(browser, hide_preview="y")
    assert load_event(slug).hide_preview is True
    html = browser.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert 'checked id="hide_preview"' in html


def test_preview_choice_is_off_by_default(browser, create_event_as, load_event):
    assert load_event(create_event_as(browser)).hide_preview is False


@pytest.mark.parametrize(
    ("now", "ends_at", "expected"),
    [
        (START - timedelta(days=3), None, "in 3 days"),
        (START - timedelta(days=1), None, "tomorrow"),
        (START - timedelta(hours=2), None, "today, in 2 hours"),
        (START - timedelta(minutes=25), None, "today, in 25 minutes"),
        (START - timedelta(seconds=20), None, "today, in 1 minute"),
        (START - timedelta(minutes=10, seconds=-40), None, "today, in 10 minutes"),  # :20 past
        (START - timedelta(days=13), None, "in 13 days"),
        (START - timedelta(days=20), None, "in 3 weeks"),
        (START - timedelta(days=59), None, "in 8 weeks"),
        (START - timedelta(days=95), None, "in 3 months"),
        (START - timedelta(days=800), None, "in 2 years"),
        (START, None, "started 1 minute ago"),
        (START + timedelta(minutes=1), None, "started 1 minute ago"),
        (START + timedelta(minutes=50), None, "started 50 minutes ago"),
        (START + timedelta(minutes=119), None, "started 2 hours ago"),
        (START + timedelta(hours=2), None, "has passed"),
        (START + timedelta(hours=2), START + timedelta(hours=5), "started 2 hours ago"),
        (START + timedelta(hours=5), START + timedelta(hours=5), "has passed"),
    ],
)
def test_distance_in_plain_words(now, ends_at, expected):
    assert describe_distance(START, ends_at, PARIS, now) == expected


def test_tomorrow_counts_days_in_the_events_zone():
    # 23:30 UTC on the 11th is already the 12th in Paris: the event is "today".
    now = datetime(2054, 12, 11, 23, 30, tzinfo=UTC)
    assert describe_distance(START, None, PARIS, now) == "today, in 19 hours"


@pytest.mark.parametrize(
    ("ends_at", "expected"),
    [
        (START + timedelta(hours=2), "21:30"),
        (START + timedelta(hours=6), "Sunday 13 December 2054, 01:30"),
    ],
)
def test_format_end(ends_at, expected):
    assert format_end(START, ends_at, PARIS) == expected


def test_page_says_how_far_away_the_event_is(client, make_event, monkeypatch):
    monkeypatch.setattr(page, "utcnow", lambda: START - timedelta(days=3))
    slug = make_event(starts_at=START, timezone=PARIS)
    assert '<p class="distance">In 3 days.</p>' in client.get(f"/events/{slug}").get_data(
        as_text=True
    )
