"""What a friend's browser gets from the event page: the calendar file and their own time."""

import re
from datetime import datetime
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.dates import format_time
from icalendar import Calendar
from playwright.sync_api import expect

from skedjit.timezones import format_offset

from .conftest import EVENT
from .conftest import EVENT_DATE
from .conftest import create_event

PARIS = ZoneInfo(EVENT["timezone"])
STARTS_AT = datetime.combine(EVENT_DATE, time(19, 30), tzinfo=PARIS)


def test_the_ics_download_is_named_after_the_event_and_holds_it(new_page):
    path = create_event(new_page())
    friend = new_page()
    friend.goto(path)

    with friend.expect_download() as download_info:
        friend.get_by_role("link", name="Download .ics file").click()
    download = download_info.value

    assert download.suggested_filename == "board-games-night-at-anas.ics"
    content = Path(download.path()).read_bytes()
    assert f"DTSTART;TZID=Europe/Paris:{STARTS_AT:%Y%m%dT%H%M%S}".encode() in content
    (event,) = Calendar.from_ical(content).walk("VEVENT")
    assert str(event["SUMMARY"]) == EVENT["title"]
    assert event["LOCATION"] == EVENT["location"]
    assert event.decoded("DTSTART") == STARTS_AT
    assert event.decoded("DTSTART").tzinfo.key == "Europe/Paris"
    assert event["URL"] == friend.url


@pytest.mark.parametrize(("zone", "locale"), [("America/New_York", "en-US"), ("UTC", "en-GB")])
def test_a_viewer_in_another_zone_sees_their_time_written_as_the_events(new_page, zone, locale):
    path = create_event(new_page())
    friend = new_page(timezone_id=zone, locale=locale)
    friend.goto(path)

    here = STARTS_AT.astimezone(ZoneInfo(zone))
    zone_label = "UTC" if zone == "UTC" else f"{zone}, {format_offset(here)}"
    if locale == "en-GB":  # Skedjit's own English
        day, clock = f"{here:%A} {here.day} {here:%B %Y}", f"{here:%H:%M}"
        event_time = r"\w+ \d+ \w+ \d{4}, \d\d:\d\d \(Europe/Paris, UTC\+0[12]:00\)"
    else:  # the reader's: the browser's Intl and the server's Babel write it alike
        day = format_date(here, "full", locale="en_US")
        clock = format_time(here, "short", locale="en_US")
        event_time = r"\w+, \w+ \d+, \d{4}, \d+:\d\d\s[AP]M \(Paris, UTC\+0[12]:00\)"
    viewer_time = friend.locator(".viewer-time")
    expect(viewer_time).not_to_have_text("")
    said = viewer_time.inner_text().replace("\u202f", " ")
    assert said == f"Your time: {day}, {clock} ({zone_label})".replace("\u202f", " ")
    assert re.fullmatch(event_time, friend.locator("time.event-time").inner_text())


def test_a_viewer_in_the_events_zone_sees_no_second_time(new_page):
    path = create_event(new_page())
    friend = new_page(timezone_id=EVENT["timezone"], locale="en-GB")
    friend.goto(path)

    expect(friend.locator("time.event-time")).to_contain_text("19:30 (Europe/Paris")
    expect(friend.get_by_role("button", name="Copy link")).to_be_visible()  # the script ran
    expect(friend.locator(".viewer-time")).to_be_hidden()
    expect(friend.locator(".viewer-time")).to_have_text("")
