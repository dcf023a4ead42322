"""A date poll in Chromium: the owner offers three dates, three friends vote in their own
browsers (one without JavaScript), the owner picks the best date, and each voter finds
their vote carried over as their answer, with the event's calendar file."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import EVENT
from .conftest import PASSWORD
from .conftest import BrowserErrors

FIRST_DAY = date.today() + timedelta(days=24)  # weeks ahead, so no date is ever past
DATES = [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(3)]
TIMES = ["19:30", "19:30", "12:00"]
#: Each friend's votes on the three dates, and whether their browser runs scripts. The
#: second date is the best (one yes, one if need be); each said something else on it.
VOTERS = {
    "Ana": (["No", "Yes", "No"], True),
    "Ben": (["Yes", "If need be", "No"], False),
    "Chloé": (["No", "No", "If need be"], True),
}
#: The second date's start as the page's <time> gives it, in UTC.
PICKED_AT = (
    datetime.combine(date.fromisoformat(DATES[1]), time(19, 30), ZoneInfo(EVENT["timezone"]))
    .astimezone(UTC)
    .isoformat()
)
CARRIED_OVER = {"Ana": "Going", "Ben": "Maybe", "Chloé": "Can't go"}


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def create_poll(page) -> str:
    """Offer the three dates through the poll's create form; the event's path."""
    page.goto("/create")
    page.get_by_role("link", name="Not sure of the date yet? Let friends vote").click()
    page.get_by_label("Title").fill(EVENT["title"])
    for number, (day, start) in enumerate(zip(DATES, TIMES, strict=True), 1):
        page.get_by_label(f"Option {number}: date").fill(day)
        page.get_by_label(f"Option {number}: start time").fill(start)
    page.get_by_label("Option 2: end time (optional)").fill("23:00")
    page.get_by_label("Time zone").select_option(EVENT["timezone"])
    page.get_by_label("Place").fill(EVENT["location"])
    page.get_by_label("Edit password", exact=True).fill(PASSWORD)
    page.get_by_label("Edit password again").fill(PASSWORD)
    page.get_by_role("button", name="Create poll").click()
    page.wait_for_url("**/events/*")
    expect(page.locator(".flash")).to_contain_text("Your poll is ready.")
    return urlsplit(page.url).path


def test_friends_vote_the_owner_picks_and_each_finds_their_answer(new_context):
    owner_context = new_context()
    owner = owner_context.new_page()
    errors = [BrowserErrors(owner_context)]
    path = create_poll(owner)
    expect(owner.locator(".poll-option")).to_have_count(3)

    voters = {}
    for name, (votes, javascript) in VOTERS.items():
        context = new_context(java_script_enabled=javascript)
        errors.append(BrowserErrors(context))
        page = voters[name] = context.new_page()
        page.goto(path)
        for option, choice in zip(page.locator(".poll-option").all(), votes, strict=True):
            option.get_by_label(choice, exact=True).check()
        page.get_by_label("Your name").fill(name)
        page.get_by_role("button", name="Send my votes").click()
        expect(page.locator(".flash")).to_contain_text(f"Thanks, {name}! Your votes are saved.")
        expect(page.locator(".my-answer")).to_contain_text("You voted.")

    friend = voters["Chloé"]
    expect(friend.locator(".headcount")).to_have_text("3 people voted")
    tallies = friend.locator(".poll-option .tally")
    expect(tallies).to_have_text(
        [
            "1 yes · 0 if need be · 2 no",
            "1 yes · 1 if need be · 1 no",
            "0 yes · 1 if need be · 2 no",
        ]
    )
    best = friend.locator(".poll-option.best")
    expect(best).to_have_count(1)
    expect(best.locator("time")).to_have_attribute("datetime", PICKED_AT)
    expect(best.locator(".best-mark")).to_have_text("Best so far: most yes, then most if need be.")
    expect(best.locator(".voters")).to_have_text(["Yes: Ana", "If need be: Ben", "No: Chloé"])
    # Chloé's own votes stay marked on the form.
    expect(best.get_by_label("No", exact=True)).to_be_checked()
    assert no_sideways_scroll(friend), "the poll is wider than a phone"

    owner.get_by_role("link", name="Manage the poll", exact=False).click()
    expect(owner.get_by_role("heading", level=1)).to_have_text(
        f"The date poll of “{EVENT['title']}”"
    )
    assert no_sideways_scroll(owner), "the owner's poll page is wider than a phone"
    picked = owner.locator(".poll-option.best")
    expect(picked).to_contain_text("1 yes · 1 if need be · 1 no")
    picked.get_by_role("button", name="Pick this date").click()
    owner.wait_for_url(f"**{path}")
    expect(owner.locator(".flash")).to_contain_text("The date is picked.")
    expect(owner.locator(".poll-option")).to_have_count(0)
    expect(owner.locator(".event-facts time.event-time")).to_have_attribute("datetime", PICKED_AT)

    for name, page in voters.items():
        page.goto(path)
        expect(page.locator(".my-answer")).to_have_text(f"Your answer: {CARRIED_OVER[name]}.")
        expect(page.get_by_label(CARRIED_OVER[name], exact=True)).to_be_checked()
    ana = voters["Ana"]
    with ana.expect_download() as downloading:
        ana.get_by_role("link", name="Download .ics file").click()
    ics = Path(downloading.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in ics
    assert f"DTSTART;TZID=Europe/Paris:{DATES[1].replace('-', '')}T193000" in ics, ics
    expect(ana.locator(".poll-option")).to_have_count(0)
    assert ana.request.get(f"{path}/poll").status == 404  # the poll is over
    assert [found for error in errors for found in error.found] == []
