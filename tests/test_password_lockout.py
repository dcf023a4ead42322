"""The event password's lockout: kept in the database, checked before bcrypt, owners unaffected."""

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
from skedjit.models import PasswordGuesses
from skedjit.passwords import hash_cost
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.html import csrf_token_in
from tests.helpers.served import Visitor
from tests.helpers.served import served
from tests.helpers.waiting import all_at_once

WRONG = "not the password at all"
LOCKED = "Too many wrong passwords for this event from your address."
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


def stored(app, slug: str, address: str = "127.0.0.1") -> tuple:
    """(attempts, locked until) counted on the event for the address ("*": all of them)."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": address}):
        key = address if address == lockout.ALL_ADDRESSES else lockout.address_key()
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
        guesses = db.session.get(PasswordGuesses, (event_id, key))
        return (guesses.attempts, guesses.locked_until) if guesses else (0, None)


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
        (3600, "Try again in 1 hour."),
    ],
)
def test_refusal_says_how_long_to_wait(seconds, sentence):
    locked = lockout.PasswordLockedError(START + timedelta(seconds=seconds), START)
    assert locked.seconds == seconds
    assert locked.sentence == f"{LOCKED} {sentence}"


def test_five_wrong_passwords_lock_the_address_for_a_minute_without_running_bcrypt(
    app, browser, make_event, load_event, clock, bcrypt_checks
):
    slug = make_event()
    for _ in range(5):
        assert guess(browser, slug).status_code == 403
    assert len(bcrypt_checks) == 5
    assert stored(app, slug) == (5, START + timedelta(minutes=1))

    refused = guess(browser, slug, PASSWORD)  # even the right one waits

    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert f"{LOCKED} Try again in 1 minute." in page(refused)
    assert 'value="Hijacked"' in page(refused)  # the form keeps what was typed
    assert len(bcrypt_checks) == 5
    assert load_event(slug).title == "Picnic"
    assert stored(app, slug) == (5, START + timedelta(minutes=1))


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
    app, browser, make_event, load_event, clock
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
    assert stored(app, slug) == (0, None)


def test_fewer_than_five_failures_are_forgotten_after_the_right_password(
    app, make_browser, make_event, load_event, clock
):
    slug = make_event()
    friend = make_browser()
    for _ in range(4):
        guess(friend, slug)
    assert guess(make_browser(), slug, PASSWORD, action="answers/unlock").status_code == 303
    for _ in range(4):
        assert guess(friend, slug).status_code == 403
    assert stored(app, slug) == (4, None)


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
    statuses = all_at_once(lambda browser: guess(browser, slug).status_code, browsers)

    assert sorted(statuses) == [403] * 5 + [429] * 15
    assert len(bcrypt_checks) == 5
    failures, locked_until = stored(app, slug)
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
    with app.test_request_context():
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


@pytest.mark.slow
def test_the_lockout_holds_across_two_servers_sharing_one_database(empty_database_url):
    shared = {"SECRET_KEY": "one key for both servers, as the README asks"}
    with served(empty_database_url, **shared) as one, served(empty_database_url, **shared) as two:
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


ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def test_a_locked_address_leaves_the_password_working_from_every_other(
    app, make_browser, make_event, clock
):
    slug = make_event()
    attacker = make_browser(ATTACKER)
    statuses = [guess(attacker, slug).status_code for _ in range(6)]
    assert statuses == [403] * 5 + [429]

    assert guess(make_browser(OWNER), slug, PASSWORD).status_code == 303
    assert load_title(app, slug) == "Hijacked"
    assert stored(app, slug, ATTACKER)[1] == START + timedelta(minutes=1)
    assert stored(app, slug, OWNER) == (0, None)


def test_a_guess_each_time_the_lock_ends_never_keeps_the_owner_out(
    app, make_browser, create_event_as, clock
):
    owner = make_browser(OWNER)
    slug = create_event_as(owner)
    attacker = make_browser(ATTACKER)
    for _ in range(5):
        guess(attacker, slug)
    waited = timedelta(minutes=1)
    for _ in range(8):  # one guess whenever the lock has just ended
        clock.advance(seconds=waited.total_seconds())
        assert guess(attacker, slug).status_code == 403
        waited = stored(app, slug, ATTACKER)[1] - clock.now
    assert waited == timedelta(hours=1)

    # The owner, in a browser whose owner access has lapsed, still gets in with the
    # password from their own address, and has owner access again.
    returning = make_browser(OWNER)
    assert guess(returning, slug, PASSWORD, action="answers/unlock").status_code == 303
    edit = returning.post(f"/events/{slug}/edit", data=edit_fields(title="Still mine"))
    assert edit.status_code == 303
    assert load_title(app, slug) == "Still mine"


@pytest.mark.slow  # some nine seconds on each database, mostly waiting out the delays
def test_past_fifty_guesses_an_hour_each_address_waits_ten_seconds_after_each(
    app, make_browser, make_event, clock
):
    slug = make_event()
    for number in range(lockout.CEILING):
        assert guess(make_browser(f"10.0.{number}.1"), slug).status_code == 403
    slowed = make_browser("10.1.0.1")
    assert guess(slowed, slug).status_code == 403
    assert stored(app, slug, lockout.ALL_ADDRESSES)[0] == lockout.CEILING + 1

    refused = guess(slowed, slug)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "10"
    # Slowed, never refused outright: the right password from any other address works.
    assert guess(make_browser(OWNER), slug, PASSWORD).status_code == 303
    clock.advance(seconds=10)
    assert guess(slowed, slug).status_code == 403

    clock.advance(hours=1)  # a new hour: its first attempts go unslowed
    assert guess(make_browser("10.2.0.1"), slug).status_code == 403
    assert stored(app, slug, lockout.ALL_ADDRESSES)[0] == 1
    assert guess(make_browser("10.2.0.1"), slug).status_code == 403


def test_a_new_password_clears_every_count(app, make_browser, create_event_as, clock):
    owner = make_browser(OWNER)
    slug = create_event_as(owner)
    for _ in range(5):
        guess(make_browser(ATTACKER), slug)
    assert stored(app, slug, ATTACKER)[1] is not None

    fields = edit_fields(new_password="a brand new one", new_password_confirm="a brand new one")
    assert owner.post(f"/events/{slug}/edit", data=fields).status_code == 303

    assert stored(app, slug, ATTACKER) == (0, None)
    assert stored(app, slug, lockout.ALL_ADDRESSES) == (0, None)
    unlock = guess(make_browser(ATTACKER), slug, "a brand new one", action="answers/unlock")
    assert unlock.status_code == 303


def test_addresses_are_kept_only_as_keyed_hashes(app, make_browser, make_event, clock):
    slug = make_event()
    guess(make_browser(ATTACKER), slug)
    with app.app_context():
        keys = set(db.session.scalars(select(PasswordGuesses.address)))
    assert len(keys) == 2
    assert lockout.ALL_ADDRESSES in keys
    assert not any(ATTACKER in key for key in keys)


def load_title(app, slug: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Event.title).where(Event.slug == slug))
