"""What a friend's browser gets from the event page: the calendar file and their own time."""

import re
from datetime import datetime
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar
from playwright.sync_api import expect

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


def test_a_viewer_in_another_zone_also_sees_the_time_in_their_zone(new_page):
    path = create_event(new_page())
    friend = new_page(timezone_id="America/New_York", locale="en-GB")
    friend.goto(path)

    in_new_york = STARTS_AT.astimezone(ZoneInfo("America/New_York"))
    line = friend.locator(".viewer-time")
    expect(line).to_be_visible()
    # British English, as the context's locale asks: "Saturday, 19 December 2026 at 13:30 GMT-5".
    day = f"{in_new_york:%A}, {in_new_york.day} {in_new_york:%B %Y}"
    expect(line).to_have_text(re.compile(rf"Your time: {day} at {in_new_york:%H:%M} GMT-[45]"))


def test_a_viewer_in_the_events_zone_sees_no_second_time(new_page):
    path = create_event(new_page())
    friend = new_page(timezone_id=EVENT["timezone"], locale="en-GB")
    friend.goto(path)

    expect(friend.locator("time.event-time")).to_contain_text("19:30 (Europe/Paris")
    expect(friend.get_by_role("button", name="Copy link")).to_be_visible()  # the script ran
    expect(friend.locator(".viewer-time")).to_be_hidden()
    expect(friend.locator(".viewer-time")).to_have_text("")
