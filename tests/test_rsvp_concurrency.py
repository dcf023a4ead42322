"""Capacity holds under concurrency: friends taking the last places at once do not all get in.

The served test fires simultaneous answers at the real app under gunicorn (two
processes of four threads) and counts who got in, over HTTP and in the
database. The lock test shows, without a server, that an answer waits for
another transaction holding the event's lock and then sees what it committed.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text

from skedjit.answers import service
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.apps import BACKENDS
from tests.helpers.apps import close_app
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.served import REQUEST_SECONDS
from tests.helpers.served import Response
from tests.helpers.served import Visitor
from tests.helpers.served import served

FULL = "The event is full"
BARRIER_SECONDS = 60  # every friend has fetched its page and is ready to post
ROUND_SECONDS = 2 * REQUEST_SECONDS + 30  # a round's posts, queued behind the server's 8 threads
HELD_SECONDS = 0.5  # how long the lock test holds the event's lock before ending its transaction
WAIT_SECONDS = 10  # for an answer that should go through once the lock is released


@pytest.fixture(params=BACKENDS)
def database_url(request, new_database_url, tmp_path: Path) -> str:
    """A fresh migrated database of each backend for this module's `app`.

    The suite's shared PostgreSQL test database may be in use by another test run,
    whose clean-up could delete rows from under a test that holds locks.
    """
    url = new_database_url(request.param)
    app = new_test_app(make_config(url), instance_path=str(tmp_path / "migrate-instance"))
    with app.app_context():
        upgrade()
    close_app(app)
    return url


def headcount_in_database(database_url: str, slug: str) -> tuple[int, list[str]]:
    """People going (guests included) and the names going, read straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT r.name, r.guests FROM rsvps r JOIN events e ON e.id = r.event_id"
                    " WHERE e.slug = :slug AND r.response = 'yes'"
                ),
                {"slug": slug},
            ).all()
    finally:
        engine.dispose()
    return sum(1 + guests for _, guests in rows), sorted(name for name, _ in rows)


def set_capacity(owner: Visitor, slug: str, capacity: int) -> None:
    """Set the capacity through the owner's answer settings, with no deadline."""
    fields = {"capacity": str(capacity), "deadline_date": "", "deadline_time": ""}
    url = f"/events/{slug}/answers"
    response = owner.post_form(url, url, fields)
    assert response.status == 303, response.body


