"""The create form's time zone: the browser's own at first, then whatever the person chose."""

import pytest
from playwright.sync_api import expect


def test_the_zone_starts_as_the_browsers_and_a_choice_survives_an_error(new_page):
    page = new_page(timezone_id="America/New_York")
    page.goto("/create")
    zone = page.get_by_label("Time zone")
    expect(zone).to_have_value("America/New_York")

    zone.select_option("Asia/Tokyo")
    page.get_by_role("button", name="Create event").click()
    expect(page.locator(".error-summary")).to_contain_text("Give the event a title.")
    expect(zone).to_have_value("Asia/Tokyo")


def test_without_javascript_the_zone_starts_as_utc(new_page):
    page = new_page(timezone_id="America/New_York", java_script_enabled=False)
    page.goto("/create")
    expect(page.get_by_label("Time zone")).to_have_value("UTC")


@pytest.mark.parametrize(
    ("reported", "listed"),
    [("Asia/Calcutta", "Asia/Kolkata"), ("Europe/Kiev", "Europe/Kyiv")],
)
def test_an_old_zone_name_the_browser_reports_starts_as_its_current_name(
    new_page, reported, listed
):
    page = new_page(timezone_id=reported)
    # Chromium (ICU) still says the old name, as it does for people in India and Ukraine.
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == reported
    page.goto("/create")
    expect(page.get_by_label("Time zone")).to_have_value(listed)
