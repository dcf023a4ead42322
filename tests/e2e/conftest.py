"""End-to-end fixtures: the real app under gunicorn, driven by Debian's Chromium.

The site runs once per backend for the session (`./build.sh serve` on a fresh
database); each test opens its own browser contexts, so an owner and a friend
never share cookies. Without Chromium the tests are skipped, loudly; with
SKEDJIT_REQUIRE_BROWSER=1 its absence is a failure.
"""

import os
import shutil
from collections.abc import Callable
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.helpers.mail import mail_settings
from tests.helpers.served import served

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# The whole run comes from one address: room for every event the journeys create and
# every wrong password they type (each event still locks after five).
SITE_SETTINGS = {
    "RATELIMIT_CREATES": "500 per hour",
    "RATELIMIT_UNKNOWN_EVENTS": "500 per minute",
    "RATELIMIT_WRONG_PASSWORDS": "500 per hour",
}
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "build" / "screenshots"


def chromium_path() -> str | None:
    """Debian's Chromium (or SKEDJIT_CHROMIUM), if installed."""
    named = os.environ.get("SKEDJIT_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if "/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
            # One pytest-xdist worker runs them all: one site and one Chromium for the run.
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the whole run."""
    executable = chromium_path()
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "Playwright for Python is not installed"
    if executable is None:
        missing = "no Chromium: apt-get install -y chromium"
    if missing:
        if os.environ.get("SKEDJIT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"SKEDJIT_REQUIRE_BROWSER=1 but {missing}")
        pytest.skip(missing)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def site(new_database_url, mail_server_session) -> Iterator[str]:
    """The base URL of Skedjit served by gunicorn on a fresh SQLite database.

    One database is enough: the browser cannot tell the two apart, and every test
    below the browser runs on both. It sends email to the test SMTP server
    (`mail_server_session`, which tests may reset).
    """
    mail = {name: str(value) for name, value in mail_settings(mail_server_session).items()}
    with served(new_database_url("sqlite"), **SITE_SETTINGS, **mail) as base_url:
        yield base_url


@pytest.fixture
def new_context(chromium, site) -> Iterator[Callable[..., object]]:
    """Return a callable that opens a fresh browser context (its own cookies) on the site.

    Keyword arguments go to Playwright's new_context (viewport, timezone_id,
    java_script_enabled, …); the default is a phone-sized window.
    """
    contexts = []

    def open_context(**options):
        options.setdefault("viewport", PHONE)
        options.setdefault("locale", "en-GB")  # Skedjit's own English, unless a test says
        context = chromium.new_context(base_url=site, **options)
        context.set_default_timeout(10_000)
        # A process's first page loads the templates and the locale data, which on a busy
        # machine can take longer than that.
        context.set_default_navigation_timeout(30_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context) -> Callable[..., object]:
    """Return a callable that opens a page in a fresh context."""
    return lambda **options: new_context(**options).new_page()


# Journeys: a realistic event, filled in through the form as a person would.
PASSWORD = "lantern-walnut-42"
EVENT_DATE = date.today() + timedelta(days=24)  # weeks ahead, so the event is never past
EVENT = {
    "title": "Board games night at Ana's",
    "date": EVENT_DATE.isoformat(),
    "time": "19:30",
    "timezone": "Europe/Paris",
    "location": "12 Rue de la Paix, 75002 Paris",
    "description": (
        "Bring a game you love and something to share.\n"
        "Door code 4711, third floor. We start at 19:30 sharp."
    ),
}


def fill_event_form(page, **overrides: str) -> None:
    """Type the event's fields into the create or edit form on the page."""
    fields = EVENT | overrides
    page.get_by_label("Title").fill(fields["title"])
    page.locator("input[type=date][name=date]").fill(fields["date"])
    page.locator("input[type=time][name=time]").fill(fields["time"])
    page.get_by_label("Time zone").select_option(fields["timezone"])
    page.get_by_label("Place").fill(fields["location"])
    page.get_by_label("Description").fill(fields["description"])


def create_event(page, **overrides: str) -> str:
    """Create an event through the form on the page, which ends on it; give its path."""
    page.goto("/create")
    fill_event_form(page, **overrides)
    page.get_by_label("Edit password", exact=True).fill(PASSWORD)
    page.get_by_label("Edit password again").fill(PASSWORD)
    page.get_by_role("button", name="Create event").click()
    page.wait_for_url("**/events/*")
    return urlsplit(page.url).path


class BrowserErrors:
    """What went wrong inside a browser context's pages: script errors, refused or missing files.

    A page answered with an error status is left out: the tests check those
    statuses themselves, and Chromium reports each as a console error too.
    """

    def __init__(self, context):
        self.pages: set[str] = set()
        self.messages: list[tuple[str, str]] = []
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.messages.append((str(error.error), "")))

    def _response(self, response) -> None:
        if response.request.resource_type == "document":
            self.pages.add(response.url)

    def _console(self, message) -> None:
        if message.type == "error":
            self.messages.append((message.text, message.location["url"]))

    @property
    def found(self) -> list[str]:
        return [
            f"{text} ({url})" if url else text
            for text, url in self.messages
            if not (text.startswith("Failed to load resource") and url in self.pages)
        ]
