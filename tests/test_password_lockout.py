"""The event password's lockout: kept in the database, checked before bcrypt, owners unaffected."""

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from html import unescape

import bcrypt
import pytest
from sqlalchemy import select

from skedjit import lockout
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.passwords import hash_cost
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.html import csrf_token_in
from tests.helpers.served import Visitor
from tests.helpers.served import served

WRONG = "not the password at all"
LOCKED = "Too many wrong passwords for this event."
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """The lockout's notion of now, moved by hand."""

    class Clock:
        now = START

        def advance(self, **delta) -> None:
            self.now += timedelta(**delta)

    clock = Clock()
    monkeypatch.setattr(lockout, "utcnow", lambda: clock.now)
    return clock


@pytest.fixture
def bcrypt_checks(monkeypatch) -> list[bytes]:
    """The passwords bcrypt was asked to check."""
    checked: list[bytes] = []
    real = bcrypt.checkpw

    def counting(password: bytes, hashed: bytes) -> bool:
        checked.append(password)
        return real(password, hashed)

    monkeypatch.setattr(bcrypt, "checkpw", counting)
    return checked


def guess(browser, slug: str, password: str = WRONG, action: str = "edit"):
    data = (
        edit_fields(password=password, title="Hijacked")
        if action == "edit"
        else {"password": password}
    )
    return browser.post(f"/events/{slug}/{action}", data=data)


def stored(load_event, slug: str) -> tuple:
    event = load_event(slug)
    return event.password_failures, event.password_locked_until


def page(response) -> str:
    return unescape(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("attempts", "lock"),
    [
        (1, None),
        (4, None),
        (5, timedelta(minutes=1)),
        (6, timedelta(minutes=2)),
        (7, timedelta(minutes=4)),
        (11, timedelta(minutes=60)),
        (12, timedelta(minutes=60)),
        (500, timedelta(minutes=60)),
    ],
)
def test_lock_starts_at_one_minute_after_five_attempts_and_doubles_up_to_an_hour(attempts, lock):
    assert lockout.lock_after(attempts) == lock


@pytest.mark.parametrize(
    ("seconds", "sentence"),
    [
        (1, "Try again in 1 second."),
        (59, "Try again in 59 seconds."),
        (60, "Try again in 1 minute."),
        (61, "Try again in 2 minutes."),
        (3600, "Try again in 60 minutes."),
    ],
)
def test_refusal_says_how_long_to_wait(seconds, sentence):
    locked = lockout.PasswordLockedError(START + timedelta(seconds=seconds), START)
    assert locked.seconds == seconds
    assert locked.sentence == f"{LOCKED} {sentence}"


def test_five_wrong_passwords_lock_the_event_for_a_minute_without_running_bcrypt(
    browser, make_event, load_event, clock, bcrypt_checks
):
    slug = make_event()
    for _ in range(5):
        assert guess(browser, slug).status_code == 403
    assert len(bcrypt_checks) == 5
    assert stored(load_event, slug) == (5, START + timedelta(minutes=1))

    refused = guess(browser, slug, PASSWORD)  # even the right one waits

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert f"{LOCKED} Try again in 1 minute." in page(refused)
    assert 'value="Hijacked"' in page(refused)  # the form keeps what was typed
    assert len(bcrypt_checks) == 5
    assert load_event(slug).title == "Picnic"
    assert stored(load_event, slug) == (5, START + timedelta(minutes=1))


def test_the_lock_doubles_with_each_further_failure(browser, make_event, load_event, clock):
    slug = make_event()
    for _ in range(5):
        guess(browser, slug)
    waited = 1
    for minutes in (2, 4, 8):
        clock.advance(minutes=waited)
        waited = minutes
        assert guess(browser, slug).status_code == 403
        refused = guess(browser, slug)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == str(minutes * 60)
        assert f"Try again in {minutes} minutes." in page(refused)


def test_right_password_after_the_wait_works_and_resets_the_count(
    browser, make_event, load_event, clock
):
    slug = make_event()
    for _ in range(5):
        guess(browser, slug)
    clock.advance(seconds=59)
    assert guess(browser, slug, PASSWORD).status_code == 429
    clock.advance(seconds=1)

    response = guess(browser, slug, PASSWORD)

    assert response.status_code == 303
    assert load_event(slug).title == "Hijacked"
    assert stored(load_event, slug) == (0, None)


def test_fewer_than_five_failures_are_forgotten_after_the_right_password(
    make_browser, make_event, load_event, clock
):
    slug = make_event()
    friend = make_browser()
    for _ in range(4):
        guess(friend, slug)
    assert guess(make_browser(), slug, PASSWORD, action="answers/unlock").status_code == 303
    for _ in range(4):
        assert guess(friend, slug).status_code == 403
    assert stored(load_event, slug) == (4, None)