def answer_all_at_once(base_url: str, slug: str, names: list[str], guests: int) -> list[Response]:
    """Each friend opens the event page in its own browser, then all send 'going' together."""
    friends = []
    for _ in names:
        friend = Visitor(base_url)
        page = friend.get(f"/events/{slug}")
        assert page.status == 200, page.body
        friends.append(friend)

    barrier = threading.Barrier(len(names), timeout=BARRIER_SECONDS)
    results: list[Response | BaseException | None] = [None] * len(names)

    def post(index: int) -> None:
        friend = friends[index]
        fields = {
            "name": names[index],
            "response": "yes",
            "guests": str(guests),
            "note": "",
        }
        try:
            barrier.wait()
            results[index] = friend.request(f"/events/{slug}/rsvp", fields)
        except BaseException as error:  # reported by the test, not lost in the thread
            barrier.abort()
            results[index] = error

    threads = [
        threading.Thread(target=post, args=(index,), name=f"friend-{index}", daemon=True)
        for index in range(len(names))
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + BARRIER_SECONDS + ROUND_SECONDS
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "some answers never came back"
    errors = [result for result in results if isinstance(result, BaseException)]
    if errors:
        raise errors[0]
    return results


@pytest.mark.served
@pytest.mark.parametrize(
    ("capacity", "friends", "guests", "admitted", "places"),
    [
        pytest.param(3, 12, 0, 3, '<strong class="full">Full</strong>', id="alone"),
        pytest.param(5, 8, 1, 2, "1 place left", id="with-a-guest", marks=pytest.mark.slow),
    ],
)
def test_friends_answering_at_once_never_go_past_the_capacity(
    empty_database_url, capacity, friends, guests, admitted, places
):
    with served(empty_database_url) as base_url:
        owner = Visitor(base_url)
        slug = owner.create_event("Last places")
        set_capacity(owner, slug, capacity)

        names = [f"Friend {index:02}" for index in range(friends)]
        results = answer_all_at_once(base_url, slug, names, guests)

        statuses = sorted(response.status for response in results)
        got_in = statuses.count(303)
        assert statuses == [303] * admitted + [409] * (friends - admitted), (
            f"{got_in} of {friends} friends got in where {admitted} fit; statuses {statuses}"
        )
        admitted_names = sorted(
            name for name, response in zip(names, results, strict=True) if response.status == 303
        )
        for response in results:
            if response.status == 303:
                assert response.location_path == f"/events/{slug}"
            else:
                assert FULL in response.body

        going = admitted * (1 + guests)
        page = owner.get(f"/events/{slug}")  # the owner's page is read from the database
        assert page.status == 200
        assert f"<strong>{going} going</strong>" in page.body
        assert places in page.body

        assert headcount_in_database(empty_database_url, slug) == (going, admitted_names)


def lock_and_take_the_last_place(event_id: int) -> None:
    """In this app context's transaction: lock the event's answers and add a 'going' answer."""
    service.lock_answers(event_id)
    token_hash = service.hash_token(service.new_token())
    db.session.add(
        Rsvp(event_id=event_id, name="Ana", response="yes", guests=0, token_hash=token_hash)
    )
    db.session.flush()


def answer_in_a_thread(app: Flask, slug: str) -> tuple[threading.Thread, dict]:
    """Start Bea answering 'going' in her own app context (own session, own connection)."""
    outcome: dict = {}

    def run() -> None:
        try:
            with app.app_context():
                event = db.session.execute(select(Event).where(Event.slug == slug)).scalar_one()
                fields = {"name": "Bea", "response": "yes", "guests": 0, "note": ""}
                service.answer(event, fields, None)
            outcome["result"] = "saved"
        except service.EventFullError:
            outcome["result"] = "full"
        except BaseException as error:  # reported by the test, not lost in the thread
            outcome["result"] = error
        outcome["finished"] = time.monotonic()

    thread = threading.Thread(target=run, name="bea", daemon=True)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize(("ending", "expected"), [("commit", "full"), ("rollback", "saved")])
def test_an_answer_waits_for_the_event_lock_and_sees_what_its_holder_did(
    app: Flask, make_event: Callable[..., str], ending, expected
):
    slug = make_event(capacity=1)
    with app.app_context():
        event_id = db.session.execute(select(Event.id).where(Event.slug == slug)).scalar_one()
        lock_and_take_the_last_place(event_id)
        thread, outcome = answer_in_a_thread(app, slug)
        try:
            thread.join(HELD_SECONDS)
            waited = thread.is_alive()
        finally:
            released = time.monotonic()
            getattr(db.session, ending)()  # commit: Ana took the last place; rollback: she did not
            thread.join(WAIT_SECONDS)
    assert waited, f"the answer did not wait for the lock: {outcome}"
    assert not thread.is_alive(), "the answer still waits after the lock was released"

    assert outcome["result"] == expected
    assert outcome["finished"] > released
    with app.app_context():
        names = db.session.execute(
            select(Rsvp.name).where(Rsvp.event_id == event_id, Rsvp.response == "yes")
        ).scalars()
        assert list(names) == (["Ana"] if ending == "commit" else ["Bea"])


def waiting_in_database(database_url: str, slug: str) -> list[str]:
    """The names on the waitlist, first come first, read straight from the database."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(
                connection.scalars(
                    text(
                        "SELECT r.name FROM rsvps r JOIN events e ON e.id = r.event_id"
                        " WHERE e.slug = :slug AND r.response = 'wait'"
                        " ORDER BY r.waiting_since, r.id"
                    ),
                    {"slug": slug},
                )
            )
    finally:
        engine.dispose()


def joined_in_order(database_url: str) -> list[str]:
    """Every answer's name, in the order its friend answered."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT name FROM rsvps ORDER BY created_at, id")))
    finally:
        engine.dispose()


@pytest.mark.served
def test_withdrawals_and_waitlist_joins_at_once_fill_every_place_in_turn(empty_database_url):
    """Four friends going withdraw while eight join the waitlist behind three who wait: the
    headcount never passes the capacity, the places go first come first, none stays free."""
    capacity = 4
    with served(empty_database_url) as base_url:
        owner = Visitor(base_url)
        slug = owner.create_event("Places that move")
        set_capacity(owner, slug, capacity)
        going = [Visitor(base_url) for _ in range(capacity)]
        for index, friend in enumerate(going):
            fields = {"name": f"Going {index}", "response": "yes", "guests": "0", "note": ""}
            assert friend.request(f"/events/{slug}/rsvp", fields).status == 303
        early = [f"Early {index}" for index in range(3)]
        for name in early:
            fields = {"name": name, "response": "yes", "guests": "0", "waitlist": "y"}
            assert Visitor(base_url).request(f"/events/{slug}/rsvp", fields).status == 303

        joining = [(Visitor(base_url), f"Late {index}") for index in range(8)]
        barrier = threading.Barrier(len(going) + len(joining), timeout=BARRIER_SECONDS)
        statuses: list = []
        most = [0]
        watching = threading.Event()

        def withdraw(friend: Visitor) -> None:
            barrier.wait()
            statuses.append(friend.request(f"/events/{slug}/rsvp/withdraw", {}).status)

        def join(friend: Visitor, name: str) -> None:
            fields = {"name": name, "response": "yes", "guests": "0", "waitlist": "y"}
            barrier.wait()
            statuses.append(friend.request(f"/events/{slug}/rsvp", fields).status)

        def watch() -> None:
            while not watching.is_set():
                most[0] = max(most[0], headcount_in_database(empty_database_url, slug)[0])

        threads = [threading.Thread(target=withdraw, args=(f,), daemon=True) for f in going]
        threads += [threading.Thread(target=join, args=j, daemon=True) for j in joining]
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(BARRIER_SECONDS + ROUND_SECONDS)
        watching.set()
        watcher.join(WAIT_SECONDS)
        assert not any(thread.is_alive() for thread in threads), "some requests never came back"
        assert statuses == [303] * len(threads)

        headcount, names = headcount_in_database(empty_database_url, slug)
        waiting = waiting_in_database(empty_database_url, slug)
        assert most[0] <= capacity
        assert headcount == capacity  # no place is left free while someone waits
        assert set(early) <= set(names)  # the ones waiting first moved up first
        assert len(waiting) == len(early) + len(joining) - capacity
        assert sorted(names + waiting) == sorted(early + [name for _, name in joining])
        joined = {name: number for number, name in enumerate(joined_in_order(empty_database_url))}
        late_going = [joined[name] for name in names if name.startswith("Late")]
        assert max(late_going, default=-1) < min(joined[name] for name in waiting)  # none skipped
        page = owner.get(f"/events/{slug}")
        assert page.status == 200
        assert f"Waitlist ({len(waiting)})" in page.body
