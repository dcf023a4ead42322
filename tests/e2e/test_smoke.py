"""The browser reaches the served site."""

from .conftest import DESKTOP


def test_the_landing_page_opens_in_chromium(new_page):
    page = new_page(viewport=DESKTOP)
    response = page.goto("/")
    assert response.status == 200
    assert page.locator("h1").count() == 1
    page.get_by_role("link", name="New event").click()
    assert page.url.endswith("/create")
    assert page.get_by_label("Title").is_visible()
