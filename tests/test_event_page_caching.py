"""The event page's validators and reuse: ETags, 304s, and pages rendered once."""

import re
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import template_rendered

from skedjit.event_page import data
from skedjit.event_page import render
from skedjit.event_page import rows as event_rows
from tests.helpers.forms import edit_fields
from tests.helpers.waiting import warm


@contextmanager
def rendered_templates(app):
    names: list[str] = []

    def record(_sender, template, **_context):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def test_page_has_a_strong_etag_and_must_be_revalidated(client, make_event):
    response = client.get(f"/events/{make_event()}")
    assert response.headers["Cache-Control"] == "private, no-cache"
    etag, weak = response.get_etag()
    assert etag
    assert not weak
    assert "Cookie" in response.headers["Vary"]


def test_matching_if_none_match_is_304_without_rendering(app, client, make_event):
    slug = make_event()
    etag = client.get(f"/events/{slug}").headers["ETag"]
    with rendered_templates(app) as names:
        response = client.get(f"/events/{slug}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert names == []


def test_other_etag_gets_the_full_page(client, make_event):
    slug = make_event()
    response = client.get(f"/events/{slug}", headers={"If-None-Match": '"something-else"'})
    assert response.status_code == 200
    assert b"Picnic" in response.data


def test_friends_without_cookies_get_the_same_bytes_and_no_cookie(app, make_browser, make_event):
    slug = make_event()
    first = make_browser().get(f"/events/{slug}")
    with rendered_templates(app) as names:
        second = make_browser().get(f"/events/{slug}")
    assert names == []  # the second friend's page was not rendered again
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]
    assert "Set-Cookie" not in first.headers
    assert "Set-Cookie" not in second.headers
    assert b"csrf_token" not in first.data


def test_a_friends_etag_is_the_same_in_every_process(make_app, make_event):
    slug = make_event()
    one, two = make_app().test_client(), make_app().test_client()
    assert one.get(f"/events/{slug}").headers["ETag"] == two.get(f"/events/{slug}").headers["ETag"]


