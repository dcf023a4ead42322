"""Screenshots of the main pages at phone and desktop size, saved in build/screenshots/.

Phone shots show the whole page, desktop shots the window. They are for people
to look at (the README's pictures are picked from them); the test checks only
that each page is the one it is named after.
"""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP
from .conftest import EVENT
from .conftest import PHONE
from .conftest import SCREENSHOTS
from .conftest import create_event
from .conftest import fill_event_form

pytestmark = pytest.mark.screenshots

ANSWERS = [
    ("Chloé", "Going", "Bringing Carcassonne."),
    ("Marco", "Going", ""),
    ("Priya", "Maybe", "Back from Lyon that evening, will try!"),
    ("Tom", "Can't go", "Have fun!"),
]


def shoot(page, name: str) -> None:
    """Save the page as NAME-phone.png (the whole page) and NAME-desktop.png (the window)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=SCREENSHOTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=SCREENSHOTS / f"{name}-desktop.png")


def test_screenshots_of_the_main_pages(new_context):
    owner = new_context(timezone_id=EVENT["timezone"]).new_page()
    owner.goto("/")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Share an event with one link")
    shoot(owner, "landing")

    owner.goto("/create")
    fill_event_form(owner)
    owner.get_by_label("End time").fill("01:00")
    owner.get_by_role("button", name="Create event").click()
    expect(owner.locator(".error-summary")).to_contain_text("The end must be after the start.")
    shoot(owner, "create-error")

    path = create_event(owner)
    expect(owner.locator(".flash")).to_contain_text("Your event is ready.")
    expect(owner.locator(".share.first")).to_contain_text("Send this link to your friends")
    expect(owner.locator(".manage")).to_contain_text("You created this event")
    shoot(owner, "event-owner")

    for name, response, note in ANSWERS:
        friend = new_context().new_page()
        friend.goto(path)
        friend.get_by_label("Your name").fill(name)
        friend.get_by_label(response, exact=True).check()
        friend.get_by_label("Note (optional)").fill(note)
        friend.locator(".answer-form button[type=submit]").click()
        expect(friend.locator(".my-answer")).to_be_visible()

    # A friend in London, an hour behind Paris, sees the time in both zones.
    guest = new_context(timezone_id="Europe/London", locale="en-GB").new_page()
    guest.goto(path)
    expect(guest.locator(".viewer-time")).to_contain_text("18:30")
    expect(guest.locator(".guest-list").first).to_contain_text("Chloé")
    shoot(guest, "event-friend")

    # The same page for a friend in Berlin and one who reads Arabic (right to left).
    for locale, zone, name in (("de-DE", "Europe/Berlin", "de"), ("ar", "Asia/Dubai", "ar")):
        reader = new_context(timezone_id=zone, locale=locale).new_page()
        reader.goto(path)
        expect(reader.locator("html")).to_have_attribute("lang", name)
        expect(reader.locator(".guest-list").first).to_contain_text("Chloé")
        shoot(reader, f"event-friend-{name}")

    owner.reload()
    owner.get_by_role("link", name="Edit event").click()
    expect(owner.get_by_label("Title")).to_have_value(EVENT["title"])
    shoot(owner, "edit")

    owner.goto(path)
    owner.get_by_role("link", name="Invite by email").click()
    owner.get_by_label("Email addresses").fill(
        "chloe@example.org, marco@example.org\nPriya <priya@example.org>"
    )
    owner.get_by_label("Personal message (optional)").fill("Board games at mine, bring a snack!")
    owner.get_by_role("button", name="Send invitations").click()
    expect(owner.locator(".flash")).to_contain_text("Invitation on its way to 3 addresses.")
    shoot(owner, "invite")
