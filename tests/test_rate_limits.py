"""Abuse limits per client address: creates, wrong passwords, answers, unknown event links."""

import re
import time

import limits.storage.memory
import pytest
from sqlalchemy import select

from config import TestingConfig
from skedjit import rate_limits
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from skedjit.rate_limits import UnknownEvents
from skedjit.rate_limits import client_address
from skedjit.text import describe_wait
from tests.helpers.apps import count_rows as count
from tests.helpers.apps import setting_from_environment
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import answer
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import text_of as text
from tests.helpers.ports import free_port
from tests.helpers.waiting import all_at_once

SMALL = {
    "RATELIMIT_CREATES": "3 per hour",
    "RATELIMIT_WRONG_PASSWORDS": "3 per hour",
    "RATELIMIT_RSVPS": "3 per hour",
    "RATELIMIT_UNKNOWN_EVENTS": "3 per minute",
}
WRONG = "not the password"
UNKNOWN = "zzzzzz"  # a well-formed slug no test event gets (a 1 in 34 billion chance)
NEW_EVENTS = "Too many new events from your address."
WRONG_PASSWORDS = "Too many wrong event passwords from your address."
ANSWERS = "Too many answers from your address."
UNKNOWN_EVENTS = "Too many links to events that do not exist from your address."


@pytest.fixture
def limited(make_limited_app):
    """An app with small limits, memory storage."""
    return make_limited_app(**SMALL)


def browser_at(app, address: str, **environ) -> Browser:
    """A new browser whose requests come from this address."""
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, **environ)
    return Browser(client)


def assert_refused(response, sentence: str, window_seconds: int) -> int:
    """A 429 on the error page or a form, with the sentence and a Retry-After within the window."""
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert 0 < retry_after <= window_seconds
    wait = describe_wait(retry_after)
    assert f"{sentence} Try again in {wait}." in text(response)
    return retry_after


def without_wait(html: str) -> str:
    return re.sub(r"Try again in [^.]+\.", "", html)


def wrong_password(browser, slug: str, page: str):
    path = {"edit": "edit", "delete": "delete", "answers": "answers/unlock"}[page]
    return browser.post(f"/events/{slug}/{path}", data={"password": WRONG})


class Clock:
    """Wall-clock time for the in-memory counts, movable forward."""

    def __init__(self):
        self.offset = 0.0

    def time(self) -> float:
        return time.time() + self.offset


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """The clock in-memory counts and blocks expire by, which a test may move forward."""
    fake = Clock()
    monkeypatch.setattr(limits.storage.memory, "time", fake)
    monkeypatch.setattr(rate_limits, "time", fake)
    return fake


# -- Settings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "default"),
    [
        ("RATELIMIT_ENABLED", True),
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("RATELIMIT_CREATES", "10 per hour"),
        ("RATELIMIT_WRONG_PASSWORDS", "20 per hour"),
        ("RATELIMIT_RSVPS", "30 per hour"),
        ("RATELIMIT_UNKNOWN_EVENTS", "20 per minute"),
        ("RATELIMIT_RECOVERIES", "5 per hour"),
        ("RATELIMIT_RECOVERIES_PER_EVENT", "3 per hour"),
        ("RATELIMIT_EMAILS", "100 per day"),
    ],
)
def test_production_limits_people_by_default(name, default):
    assert setting_from_environment(name) == default


def test_the_other_tests_run_without_limits():
    assert TestingConfig.RATELIMIT_ENABLED is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", False), ("off", False), ("False", False), ("no", False), ("1", True)],
)
def test_limits_are_switched_off_from_the_environment(value, expected):
    assert setting_from_environment("RATELIMIT_ENABLED", RATELIMIT_ENABLED=value) is expected


