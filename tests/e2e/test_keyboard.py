"""Keyboard only: the create form works with Tab, typing and Enter, and focus is always visible."""

from datetime import date
from datetime import timedelta

from playwright.sync_api import expect

from .conftest import EVENT
from .conftest import PASSWORD
from .conftest import create_event

# What the focused element is, and whether its focus shows: an outline or a box shadow.
FOCUSED = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outlined = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  return {
    tag: element.tagName.toLowerCase(),
    name: element.name || "",
    text: (element.innerText || element.value || "").trim().slice(0, 40),
    shows: outlined || style.boxShadow !== "none",
  };
}"""
MAX_TABS = 60


def same_day_and_month() -> date:
    """The next date like 12 December: its digits mean the same typed day first or month first.

    A date field orders its parts as the browser's own language does, not the page's.
    """
    day = date.today() + timedelta(days=1)
    while day.day != day.month:
        day += timedelta(days=1)
    return day


TYPED_DATE = same_day_and_month()
# Keys as a person types them into each field.
TYPED = {
    "title": EVENT["title"],
    "date": TYPED_DATE.strftime("%d%m%Y"),
    "time": EVENT["time"].replace(":", ""),
    "location": EVENT["location"],
    "description": "Bring a game you love.",
    "password": PASSWORD,
    "password_confirm": PASSWORD,
}


def press_tab(page) -> dict:
    """Move the focus on with Tab; say what holds it now and whether that shows."""
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)


def describe(focused: dict) -> str:
    return f"<{focused['tag']} name={focused['name']!r}> “{focused['text']}”"


def test_the_create_form_is_filled_and_sent_with_the_keyboard_alone(new_page):
    page = new_page(timezone_id=EVENT["timezone"])  # the form preselects this zone
    page.goto("/create")
    unseen, typed = [], set()
    for _ in range(MAX_TABS):
        focused = press_tab(page)
        if not focused["shows"]:
            unseen.append(describe(focused))
        name = focused["name"]
        if name in TYPED and name not in typed:
            page.keyboard.type(TYPED[name])
            typed.add(name)
        if focused["tag"] == "button" and focused["text"] == "Create event":
            break
    else:
        raise AssertionError(f"Tab never reached the Create event button; typed {typed}")
    assert typed == set(TYPED)
    assert not unseen, "focus not visible on: " + ", ".join(unseen)

    page.keyboard.press("Enter")
    page.wait_for_url("**/events/*")
    expect(page.get_by_role("heading", level=1)).to_have_text(EVENT["title"])
    when = f"{TYPED_DATE:%A} {TYPED_DATE.day} {TYPED_DATE:%B %Y}, 19:30 (Europe/Paris"
    expect(page.locator("time.event-time")).to_contain_text(when)


def test_focus_shows_on_everything_tab_reaches_on_the_event_page(new_page):
    path = create_event(new_page())
    page = new_page()
    page.goto(path)
    reached, unseen = [], []
    for _ in range(MAX_TABS):
        focused = press_tab(page)
        if focused["tag"] == "body" or (reached and focused == reached[0]):
            break  # round the page once
        reached.append(focused)
        if not focused["shows"]:
            unseen.append(describe(focused))
    reached_text = {focused["text"] for focused in reached}
    assert {"Send my answer", "Download .ics file", "Copy link", "Edit event"} <= reached_text
    assert not unseen, "focus not visible on: " + ", ".join(unseen)
