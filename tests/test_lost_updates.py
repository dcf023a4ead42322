"""Two people editing one event: the second save does not silently undo the first."""

import pytest
from sqlalchemy.orm.exc import StaleDataError

from skedjit.events import service
from skedjit.models import Event
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.html import form_version


def open_edit_form(browser, slug: str) -> int:
    """Open the edit form; return the version it carries."""
    return form_version(browser.get(f"/events/{slug}/edit").get_data(as_text=True))


@pytest.fixture
def two_editors(browser, make_browser, create_event_as):
    """The owner and a friend who gave the password, both with the edit form open."""
    slug = create_event_as(browser, title="Original")
    friend = make_browser()
    return slug, browser, friend, open_edit_form(browser, slug), open_edit_form(friend, slug)


def test_edit_form_carries_the_events_version(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    assert open_edit_form(browser, slug) == load_event(slug).version


def test_saving_over_a_newer_version_is_409_and_changes_nothing(two_editors, load_event):
    slug, owner, friend, owner_version, friend_version = two_editors
    assert (
        owner.post(
            f"/events/{slug}/edit", data=edit_fields(owner_version, title="Owner's")
        ).status_code
        == 303
    )
    response = friend.post(
        f"/events/{slug}/edit",
        data=edit_fields(friend_version, title="Friend's", password=PASSWORD),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this event while you were editing" in html
    assert "<dd>Owner&#39;s</dd>" in html  # what it says now
    assert 'value="Friend&#39;s"' in html  # the friend's input, kept
    assert load_event(slug).title == "Owner's"


def test_saving_again_after_the_conflict_replaces_knowingly(two_editors, load_event):
    slug, owner, friend, owner_version, friend_version = two_editors
    owner.post(f"/events/{slug}/edit", data=edit_fields(owner_version, title="Owner's"))
    conflict = friend.post(
        f"/events/{slug}/edit",
        data=edit_fields(friend_version, title="Friend's", password=PASSWORD),
    )
    newer = form_version(conflict.get_data(as_text=True))
    again = friend.post(
        f"/events/{slug}/edit", data=edit_fields(newer, title="Friend's")
    )  # access kept
    assert again.status_code == 303
    assert load_event(slug).title == "Friend's"


def test_a_write_that_races_past_the_check_is_409_too(
    browser, create_event_as, load_event, monkeypatch
):
    slug = create_event_as(browser, title="Original")
    version = open_edit_form(browser, slug)

    def raced(*_args, **_kwargs):
        raise StaleDataError("someone saved in between")

    monkeypatch.setattr(Event, "change", raced)
    response = browser.post(f"/events/{slug}/edit", data=edit_fields(version, title="Late"))
    assert response.status_code == 409
    assert load_event(slug).title == "Original"


def test_the_version_column_refuses_a_stale_write(app, make_event):
    slug = make_event(title="Original")
    with app.app_context():
        stale = service.find_event(slug)
        service.db.session.expunge(stale)
    with app.app_context():
        fresh = service.find_event(slug)
        service.edit_event(fresh, {"title": "First"}, 1, None, notify=False)
    with app.app_context():
        stale = service.db.session.merge(stale, load=False)
        with pytest.raises(service.EditConflictError):
            service.edit_event(stale, {"title": "Second"}, 1, None, notify=False)
        assert service.find_event(slug).title == "First"


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1.0", "１"])
def test_an_edit_without_a_whole_version_is_400_and_changes_nothing(
    browser, create_event_as, load_event, version
):
    slug = create_event_as(browser, title="Original")
    fields = edit_fields(title="Overwritten")
    if version is None:
        del fields["version"]
    else:
        fields["version"] = version
    response = browser.post(f"/events/{slug}/edit", data=fields)
    assert response.status_code == 400
    assert "This form is incomplete. Reload the page and try again." in response.get_data(
        as_text=True
    )
    assert load_event(slug).title == "Original"
