"""The owner's first minute and a friend's first look, in Chromium at phone and desktop size."""

from datetime import date
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP
from .conftest import PHONE
from .conftest import create_event

# Where the page's parts are, in document order and on screen, measured in one go.
PLACES = """() => {
  const box = (selector) => {
    const element = document.querySelector(selector);
    if (!element) return null;
    const { top, bottom } = element.getBoundingClientRect();
    return { top: top + window.scrollY, bottom: bottom + window.scrollY };
  };
  const order = [...document.querySelectorAll("main > *")].map((element) => element.className);
  return { order, height: window.innerHeight, link: box("#share-link"), copy: box("[data-copy]"),
           qr: box(".share-qr img"), title: box("h1") };
}"""


def places(page, viewport: dict) -> dict:
    page.set_viewport_size(viewport)
    return page.evaluate(PLACES)


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375px", "1280px"])
def test_right_after_creating_the_link_comes_first_and_in_the_first_screen(new_page, viewport):
    owner = new_page(viewport=viewport)
    create_event(owner)
    found = places(owner, viewport)

    assert found["order"][:3] == ["flash", "share first", "event"]
    for part in ("link", "copy"):
        assert found[part]["bottom"] <= found["height"], f"the {part} is below the first screen"
    assert found["link"]["bottom"] < found["title"]["top"] < found["qr"]["bottom"] + 200
    panel = owner.locator(".share.first")
    expect(panel.get_by_role("button", name="Copy link")).to_be_visible()
    expect(panel.get_by_role("link", name="Send by email")).to_be_visible()
    expect(panel.get_by_role("img", name="QR code of the event link")).to_be_visible()
    expect(panel.locator(".share-preview")).to_contain_text("Friends see the event and answer")

    owner.reload()  # the message is gone: the page is back in its usual order
    assert places(owner, viewport)["order"][-3:] == ["add-to-calendar", "share", "manage"]


def test_a_friend_gets_the_panel_after_the_answers_and_without_the_owners_line(new_page):
    path = create_event(new_page())
    friend = new_page()
    friend.goto(path)
    order = places(friend, PHONE)["order"]
    assert order.index("event") < order.index("answers") < order.index("share")
    expect(friend.locator(".share-preview")).to_have_count(0)


def test_without_javascript_the_panel_still_offers_the_link_to_copy(new_page):
    owner = new_page(java_script_enabled=False)
    path = create_event(owner)
    panel = owner.locator(".share.first")
    expect(panel.get_by_label("Event link")).to_have_value(owner.url)
    assert owner.url.endswith(path)
    expect(panel.get_by_role("button", name="Copy link")).to_be_hidden()
    expect(panel.get_by_role("link", name="Send by email")).to_be_visible()


def test_a_past_event_says_so_at_the_top_and_offers_no_answer_form(new_page):
    owner = new_page()
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    path = create_event(owner, date=yesterday)
    friend = new_page()
    friend.goto(path)
    notice = friend.locator(".passed-notice")
    expect(notice).to_have_text("This event has passed.")
    assert notice.bounding_box()["y"] < friend.locator(".event-facts").bounding_box()["y"]
    expect(friend.locator(".answer-form")).to_have_count(0)
    expect(friend.get_by_role("link", name="Download .ics file")).to_be_visible()
    expect(friend.locator(".answers")).to_contain_text("0 going")


def test_announcements_at_load_are_read_once(new_page):
    owner = new_page()
    create_event(owner)
    flash = owner.locator(".flash")
    expect(flash).to_be_focused()  # read on arrival, though it was there before any change
    assert flash.get_attribute("role") is None

    owner.goto("/create")
    owner.get_by_role("button", name="Create event").click()
    summary = owner.locator(".error-summary")
    expect(summary).to_be_focused()
    assert summary.get_attribute("role") is None  # focus reads it: an alert would read it twice
