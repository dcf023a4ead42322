"""Every page fits a phone and a desktop window: no sideways scrolling, big enough tap targets."""

import re

from playwright.sync_api import expect

from .conftest import DESKTOP
from .conftest import PHONE
from .conftest import BrowserErrors
from .conftest import create_event

MIN_TAP_HEIGHT = 44  # CSS pixels, as WCAG 2.5.5 and the platforms' guidelines ask
# The main actions: buttons and links styled as buttons (Copy link, Share…, calendar
# links, submits), the answer choices' labels, links in action rows and the header.
MAIN_ACTIONS = ".button, button, .radio label, .actions a, .site-header a, .map-link"
LONG_DESCRIPTION = (
    "Bring a game you love and something to share.\n"
    "The rules of our favourite: https://www.example.org/games/rules/"
    "the-settlers-of-catan-fifth-edition-with-the-seafarers-expansion.pdf"
)


# Measured in the page in one go: the page's width, every visible main action's height,
# and the tops of the labels and inputs of the fields in each two-column form row.
MEASURE = """selector => ({
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  targets: [...document.querySelectorAll(selector)]
    .filter(element => element.checkVisibility())
    .map(element => ({
      label: element.innerText.trim().replace(/\\s+/g, " ") || element.className,
      height: element.getBoundingClientRect().height,
    })),
  rows: [...document.querySelectorAll(".field-row")].map(row =>
    [...row.querySelectorAll(":scope > .field")].map(field => ({
      name: field.querySelector("label").innerText.trim(),
      label: field.querySelector("label").getBoundingClientRect().top,
      input: field.querySelector("input, select, textarea").getBoundingClientRect().top,
    }))),
})"""


def layout_problems(page, name: str) -> list[str]:
    """What is wrong with the layout of the page now shown, at each size, said in sentences."""
    problems = []
    for size, viewport in [("phone", PHONE), ("desktop", DESKTOP)]:
        page.set_viewport_size(viewport)
        found = page.evaluate(MEASURE, MAIN_ACTIONS)
        if found["scrollWidth"] > found["innerWidth"]:
            problems.append(
                f"{name} ({size}): {found['scrollWidth']} px wide"
                f" in a {found['innerWidth']} px window"
            )
        problems.extend(
            f"{name} ({size}): “{target['label']}” is {target['height']:.0f} px high"
            for target in found["targets"]
            if target["height"] < MIN_TAP_HEIGHT
        )
        if size == "desktop":
            problems.extend(misaligned_rows(name, found["rows"]))
    return problems


def misaligned_rows(name: str, rows: list[list[dict]]) -> list[str]:
    """Two-column form rows whose labels or inputs do not start at the same height."""
    problems = []
    for fields in rows:
        assert len(fields) == 2, f"{name}: a form row of {len(fields)} fields"
        for part in ("label", "input"):
            first, second = (field[part] for field in fields)
            if abs(first - second) > 1:
                names = " and ".join(field["name"] for field in fields)
                problems.append(
                    f"{name} (desktop): the {part}s of {names} are {second - first:+.0f} px apart"
                )
    return problems


def test_no_page_scrolls_sideways_or_has_small_tap_targets(new_context):
    owner_context, friend_context = new_context(), new_context()
    errors = [BrowserErrors(owner_context), BrowserErrors(friend_context)]
    owner, friend = owner_context.new_page(), friend_context.new_page()
    problems = []

    def check(page, name: str, path: str | None = None, status: int = 200) -> None:
        if path is not None:
            response = page.goto(path)
            assert response.status == status, f"{name}: {path} answered {response.status}"
        problems.extend(layout_problems(page, name))

    check(owner, "landing", "/")
    check(owner, "create", "/create")
    expect(owner.locator(".field-row")).to_have_count(2)  # start, end: both measured
    owner.get_by_role("button", name="Create event").click()
    expect(owner.locator(".error-summary")).to_be_visible()
    check(owner, "create with errors")

    path = create_event(owner, description=LONG_DESCRIPTION)
    check(owner, "event page, just created (owner)")
    friend.goto(path)
    for name, response in [("Chloé Dubois-Lefèvre", "Going"), ("Sam", "Maybe")]:
        friend.get_by_label("Your name").fill(name)
        friend.get_by_label(response, exact=True).check()
        friend.get_by_label("Note (optional)").fill("Bringing Carcassonne and a lemon tart.")
        friend.locator(".answer-form button[type=submit]").click()
        expect(friend.locator(".private-link")).to_be_visible()
    check(friend, "event page, just answered (friend)")
    change_link = friend.locator(".private-link").get_attribute("href")
    check(friend, "event page (friend)", path)
    check(friend, "change-answer page", change_link)
    check(friend, "edit (friend)", f"{path}/edit")
    friend.get_by_role("button", name="Save changes").click()
    expect(friend.locator(".error-summary")).to_be_visible()
    check(friend, "edit with errors (friend)")
    check(friend, "delete (friend)", f"{path}/delete")
    check(friend, "answers (friend)", f"{path}/answers")

    check(owner, "event page (owner)", path)
    check(owner, "edit (owner)", f"{path}/edit")
    check(owner, "delete (owner)", f"{path}/delete")
    check(owner, "answers (owner)", f"{path}/answers")
    check(owner, "not found", re.sub(r"[^/]{6}$", "zzzzzz", path), status=404)

    expect(owner.get_by_role("heading", level=1)).to_have_text("Page not found")
    assert not problems, "\n".join(problems)
    assert [found for watched in errors for found in watched.found] == []
