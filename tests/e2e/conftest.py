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
from pathlib import Path

import pytest

from conftest import BACKENDS
from test_served import served

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


@pytest.fixture(scope="session", params=BACKENDS)
def site(request, new_database_url) -> Iterator[str]:
    """The base URL of Skedjit served by gunicorn on a fresh database of each backend."""
    with served(new_database_url(request.param), **SITE_SETTINGS) as base_url:
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
        context = chromium.new_context(base_url=site, **options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context) -> Callable[..., object]:
    """Return a callable that opens a page in a fresh context."""
    return lambda **options: new_context(**options).new_page()