def test_limits_and_storage_come_from_the_environment():
    settings = {
        "RATELIMIT_CREATES": "5 per day",
        "RATELIMIT_WRONG_PASSWORDS": "7/hour",
        "RATELIMIT_RSVPS": "",
        "RATELIMIT_UNKNOWN_EVENTS": "10/minute;100/hour",
        "RATELIMIT_STORAGE_URI": "redis://cache.example:6379/2",
    }
    for name, value in settings.items():
        assert setting_from_environment(name, **settings) == value


def test_a_limit_that_cannot_be_read_stops_the_app_at_start(make_app):
    with pytest.raises(RuntimeError, match="RATELIMIT_CREATES='ten an hour'"):
        make_app(RATELIMIT_CREATES="ten an hour")


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (1, "1 second"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (61, "2 minutes"),
        (3600, "1 hour"),
        (3601, "2 hours"),
        (7201, "3 hours"),
        (86400, "1 day"),
    ],
)
def test_the_wait_is_said_in_words_rounded_up(seconds, words):
    assert describe_wait(seconds) == words


# -- Creating events ------------------------------------------------------------


def test_creating_events_is_limited_per_address(limited):
    browser = browser_at(limited, "192.0.2.10")
    for number in range(3):
        assert browser.post("/create", data=event_form(title=f"Event {number}")).status_code == 303
    refused = browser.post("/create", data=event_form(title="One too many"))
    retry_after = assert_refused(refused, NEW_EVENTS, 3600)
    assert retry_after > 3500
    assert count(limited, Event) == 3


def test_a_burst_of_parallel_creates_gets_no_more_than_the_limit(limited):
    browsers = [browser_at(limited, "192.0.2.10") for _ in range(12)]
    for browser in browsers:
        assert browser.csrf_token  # each has its form open
    statuses = all_at_once(
        lambda browser: browser.post("/create", data=event_form()).status_code, browsers
    )
    assert sorted(statuses) == [303] * 3 + [429] * 9
    assert count(limited, Event) == 3


def test_a_refused_create_shows_the_form_again_with_what_was_typed(limited):
    browser = browser_at(limited, "192.0.2.10")
    for number in range(3):
        browser.post("/create", data=event_form(title=f"Event {number}"))
    refused = browser.post("/create", data=event_form(title="Quiz night", location="The Crown"))
    html = text(refused)
    assert refused.status_code == 429
    assert '<form method="post" action="/create"' in html
    assert 'value="Quiz night"' in html
    assert 'value="The Crown"' in html
    assert 'name="csrf_token"' in html
    assert PASSWORD not in html  # passwords are typed again, never sent back


def test_forms_refused_for_their_content_are_not_counted_as_creates(limited):
    browser = browser_at(limited, "192.0.2.10")
    for _ in range(5):
        assert browser.post("/create", data=event_form(title="")).status_code == 400
    for number in range(3):
        assert browser.post("/create", data=event_form(title=f"Event {number}")).status_code == 303


def test_other_addresses_may_still_create(limited):
    first = browser_at(limited, "192.0.2.10")
    for number in range(4):
        first.post("/create", data=event_form(title=f"Event {number}"))
    assert browser_at(limited, "192.0.2.11").post("/create", data=event_form()).status_code == 303
    assert count(limited, Event) == 4


def test_a_limit_lets_go_when_its_window_ends(limited, clock):
    browser = browser_at(limited, "192.0.2.10")
    for number in range(3):
        browser.post("/create", data=event_form(title=f"Event {number}"))
    assert browser.post("/create", data=event_form()).status_code == 429
    clock.offset = 3601
    assert browser.post("/create", data=event_form()).status_code == 303


# -- Wrong passwords ------------------------------------------------------------


def test_wrong_passwords_are_limited_across_edit_delete_and_answers(
    limited, make_event, load_event
):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.20")
    for page in ("edit", "delete", "answers"):
        assert wrong_password(browser, slug, page).status_code == 403
    # Even the right password is refused now, and the event stays.
    refused = browser.post(f"/events/{slug}/delete", data={"password": PASSWORD})
    assert_refused(refused, WRONG_PASSWORDS, 3600)
    assert load_event(slug) is not None


