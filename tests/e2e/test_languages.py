"""A German and an Arabic friend group in Chromium: create, answer and edit an event in the
browser's language, at phone width, right to left in Arabic."""

from datetime import datetime
from datetime import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.support import Translations
from playwright.sync_api import expect

from skedjit import i18n

from .conftest import EVENT
from .conftest import EVENT_DATE
from .conftest import PASSWORD
from .conftest import PHONE
from .conftest import BrowserErrors

STARTS = datetime.combine(EVENT_DATE, time(19, 30), tzinfo=ZoneInfo(EVENT["timezone"]))


def translated(code: str, message: str, **values) -> str:
    """The catalog's sentence, as the server writes it (not typed here by hand)."""
    return Translations.load(str(i18n.TRANSLATIONS), [code]).gettext(message) % values


@pytest.mark.parametrize(
    ("browser_locale", "code", "direction"), [("de-DE", "de", "ltr"), ("ar", "ar", "rtl")]
)
def test_a_friend_group_creates_answers_and_edits_in_its_language(
    new_context, browser_locale, code, direction
):
    owner_context = new_context(locale=browser_locale, viewport=PHONE)
    errors = BrowserErrors(owner_context)
    owner = owner_context.new_page()
    owner.goto("/create")
    html = owner.locator("html")
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", direction)
    expect(owner.get_by_role("heading", level=1)).to_have_text(translated(code, "Create an event"))

    owner.locator("#title").fill(EVENT["title"])
    owner.locator("#date").fill(EVENT["date"])
    owner.locator("#time").fill(EVENT["time"])
    owner.locator("#timezone").select_option(EVENT["timezone"])
    owner.locator("#location").fill(EVENT["location"])
    owner.locator("#password").fill(PASSWORD)
    owner.locator("#password_confirm").fill(PASSWORD)
    owner.locator("form.event-form button[type=submit]").click()
    owner.wait_for_url("**/events/*")
    path = urlsplit(owner.url).path
    expect(owner.get_by_role("heading", level=1)).to_have_text(EVENT["title"])
    expect(owner.locator("time.event-time")).to_contain_text(
        format_date(STARTS, "full", locale=code)
    )
    assert owner.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    friend_context = new_context(locale=browser_locale, viewport=PHONE)
    friend = friend_context.new_page()
    friend.goto(path)
    friend.locator("#name").fill("Chloé")
    friend.locator("#response-0").check()
    friend.locator(".answer-form button[type=submit]").click()
    expect(friend.locator(".flash")).to_contain_text(
        translated(code, "Thanks, %(name)s! Your answer is saved.", name="Chloé")
    )
    expect(friend.locator(".guest-list")).to_contain_text("Chloé")

    owner.goto(f"{path}/edit")
    owner.locator("#location").fill("Café Oberkampf, Paris")
    owner.locator("form.event-form button[type=submit]").click()
    expect(owner.locator(".flash")).to_contain_text(translated(code, "Your changes are saved."))
    expect(owner.locator(".event-facts")).to_contain_text("Café Oberkampf")
    assert errors.found == []
