"""What changed: friends see for two weeks what the time or the place was; the owner sees it all."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from skedjit.changes import NOTICE_DAYS
from skedjit.extensions import db
from skedjit.models import EventChange
from tests.helpers.forms import edit_fields
from tests.helpers.html import page_text

#: The day the tests' edits are made, as the page dates them in Paris.
EDITED = datetime(2054, 3, 3, 9, 0, tzinfo=UTC)
WAS = "Saturday 12 December 2054, 19:30"
PLACE = "12 Rue de la Paix, Paris"


@pytest.fixture
def owned(browser, create_event_as, clock):
    """An event made by `browser`, which keeps owner access; edits happen on 3 March."""
    clock(EDITED)
    return create_event_as(browser)


def edit(browser, slug: str, version: int = 1, **fields):
    response = browser.post(f"/events/{slug}/edit", data=edit_fields(version, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)


def friend_page(app, slug: str) -> str:
    return page_text(app.test_client().get(f"/events/{slug}").get_data(as_text=True))


def test_a_new_time_is_told_with_what_it_was(app, browser, owned):
    edit(browser, owned, date="2054-12-13", time="18:00")
    assert (
        f"The time changed on 3 March: was {WAS} → now Sunday 13 December 2054, 18:00"
        in friend_page(app, owned)
    )
    assert "The place changed" not in friend_page(app, owned)


def test_a_new_end_is_a_new_time(app, browser, owned):
    edit(browser, owned, end_time="23:00")
    assert f"was {WAS} → now {WAS} until 23:00" in friend_page(app, owned)


def test_a_new_place_is_told_with_what_it_was(app, browser, owned):
    edit(browser, owned, location="Chez Marie")
    page = friend_page(app, owned)
    assert f"The place changed on 3 March: was {PLACE} → now Chez Marie" in page
    assert "The time changed" not in page


def test_a_new_zone_shows_both_zones(app, browser, owned):
    edit(browser, owned, timezone="Europe/London")
    assert (
        f"was {WAS} (Europe/Paris, UTC+01:00) → now Saturday 12 December 2054, 19:30 "
        "(Europe/London, UTC+00:00)" in friend_page(app, owned)
    )


def test_two_moves_in_two_weeks_tell_what_it_was_before_both(app, browser, owned, clock):
    edit(browser, owned, time="20:00")
    clock(EDITED + timedelta(days=2))
    edit(browser, owned, version=2, time="21:00")
    page = friend_page(app, owned)
    assert f"The time changed on 5 March: was {WAS} → now Saturday 12 December 2054, 21:00" in page
    assert page.count("The time changed") == 1


def test_a_time_moved_back_tells_nothing(app, browser, owned, clock):
    edit(browser, owned, time="20:00")
    edit(browser, owned, version=2, time="19:30")
    assert "changed on" not in friend_page(app, owned)


def test_the_notice_lasts_two_weeks(app, browser, owned, clock):
    edit(browser, owned, time="20:00", location="Chez Marie")
    clock(EDITED + timedelta(days=NOTICE_DAYS) - timedelta(minutes=1))
    page = friend_page(app, owned)
    assert "The time changed on 3 March" in page
    assert "The place changed on 3 March" in page
    clock(EDITED + timedelta(days=NOTICE_DAYS, minutes=1))  # to the whole minute after it
    assert "changed on" not in friend_page(app, owned)


def test_a_new_title_or_description_is_no_change_of_plan(app, browser, owned, load_event):
    edit(browser, owned, title="Games night", description="Bring dice.")
    assert load_event(owned).title == "Games night"
    assert "changed on" not in friend_page(app, owned)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventChange)) == 0


def test_the_owner_s_answers_page_lists_every_change(app, browser, owned, clock):
    edit(browser, owned, time="20:00")
    clock(EDITED + timedelta(days=30))  # long after friends stop being told
    edit(browser, owned, version=2, time="20:00", location="Chez Marie")
    page = page_text(browser.get(f"/events/{owned}/answers").get_data(as_text=True))
    assert "Changes of time and place" in page
    newest = "Thursday 2 April 2054, 11:00: the place was 12 Rue de la Paix, Paris → now Chez Marie"
    oldest = (
        f"Tuesday 3 March 2054, 10:00: the time was {WAS} → now Saturday 12 December 2054, 20:00"
    )
    assert newest in page
    assert oldest in page
    assert page.index(newest) < page.index(oldest)


def test_the_change_list_is_the_owner_s_alone(app, browser, owned, make_browser):
    edit(browser, owned, time="20:00")
    page = make_browser().get(f"/events/{owned}/answers").get_data(as_text=True)
    assert "Changes of time and place" not in page
    assert "20:00" not in page


def test_a_refused_edit_keeps_no_change(app, browser, owned):
    stale = edit_fields(version=7, time="20:00")
    assert browser.post(f"/events/{owned}/edit", data=stale).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventChange)) == 0


def test_changes_go_with_their_event(app, browser, owned):
    edit(browser, owned, time="20:00")
    response = browser.post(f"/events/{owned}/delete", data={"password": ""})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EventChange)) == 0