def test_only_wrong_passwords_are_counted(limited, make_event):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.20")
    for _ in range(4):
        assert browser.post(f"/events/{slug}/answers/unlock", data={}).status_code == 400
        right = browser_at(limited, "192.0.2.20").post(
            f"/events/{slug}/answers/unlock", data={"password": PASSWORD}
        )
        assert right.status_code == 303
    for _ in range(3):
        assert wrong_password(browser, slug, "answers").status_code == 403
    assert wrong_password(browser, slug, "answers").status_code == 429


def test_owner_access_is_neither_counted_nor_refused(limited, make_event, load_event):
    owner = browser_at(limited, "192.0.2.20")
    slug = owner.post("/create", data=event_form()).headers["Location"].rsplit("/", 1)[1]
    guesser = browser_at(limited, "192.0.2.20")
    for page in ("edit", "delete", "answers"):
        wrong_password(guesser, slug, page)
    assert wrong_password(guesser, slug, "edit").status_code == 429
    edited = owner.post(f"/events/{slug}/edit", data=edit_fields(title="Moved"))
    assert edited.status_code == 303
    assert load_event(slug).title == "Moved"
    assert owner.post(f"/events/{slug}/delete", data={}).status_code == 303


def test_wrong_passwords_from_another_address_do_not_count(limited, make_event):
    slug = make_event()
    for _ in range(3):
        wrong_password(browser_at(limited, "192.0.2.20"), slug, "edit")
    assert wrong_password(browser_at(limited, "192.0.2.21"), slug, "edit").status_code == 403


# -- Answers --------------------------------------------------------------------


def test_answers_are_limited_per_address(limited, make_event):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.30")
    assert answer(browser, slug, name="Ana").status_code == 303
    assert browser.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    assert answer(browser, slug, name="Ana again").status_code == 303
    refused = answer(browser, slug, name="Bea")
    assert_refused(refused, ANSWERS, 3600)
    assert count(limited, Rsvp) == 1
    with limited.app_context():
        assert db.session.scalars(select(Rsvp.name)).all() == ["Ana again"]
    assert answer(browser_at(limited, "192.0.2.31"), slug, name="Cy").status_code == 303


def test_a_refused_answer_is_the_same_page_whether_or_not_the_event_exists(limited, make_event):
    slug = make_event(title="Secret party")
    for name in ("Ana", "Bea", "Cy"):
        answer(browser_at(limited, "192.0.2.30"), slug, name=name)
    browser = browser_at(limited, "192.0.2.30")
    known, unknown = answer(browser, slug), answer(browser, UNKNOWN)
    assert known.status_code == unknown.status_code == 429
    assert "Secret party" not in text(known)
    assert without_wait(text(known)) == without_wait(text(unknown))


# -- Unknown event links --------------------------------------------------------


def test_unknown_event_links_are_limited_then_every_event_link_is_refused(limited, make_event):
    slug = make_event(title="Secret party")
    browser = browser_at(limited, "192.0.2.40")
    for path in (f"/events/{UNKNOWN}", f"/events/{UNKNOWN}.ics", f"/events/{UNKNOWN}/qr.svg"):
        assert browser.get(path).status_code == 404
    for path in (
        f"/events/{slug}",
        f"/events/{slug}.ics",
        f"/events/{slug}/edit",
        f"/events/{UNKNOWN}",
    ):
        refused = browser.get(path)
        assert_refused(refused, UNKNOWN_EVENTS, 60)
        assert "Secret party" not in text(refused)
    assert answer(browser, slug).status_code == 429
    assert count(limited, Rsvp) == 0


def test_pages_that_are_not_event_links_stay_open_to_a_limited_address(limited):
    browser = browser_at(limited, "192.0.2.40")
    for _ in range(4):
        browser.get(f"/events/{UNKNOWN}")
    assert browser.get("/").status_code == 200
    assert browser.get("/create").status_code == 200


