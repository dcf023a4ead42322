"""Viewing an event at /events/<slug>: what friends and owners see, and what is refused."""

import re
from datetime import UTC
from datetime import datetime
from html import unescape

import pytest

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

FUTURE = datetime(2031, 5, 17, 16, 0, tzinfo=UTC)
PAST = datetime(2020, 5, 17, 16, 0, tzinfo=UTC)
SCRIPT = "<script>alert(1)</script>"


def other_slug(slug: str) -> str:
    """A well-formed slug that is not this one."""
    return "abcdef" if slug != "abcdef" else "bcdefg"


def element_text(html: str, tag: str, css_class: str) -> str:
    """The raw (still escaped) text of the first element with this class."""
    match = re.search(rf'<{tag} class="{css_class}">(.*?)</{tag}>', html, re.S)
    assert match, f"no <{tag} class={css_class!r}> on the page"
    return match.group(1)


@pytest.mark.parametrize(
    ("starts_at", "timezone", "expected"),
    [
        pytest.param(
            datetime(2026, 12, 12, 18, 30, tzinfo=UTC),
            "Europe/Paris",
            "Saturday 12 December 2026, 19:30 (Europe/Paris, UTC+01:00)",
            id="winter",
        ),
        pytest.param(
            datetime(2026, 7, 10, 10, 0, tzinfo=UTC),
            "Europe/Paris",
            "Friday 10 July 2026, 12:00 (Europe/Paris, UTC+02:00)",
            id="summer",
        ),
        pytest.param(
            datetime(2026, 7, 11, 2, 30, tzinfo=UTC),
            "America/Los_Angeles",
            "Friday 10 July 2026, 19:30 (America/Los_Angeles, UTC-07:00)",
            id="day-before-in-utc-minus",
        ),
    ],
)
def test_page_shows_weekday_date_time_zone_and_offset(
    client, make_event, starts_at, timezone, expected
):
    slug = make_event(starts_at=starts_at, timezone=timezone)
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    assert expected in response.get_data(as_text=True)


def test_page_shows_title_and_place(client, make_event):
    slug = make_event(title="Board games night", location="12 Rue de la Paix, Paris")
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "<h1>Board games night</h1>" in html
    assert "12 Rue de la Paix, Paris" in html


def test_description_keeps_its_line_breaks(client, make_event):
    slug = make_event(description="Bring snacks.\nWe start on time.\n\nNo pets.")
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert (
        element_text(html, "div", "description") == "Bring snacks.\nWe start on time.\n\nNo pets."
    )


def test_share_link_is_absolute_in_a_read_only_input_with_a_copy_button(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    link_input = re.search(rf'<input[^>]*value="http://localhost/events/{slug}"[^>]*>', html)
    assert link_input, "no input holding the absolute event link"
    assert re.search(r"\sreadonly[\s>]", link_input.group(0))
    copy_button = re.search(r'<button[^>]*data-copy="share-link"[^>]*>([^<]*)</button>', html)
    assert copy_button
    assert "Copy" in copy_button.group(1)


@pytest.mark.parametrize("field", ["title", "location", "description"])
def test_html_in_a_field_is_shown_escaped(client, make_event, field):
    slug = make_event(**{field: f"Party {SCRIPT}"})
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "Party &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert SCRIPT not in html


@pytest.mark.parametrize(
    ("starts_at", "passed"), [(PAST, True), (FUTURE, False)], ids=["past", "future"]
)
def test_only_a_past_event_says_it_has_passed(client, make_event, starts_at, passed):
    slug = make_event(starts_at=starts_at)
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert ("This event has passed." in html) is passed


def test_unknown_slug_is_a_404_page_in_the_site_layout(client, make_event):
    slug = make_event()
    response = client.get(f"/events/{other_slug(slug)}")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert '<header class="site-header">' in html
    assert ">Skedjit</a>" in html
    assert "Page not found" in html


@pytest.mark.parametrize(
    "slug",
    [
        "abcde",  # too short
        "abcdefg",  # too long
        "abcd0f",  # zero
        "abcdOf",  # capital o
        "abcd1f",  # one
        "abcdlf",  # small L
        "abcdIf",  # capital i
        "abc-ef",
        "abc_ef",
        "abcd!f",
        "abcdéf",
        "abc%20f",
    ],
)
def test_malformed_slug_is_404_without_touching_the_database(
    client, make_event, count_queries, slug
):
    make_event()  # the engine is connected before counting starts
    with count_queries() as statements:
        response = client.get(f"/events/{slug}")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    assert statements == []


def test_friends_view_reads_the_event_its_answers_and_changes_in_one_statement_each(
    client, make_event, count_queries
):
    slug = make_event()
    with count_queries() as statements:
        response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    # The budget: one per table, never one per row.
    tables = [re.search(r"\bFROM\s+(\w+)", s)[1] for s in statements]
    # The bring list's items and claims are read together, in one SELECT with a join.
    assert sorted(tables) == ["bring_items", "event_changes", "events", "rsvps"], statements
    assert all(s.lstrip().upper().startswith("SELECT") for s in statements)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_writing_methods_on_the_event_page_are_405_with_allow_header(client, make_event, method):
    slug = make_event()
    response = client.open(f"/events/{slug}", method=method)
    assert response.status_code == 405
    allowed = {name.strip() for name in response.headers["Allow"].split(",")}
    assert "GET" in allowed
    assert method not in allowed
    html = response.get_data(as_text=True)
    assert "Not allowed here" in html
    assert '<header class="site-header">' in html


def test_owner_is_told_they_can_change_it_without_the_password(browser, create_event_as):
    slug = create_event_as(browser, date="2031-05-17")
    html = unescape(browser.get(f"/events/{slug}").get_data(as_text=True))
    assert "without the password for about 12 more hours" in html
    assert "You need the event's password" not in html


def test_friend_is_told_the_password_is_needed(browser, make_browser, create_event_as):
    slug = create_event_as(browser, date="2031-05-17")
    friend = make_browser()
    response = friend.get(f"/events/{slug}")
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "You need the event's password to change or delete it." in html
    assert "without the password" not in html


def test_event_page_links_to_edit_and_delete(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert f'href="/events/{slug}/edit"' in html
    assert f'href="/events/{slug}/delete"' in html
