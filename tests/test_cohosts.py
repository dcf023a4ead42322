"""Hosting together: a secret link that gives owner access, but not the password."""

import hashlib
import re

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import CohostLink
from tests.helpers.forms import edit_fields
from tests.helpers.html import form_version
from tests.helpers.html import page_text

LINK = re.compile(r'class="private-link">http://localhost(/events/\w{6}/host/([\w-]+))</a>')


def make_link(owner, slug: str) -> str:
    """Make a co-host link as the owner; its path, as the page shows it once."""
    made = owner.post(f"/events/{slug}/cohosts")
    assert made.status_code == 303
    return LINK.search(owner.get(made.headers["Location"]).get_data(as_text=True))[1]


def join(browser, path: str):
    return browser.post(path)


def edits(browser, slug: str, **fields) -> int:
    version = form_version(browser.get(f"/events/{slug}/edit").get_data(as_text=True))
    return browser.post(f"/events/{slug}/edit", data=edit_fields(version, **fields)).status_code


@pytest.fixture
def hosted(browser, create_event_as, make_browser):
    """An event, its owner's browser, and a friend's browser that opened a co-host link."""
    slug = create_event_as(browser)
    cohost = make_browser()
    assert join(cohost, make_link(browser, slug)).status_code == 303
    return slug, cohost


def test_a_co_host_changes_the_event_without_the_password(browser, hosted, load_event):
    slug, cohost = hosted
    page = page_text(cohost.get(f"/events/{slug}").get_data(as_text=True))
    assert "You are a co-host: you can change this event in this browser." in page
    assert edits(cohost, slug, title="Games night") == 303
    assert load_event(slug).title == "Games night"
    assert cohost.get(f"/events/{slug}/answers").status_code == 200


def test_the_link_is_shown_once_and_kept_only_as_its_hash(app, browser, create_event_as):
    slug = create_event_as(browser)
    path = make_link(browser, slug)
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 random bits in base64
    assert token not in browser.get(f"/events/{slug}/answers").get_data(as_text=True)
    with app.app_context():
        (stored,) = db.session.scalars(select(CohostLink.token_hash))
    assert stored == hashlib.sha256(token.encode()).hexdigest()


def test_opening_the_link_asks_before_it_gives_access(app, browser, create_event_as, make_browser):
    slug = create_event_as(browser)
    path = make_link(browser, slug)
    preview = make_browser()
    page = preview.get(path)
    assert page.status_code == 200
    assert "Become a co-host" in page.get_data(as_text=True)
    assert preview.get(f"/events/{slug}/edit").get_data(as_text=True).count('name="password"') == 1


def test_a_co_host_cannot_change_the_password(hosted, load_event):
    slug, cohost = hosted
    form = cohost.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert 'name="new_password"' not in form
    data = {"new_password": "a new password", "new_password_confirm": "a new password"}
    assert edits(cohost, slug, **data) == 403
    assert load_event(slug).password_version == 1


def test_a_co_host_cannot_make_or_revoke_links(hosted):
    slug, cohost = hosted
    assert "Make a co-host link" not in cohost.get(f"/events/{slug}/answers").get_data(as_text=True)
    assert cohost.post(f"/events/{slug}/cohosts").status_code == 403
    assert cohost.post(f"/events/{slug}/cohosts/revoke").status_code == 403


def test_the_owner_sees_how_many_links_are_active(browser, create_event_as):
    slug = create_event_as(browser)
    answers = f"/events/{slug}/answers"
    assert "No co-host link is active." in browser.get(answers).get_data(as_text=True)
    make_link(browser, slug)
    make_link(browser, slug)
    assert "2 co-host links are active." in browser.get(answers).get_data(as_text=True)


def test_revoking_ends_the_access_the_links_gave(browser, hosted, make_browser):
    slug, cohost = hosted
    assert browser.post(f"/events/{slug}/cohosts/revoke").status_code == 303
    assert "No co-host link is active." in browser.get(f"/events/{slug}/answers").get_data(
        as_text=True
    )
    assert edits(cohost, slug, title="Games night") == 400  # the password is asked for again
    assert edits(browser, slug, title="Games night") == 303  # the owner's access stays


def test_a_revoked_link_opens_nothing(browser, create_event_as, make_browser):
    slug = create_event_as(browser)
    path = make_link(browser, slug)
    browser.post(f"/events/{slug}/cohosts/revoke")
    assert make_browser().get(path).status_code == 404
    assert join(make_browser(), path).status_code == 404


def test_a_new_password_revokes_the_links(browser, hosted):
    slug, cohost = hosted
    data = {"new_password": "a new password", "new_password_confirm": "a new password"}
    assert edits(browser, slug, **data) == 303
    assert edits(cohost, slug, title="Games night") == 400
    assert "No co-host link is active." in browser.get(f"/events/{slug}/answers").get_data(
        as_text=True
    )


def test_another_event_s_link_opens_nothing_here(browser, create_event_as, make_browser):
    first, second = create_event_as(browser), create_event_as(browser)
    token = make_link(browser, first).rsplit("/", 1)[1]
    assert make_browser().get(f"/events/{second}/host/{token}").status_code == 404


def test_without_owner_access_no_link_is_made(create_event_as, browser, make_browser):
    slug = create_event_as(browser)
    assert make_browser().post(f"/events/{slug}/cohosts").status_code == 403


def test_the_owner_opening_their_own_link_keeps_their_access(browser, create_event_as):
    slug = create_event_as(browser)
    path = make_link(browser, slug)
    opened = join(browser, path)
    assert opened.status_code == 303
    page = page_text(browser.get(f"/events/{slug}").get_data(as_text=True))
    assert "already has the owner's access to this event" in page
    assert "Make a co-host link" in browser.get(f"/events/{slug}/answers").get_data(as_text=True)