def test_known_events_are_not_counted(limited, make_event):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.40")
    for path in ("", ".ics", "/qr.svg", "/edit", "/delete", "/answers") * 2:
        assert browser.get(f"/events/{slug}{path}").status_code == 200


def test_unknown_answer_links_are_counted_too(limited, make_event):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.40")
    for token in ("guess1", "guess2", "guess3"):
        assert browser.get(f"/events/{slug}/rsvp/{token}").status_code == 404
    assert browser.get(f"/events/{slug}").status_code == 429


def test_other_addresses_still_see_events(limited, make_event):
    slug = make_event()
    for _ in range(4):
        browser_at(limited, "192.0.2.40").get(f"/events/{UNKNOWN}")
    assert browser_at(limited, "192.0.2.41").get(f"/events/{slug}").status_code == 200


def test_event_links_open_again_when_the_window_ends(limited, make_event, clock):
    slug = make_event()
    browser = browser_at(limited, "192.0.2.40")
    for _ in range(3):
        browser.get(f"/events/{UNKNOWN}")
    assert browser.get(f"/events/{slug}").status_code == 429
    clock.offset = 61
    assert browser.get(f"/events/{slug}").status_code == 200


def test_blocked_addresses_are_forgotten_once_expired(monkeypatch, clock):
    monkeypatch.setattr(UnknownEvents, "REMEMBERED", 2)
    links = UnknownEvents()
    links.block("192.0.2.1", clock.time() + 10)
    links.block("192.0.2.2", clock.time() + 60)
    clock.offset = 30
    links.block("192.0.2.3", clock.time() + 60)
    assert set(links.blocked) == {"192.0.2.2", "192.0.2.3"}


def test_an_empty_setting_turns_that_limit_off(make_limited_app, make_event):
    app = make_limited_app(**(SMALL | {"RATELIMIT_UNKNOWN_EVENTS": ""}))
    slug = make_event()
    browser = browser_at(app, "192.0.2.40")
    for _ in range(5):
        assert browser.get(f"/events/{UNKNOWN}").status_code == 404
    assert browser.get(f"/events/{slug}").status_code == 200


def test_limits_switched_off_refuse_nothing(make_app, make_event):
    app = make_app(RATELIMIT_ENABLED=False, **SMALL)
    slug = make_event()
    browser = browser_at(app, "192.0.2.40")
    for number in range(5):
        assert browser.get(f"/events/{UNKNOWN}").status_code == 404
        assert browser.post("/create", data=event_form(title=f"E{number}")).status_code == 303
        assert wrong_password(browser, slug, "edit").status_code == 403
    assert browser.get(f"/events/{slug}").status_code == 200


# -- Which address counts ----------------------------------------------------------


def exhaust_unknown_events(app, address: str, **environ) -> None:
    browser = browser_at(app, address, **environ)
    for _ in range(3):
        assert browser.get(f"/events/{UNKNOWN}").status_code == 404