@pytest.mark.parametrize("action", ["delete", "answers/unlock"])
def test_delete_and_the_answers_page_are_locked_too(
    browser, make_event, load_event, clock, bcrypt_checks, action
):
    slug = make_event()
    for _ in range(5):
        assert guess(browser, slug, action=action).status_code == 403

    refused = guess(browser, slug, PASSWORD, action=action)

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert LOCKED in page(refused)
    assert len(bcrypt_checks) == 5
    assert load_event(slug) is not None


def test_a_friend_guessing_cannot_lock_out_the_owner(
    make_browser, create_event_as, load_event, clock
):
    owner = make_browser()
    slug = create_event_as(owner)
    friend = make_browser()
    for _ in range(6):
        guess(friend, slug)
    assert guess(friend, slug).status_code == 429

    edit = owner.post(f"/events/{slug}/edit", data=edit_fields(title="Still mine"))

    assert edit.status_code == 303
    assert load_event(slug).title == "Still mine"
    assert owner.post(f"/events/{slug}/delete").status_code == 303


def test_counting_does_not_touch_the_events_version_or_update_time(
    make_browser, make_event, load_event, clock
):
    slug = make_event()
    before = load_event(slug)
    editor = make_browser()
    version = editor.get(f"/events/{slug}/edit")  # the form carries the version it was opened at
    assert version.status_code == 200
    for _ in range(3):
        guess(make_browser(), slug)
    after = load_event(slug)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)

    saved = editor.post(
        f"/events/{slug}/edit",
        data=edit_fields(before.version, password=PASSWORD, title="Saved"),
    )
    assert saved.status_code == 303  # no edit conflict from the bookkeeping


def test_twenty_parallel_wrong_guesses_still_lock_after_five(
    app, make_browser, make_event, load_event, bcrypt_checks
):
    slug = make_event()
    browsers = [make_browser() for _ in range(20)]
    for browser in browsers:
        assert browser.csrf_token  # each has its form open
    ready = threading.Barrier(len(browsers))
    statuses: list[int] = []

    def attempt(browser) -> None:
        ready.wait(timeout=30)
        statuses.append(guess(browser, slug).status_code)

    threads = [threading.Thread(target=attempt, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [403] * 5 + [429] * 15
    assert len(bcrypt_checks) == 5
    failures, locked_until = stored(load_event, slug)
    assert failures == 5
    assert locked_until is not None


def test_a_hash_made_at_a_lower_cost_is_strengthened_by_the_right_password(
    make_app, make_event, load_event, clock
):
    slug = make_event()  # cost 4
    before = load_event(slug)
    stronger = make_app(BCRYPT_ROUNDS=5).test_client()
    token = csrf_token_in(stronger.get(f"/events/{slug}/answers").get_data(as_text=True))

    def unlock(password: str) -> int:
        data = {"csrf_token": token, "password": password}
        return stronger.post(f"/events/{slug}/answers/unlock", data=data).status_code

    assert unlock(WRONG) == 403
    assert hash_cost(load_event(slug).password_hash) == 4
    assert unlock(PASSWORD) == 303

    after = load_event(slug)
    assert hash_cost(after.password_hash) == 5
    assert bcrypt.checkpw(PASSWORD.encode(), after.password_hash.encode())
    # The same password: no one's owner access lapses, no edit form goes stale.
    assert (after.password_version, after.version) == (before.password_version, before.version)


def test_a_hash_changed_meanwhile_is_not_overwritten_by_the_stronger_one(app, make_event, clock):
    slug = make_event()
    with app.app_context():
        event = db.session.execute(select(Event).where(Event.slug == slug)).scalar_one()
        old_hash = event.password_hash
        new_hash = bcrypt.hashpw(b"changed meanwhile", bcrypt.gensalt(4)).decode()
        db.session.execute(
            Event.__table__.update().where(Event.id == event.id).values(password_hash=new_hash)
        )
        db.session.commit()
        event = db.session.get(Event, event.id)
        event.password_hash = old_hash  # what the request read before the change
        db.session.expunge(event)
        assert lockout.check_password(event, PASSWORD)
        stored_hash = db.session.scalar(select(Event.password_hash).where(Event.slug == slug))
    assert stored_hash == new_hash


def test_the_lockout_holds_across_two_servers_sharing_one_database(empty_database_url):
    with served(empty_database_url) as one, served(empty_database_url) as two:
        slug = Visitor(one).create_event("Two servers")
        friends = [Visitor(one), Visitor(two)]
        statuses = []
        for attempt in range(6):
            friend = friends[attempt % 2]
            response = friend.post_form(
                f"/events/{slug}/answers", f"/events/{slug}/answers/unlock", {"password": WRONG}
            )
            statuses.append(response.status)
        assert statuses == [403] * 5 + [429]
        assert LOCKED in unescape(response.body)
        assert response.headers["Retry-After"] in ("59", "60")
