"""A poll's pick racing another pick, or friends' votes: one consistent outcome."""

from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import PollOption
from skedjit.models import Rsvp
from tests.helpers.apps import BACKENDS
from tests.helpers.apps import close_app
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.polls import poll_form
from tests.helpers.polls import vote
from tests.helpers.waiting import all_at_once


@pytest.fixture(params=BACKENDS)
def database_url(request, new_database_url, tmp_path: Path) -> str:
    """A fresh migrated database of each backend for this module's `app`, as in
    test_rsvp_concurrency.py: the threads below hold locks."""
    url = new_database_url(request.param)
    migrating = new_test_app(make_config(url), instance_path=str(tmp_path / "migrate-instance"))
    with migrating.app_context():
        upgrade()
    close_app(migrating)
    return url


@pytest.fixture
def poll(browser) -> str:
    """A poll of three dates that `browser` owns."""
    response = browser.post("/create/poll", data=poll_form())
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def options_and_start(app, slug: str) -> tuple[dict, object]:
    """The poll's options by id with their start, and the event's start now."""
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        query = select(PollOption.id, PollOption.starts_at).where(PollOption.event_id == event.id)
        return dict(db.session.execute(query).all()), (event.poll, event.starts_at)


def answers(app, slug: str) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(
            select(Rsvp.name, Rsvp.response).join(Event).where(Event.slug == slug)
        )
        return dict(rows.all())


def test_two_owners_picking_at_once_leave_one_pick(app, browser, make_browser, poll):
    options, _ = options_and_start(app, poll)
    first, second, _third = sorted(options, key=options.get)
    co_owner = make_browser()
    unlocked = co_owner.post(f"/events/{poll}/poll/unlock", data={"password": "correct horse"})
    assert unlocked.status_code == 303
    vote(make_browser(), poll, {first: "yes", second: "no"}, name="Ana")
    owners = {first: browser, second: co_owner}

    def send(option: int) -> tuple[int, int]:
        response = owners[option].post(f"/events/{poll}/poll/pick", data={"option": str(option)})
        return option, response.status_code

    statuses = dict(all_at_once(send, [first, second]))

    assert sorted(statuses.values()) == [303, 409], statuses
    (won,) = [option for option, status in statuses.items() if status == 303]
    assert options_and_start(app, poll)[1] == ("picked", options[won])
    assert answers(app, poll) == {"Ana": "yes" if won == first else "no"}


def test_votes_arriving_during_the_pick_are_carried_over_or_refused(
    app, browser, make_browser, poll
):
    options, _ = options_and_start(app, poll)
    chosen = min(options, key=options.get)
    vote(make_browser(), poll, {chosen: "maybe"}, name="Early")
    friends = {f"Friend {index}": make_browser() for index in range(6)}

    def send(who: str) -> tuple[str, int]:
        if who == "owner":
            response = browser.post(f"/events/{poll}/poll/pick", data={"option": str(chosen)})
        else:
            response = vote(friends[who], poll, {chosen: "yes"}, name=who)
        return who, response.status_code

    statuses = dict(all_at_once(send, ["owner", *friends]))

    assert statuses.pop("owner") == 303
    assert set(statuses.values()) <= {303, 409}, statuses
    stored = answers(app, poll)
    assert stored.pop("Early") == "maybe"
    # A vote that came in before the pick is now an answer; one after it is refused and
    # not stored; none is left a vote.
    assert stored == {name: "yes" for name, status in statuses.items() if status == 303}