def test_a_forged_forwarded_for_changes_nothing_without_trusted_proxies(limited, make_event):
    slug = make_event()
    exhaust_unknown_events(limited, "192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.1")
    forged = browser_at(limited, "192.0.2.50", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert forged.get(f"/events/{slug}").status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_address_counts_alone(make_limited_app, make_event):
    app = make_limited_app(TRUSTED_PROXIES=1, **SMALL)
    slug = make_event()
    exhaust_unknown_events(app, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    same = browser_at(app, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1")
    other = browser_at(app, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert same.get(f"/events/{slug}").status_code == 429
    assert other.get(f"/events/{slug}").status_code == 200


@pytest.mark.parametrize(
    ("remote_addr", "key"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("not:an:address", "not:an:address"),
        ("", ""),
    ],
)
def test_the_key_is_the_address_or_an_ipv6_clients_64(app, remote_addr, key):
    with app.test_request_context(environ_base={"REMOTE_ADDR": remote_addr}):
        assert client_address() == key


def test_an_ipv6_client_counts_by_its_64(limited, make_event):
    slug = make_event()
    exhaust_unknown_events(limited, "2001:db8:1:2::1")
    assert browser_at(limited, "2001:db8:1:2:ffff::9").get(f"/events/{slug}").status_code == 429
    assert browser_at(limited, "2001:db8:1:3::1").get(f"/events/{slug}").status_code == 200


# -- Storage ----------------------------------------------------------------------


def test_each_app_keeps_its_own_storage(make_limited_app):
    first, second = make_limited_app(**SMALL), make_limited_app(**SMALL)
    assert (
        first.extensions[rate_limits.KEY].storage is not second.extensions[rate_limits.KEY].storage
    )


def test_memory_storage_counts_in_each_app_alone(make_limited_app, make_event):
    first, second = make_limited_app(**SMALL), make_limited_app(**SMALL)
    slug = make_event()
    exhaust_unknown_events(first, "192.0.2.60")
    assert browser_at(first, "192.0.2.60").get(f"/events/{slug}").status_code == 429
    assert browser_at(second, "192.0.2.60").get(f"/events/{slug}").status_code == 200
    for number in range(3):
        browser_at(first, "192.0.2.60").post("/create", data=event_form(title=f"E{number}"))
    assert browser_at(first, "192.0.2.60").post("/create", data=event_form()).status_code == 429
    assert browser_at(second, "192.0.2.60").post("/create", data=event_form()).status_code == 303


def test_redis_storage_shares_counts_between_apps(make_limited_app, make_event, redis_url):
    first = make_limited_app(RATELIMIT_STORAGE_URI=redis_url, **SMALL)
    second = make_limited_app(RATELIMIT_STORAGE_URI=redis_url, **SMALL)
    slug = make_event()
    exhaust_unknown_events(first, "192.0.2.60")
    assert browser_at(first, "192.0.2.60").get(f"/events/{slug}").status_code == 429
    # The other app learns it at the address's first unknown link there, not its fourth.
    browser = browser_at(second, "192.0.2.60")
    assert browser.get(f"/events/{UNKNOWN}").status_code == 404
    assert_refused(browser.get(f"/events/{slug}"), UNKNOWN_EVENTS, 60)
    assert browser_at(second, "192.0.2.61").get(f"/events/{slug}").status_code == 200


def test_redis_storage_shares_the_counts_views_make(make_limited_app, make_event, redis_url):
    first = make_limited_app(RATELIMIT_STORAGE_URI=redis_url, **SMALL)
    second = make_limited_app(RATELIMIT_STORAGE_URI=redis_url, **SMALL)
    slug = make_event()
    for number in range(3):
        creator = browser_at(first if number % 2 else second, "192.0.2.62")
        assert creator.post("/create", data=event_form(title=f"E{number}")).status_code == 303
        assert wrong_password(creator, slug, "edit").status_code == 403
    late = browser_at(first, "192.0.2.62")
    assert_refused(late.post("/create", data=event_form()), NEW_EVENTS, 3600)
    assert_refused(wrong_password(late, slug, "delete"), WRONG_PASSWORDS, 3600)
    assert count(first, Event) == 4  # the three created and make_event's


def test_an_unreachable_storage_limits_nothing_rather_than_failing(
    make_limited_app, make_event, caplog
):
    app = make_limited_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{free_port()}/0", **SMALL)
    slug = make_event()
    browser = browser_at(app, "192.0.2.70")
    for number in range(4):
        assert browser.get(f"/events/{UNKNOWN}").status_code == 404
        assert browser.post("/create", data=event_form(title=f"E{number}")).status_code == 303
    assert browser.get(f"/events/{slug}").status_code == 200
    assert re.search(r"rate limit", caplog.text, re.I)