def test_an_edit_changes_the_etag_and_the_page(browser, create_event_as):
    slug = create_event_as(browser)
    friend_view = browser.client.application.test_client()
    before = friend_view.get(f"/events/{slug}")
    fields = edit_fields(title="Moved indoors")
    assert browser.post(f"/events/{slug}/edit", data=fields).status_code == 303
    after = friend_view.get(f"/events/{slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert after.headers["ETag"] != before.headers["ETag"]
    assert b"Moved indoors" in after.data


def test_owner_and_friend_pages_have_different_etags(browser, make_browser, create_event_as):
    slug = create_event_as(browser)
    browser.get(f"/events/{slug}")  # shows and clears the "ready" message
    owner = browser.get(f"/events/{slug}")
    friend = make_browser().get(f"/events/{slug}")
    assert owner.headers["ETag"] != friend.headers["ETag"]
    assert b"without the password" in owner.data
    assert b"without the password" not in friend.data


def test_friends_etag_does_not_validate_the_owners_page(browser, make_browser, create_event_as):
    slug = create_event_as(browser)
    browser.get(f"/events/{slug}")
    friend_etag = make_browser().get(f"/events/{slug}").headers["ETag"]
    owner = browser.get(f"/events/{slug}", headers={"If-None-Match": friend_etag})
    assert owner.status_code == 200
    assert b"without the password" in owner.data


def test_page_with_a_message_is_neither_stored_nor_validated(browser, create_event_as):
    slug = create_event_as(browser)
    response = browser.get(f"/events/{slug}")
    assert b"Your event is ready" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    assert "ETag" not in response.headers


@pytest.mark.parametrize(
    ("later", "said_later"),
    [
        (timedelta(minutes=1), b"Started 1 minute ago."),
        (timedelta(hours=3), b"This event has passed."),
    ],
)
def test_etag_changes_as_time_passes(client, make_event, monkeypatch, later, said_later):
    starts_at = datetime(2031, 6, 1, 18, 0, tzinfo=UTC)
    slug = make_event(starts_at=starts_at)
    monkeypatch.setattr(data, "utcnow", lambda: starts_at - timedelta(minutes=30))
    before = client.get(f"/events/{slug}")
    monkeypatch.setattr(data, "utcnow", lambda: starts_at + later)
    after = client.get(f"/events/{slug}", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert b"Today, in 30 minutes." in before.data
    assert said_later in after.data


def test_share_link_follows_the_host_asked_for(client, make_event):
    slug = make_event()
    one = client.get(f"/events/{slug}", base_url="http://one.example")
    two = client.get(f"/events/{slug}", base_url="http://two.example")
    assert f"http://one.example/events/{slug}".encode() in one.data
    assert f"http://two.example/events/{slug}".encode() in two.data
    assert one.headers["ETag"] != two.headers["ETag"]


def test_rendered_pages_keep_only_the_most_recently_used():
    pages = render.RenderedPages(size=2)
    pages.put(("a",), b"A")
    pages.put(("b",), b"B")
    assert pages.get(("a",)) == b"A"  # "a" is now the most recent
    pages.put(("c",), b"C")
    assert pages.get(("b",)) is None
    assert (pages.get(("a",)), pages.get(("c",))) == (b"A", b"C")


@pytest.mark.parametrize("filename", ["skedjit.css", "skedjit.js", "favicon.svg"])
def test_static_urls_carry_a_content_hash_and_are_kept_long(client, filename):
    html = client.get("/").get_data(as_text=True)
    url = next(part for part in html.split('"') if f"/static/{filename}?v=" in part)
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.cache_control.max_age == 365 * 24 * 3600


@pytest.mark.parametrize("path", ["/", "/create", "/no/such/page"])
def test_pages_name_their_icon_so_browsers_do_not_ask_for_a_missing_favicon(client, path):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', html)
    assert match, "no icon link: browsers would ask for /favicon.ico and get a 404"
    with client.get(match.group(1)) as icon:
        assert icon.status_code == 200
        assert icon.mimetype == "image/svg+xml"


def test_a_cookie_less_friend_is_answered_from_memory_without_flask(app, make_browser, make_event):
    slug = make_event()
    first = warm(make_browser().client, slug)

    def no_view(**_kwargs):
        raise AssertionError("the view ran")

    app.view_functions["events.view"] = no_view
    again = make_browser().get(f"/events/{slug}")
    assert (again.status_code, again.data) == (200, first.data)
    assert again.headers == first.headers
    revalidated = make_browser().get(
        f"/events/{slug}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert revalidated.status_code == 304
    assert revalidated.headers["ETag"] == first.headers["ETag"]
    assert "Content-Type" not in revalidated.headers
    with_a_cookie = make_browser()
    with_a_cookie.client.set_cookie("unrelated", "1")
    with pytest.raises(AssertionError, match="the view ran"):
        with_a_cookie.get(f"/events/{slug}")


def test_a_head_request_gets_the_headers_alone(make_browser, make_event):
    slug = make_event()
    page = make_browser().get(f"/events/{slug}")
    for _ in range(2):  # from Flask, then from memory
        head = make_browser().client.head(f"/events/{slug}")
        assert head.status_code == 200
        assert head.data == b""
        assert head.headers["ETag"] == page.headers["ETag"]


def test_friends_who_all_revalidate_share_one_page_again_after_a_change(
    app, make_browser, make_event
):
    slug = make_event()
    first = warm(make_browser().client, slug)
    etag = {"If-None-Match": first.headers["ETag"]}
    rows_kept(app).forget_all()  # what any change does

    assert make_browser().get(f"/events/{slug}", headers=etag).status_code == 304

    def no_view(**_kwargs):
        raise AssertionError("the view ran")

    app.view_functions["events.view"] = no_view
    assert make_browser().get(f"/events/{slug}", headers=etag).status_code == 304
    again = make_browser().get(f"/events/{slug}")
    assert (again.status_code, again.data) == (200, first.data)


def rows_kept(app):
    return app.extensions[event_rows.KEY][0]


@pytest.mark.parametrize("through", ["memory", "flask"])
def test_a_weak_validator_with_the_current_etag_is_a_304(make_browser, make_event, through):
    slug = make_event()
    first = warm(make_browser().client, slug)
    browser = make_browser()
    if through == "flask":
        browser.client.set_cookie("unrelated", "1")  # any cookie goes through Flask
    weak = {"If-None-Match": f'W/{first.headers["ETag"]}, "something-else"'}
    assert browser.get(f"/events/{slug}", headers=weak).status_code == 304
