"""It's on if enough say yes: the owner's minimum going, the decision at its time (the
worker's, once), deciding early by hand, and what friends, calendars and emails see."""

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from skedjit import jobs
from skedjit.extensions import db
from skedjit.invites import reminders
from skedjit.models import Event
from skedjit.quorum import emails as quorum_emails
from skedjit.quorum import service
from tests.helpers.browser import Browser
from tests.helpers.forms import answer
from tests.helpers.forms import edit_fields
from tests.helpers.html import field_error
from tests.helpers.html import form_version
from tests.helpers.html import input_value
from tests.helpers.html import page_text
from tests.helpers.html import text_of as text
from tests.helpers.html import textarea
from tests.helpers.mail import mail_settings
from tests.helpers.worker import SettlingClient
from tests.helpers.worker import at_once
from tests.helpers.worker import emails_of
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle

#: event_form's start: Saturday 12 December 2054, 19:30 in Paris (UTC+01:00).
STARTS = datetime(2054, 12, 12, 18, 30, tzinfo=UTC)
#: The decision time the tests choose: Friday 11 December 2054, 18:00 in Paris.
DECIDES = datetime(2054, 12, 11, 17, 0, tzinfo=UTC)
BEFORE = DECIDES - timedelta(days=3)
MINIMUM = {"min_going": "6", "decide_date": "2054-12-11", "decide_time": "18:00"}
PENDING = "On if 6 say yes by Friday 11 December 2054, 18:00 — {} so far."
CALLED_OFF = "Called off: fewer than 6 said yes by Friday 11 December 2054, 18:00."


@pytest.fixture
def owner(app) -> Browser:
    return Browser(app.test_client())


@pytest.fixture
def slug(owner, create_event_as, clock) -> str:
    """An event made by `owner`, three days before its decision time would be."""
    clock(BEFORE)
    return create_event_as(owner)


def set_minimum(owner: Browser, slug: str, **fields):
    return owner.post(f"/events/{slug}/minimum", data=MINIMUM | fields)


def stored(app, slug: str) -> tuple:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        values = event.min_going, event.decide_at, event.decision
        db.session.remove()
    return values


def version_of(app, slug: str) -> tuple[int, int]:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        values = event.version, event.answers_version
        db.session.remove()
    return values


def answer_going(app, slug: str, count: int, guests: int = 0) -> None:
    for number in range(count):
        browser = Browser(app.test_client())
        response = answer(browser, slug, name=f"Friend {number}", guests=str(guests))
        assert response.status_code == 303, response.get_data(as_text=True)


def decide(app, moment: datetime) -> int:
    with app.app_context():
        decided = service.decide_due(moment)
        db.session.remove()
    return decided


def calendar_of(client, slug: str):
    (vevent,) = Calendar.from_ical(client.get(f"/events/{slug}.ics").data).walk("VEVENT")
    return vevent


def page(browser: Browser, slug: str) -> str:
    return page_text(browser.get(f"/events/{slug}").get_data(as_text=True))


# Setting the minimum.


def test_the_owner_sets_a_minimum_and_friends_see_it_with_the_count_so_far(
    app, owner, slug, client
):
    response = set_minimum(owner, slug)
    assert response.status_code == 303
    assert response.headers["Location"] == f"/events/{slug}/answers#minimum"
    assert stored(app, slug) == (6, DECIDES, None)
    assert PENDING.format(0) in page(Browser(client), slug)
    answer_going(app, slug, 1, guests=2)  # extra guests count, as in the capacity
    assert PENDING.format(3) in page(Browser(app.test_client()), slug)
    assert PENDING.format(3) in page(owner, slug)


def test_the_answers_page_offers_the_form_filled_in_with_the_minimum(app, owner, slug):
    html = owner.get(f"/events/{slug}/answers").get_data(as_text=True)
    assert '<label for="min_going">Fewest people going</label>' in html
    assert input_value(html, "min_going") == ""
    assert set_minimum(owner, slug).status_code == 303
    html = owner.get(f"/events/{slug}/answers").get_data(as_text=True)
    assert (input_value(html, "min_going"), input_value(html, "decide_date")) == ("6", "2054-12-11")
    assert input_value(html, "decide_time") == "18:00"
    assert PENDING.format(0) in page_text(html)
    assert f'href="/events/{slug}/minimum/off"' in html


def test_the_deadline_is_written_in_the_reader_s_language(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    german = app.test_client().get(f"/events/{slug}", headers={"Accept-Language": "de"})
    assert "Freitag, 11. Dezember 2054, 18:00" in text(german)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"min_going": ""}, "min_going", "Say how many people must be going."),
        ({"min_going": "0"}, "min_going", "Enter a number from 1 up."),
        ({"min_going": "six"}, "min_going", "Enter a whole number, e.g. 2."),
        ({"decide_date": ""}, "decide_date", "Give the day it is decided."),
        ({"decide_date": "11/12/2054"}, "decide_date", "Enter a real date as YYYY-MM-DD"),
        ({"decide_time": ""}, "decide_time", "Give the time it is decided."),
        ({"decide_time": "6pm"}, "decide_time", "Enter the time as HH:MM on a 24-hour clock"),
        ({"decide_date": "2054-12-08"}, "decide_date", "Choose a decision time that is still"),
        (
            {"decide_date": "2054-12-12", "decide_time": "19:30"},
            "decide_date",
            "Choose a decision time before the event starts (Saturday 12 December 2054, 19:30",
        ),
        (
            {"decide_date": "2054-03-29", "decide_time": "02:30"},
            "decide_time",
            "02:30 does not exist on that day in Europe/Paris",
        ),
    ],
)
def test_a_bad_minimum_is_refused_with_its_message_and_the_input_kept(
    app, owner, slug, fields, field, message
):
    response = set_minimum(owner, slug, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, field).startswith(message)
    assert "<title>Error: " in html
    assert 'class="error-summary"' in html
    for name, value in (MINIMUM | fields).items():
        assert input_value(html, name) == value
    assert stored(app, slug) == (None, None, None)


def test_a_minimum_above_the_capacity_is_refused(app, owner, slug):
    settings = {"capacity": "4", "deadline_date": "", "deadline_time": ""}
    assert owner.post(f"/events/{slug}/answers", data=settings).status_code == 303
    response = set_minimum(owner, slug)
    assert response.status_code == 400
    message = "The event has room for 4 people only: ask for that many at most."
    assert field_error(response.get_data(as_text=True), "min_going") == message
    assert stored(app, slug) == (None, None, None)


def test_a_capacity_below_the_minimum_is_refused(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    settings = {"capacity": "4", "deadline_date": "", "deadline_time": ""}
    response = owner.post(f"/events/{slug}/answers", data=settings)
    assert response.status_code == 400
    message = "The event is on only if 6 people go: leave room for that many at least."
    assert field_error(response.get_data(as_text=True), "capacity") == message
    with app.app_context():
        assert db.session.scalar(select(Event.capacity).where(Event.slug == slug)) is None


def test_once_decided_the_capacity_may_go_below_the_old_minimum(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    assert owner.post(f"/events/{slug}/minimum/on").status_code == 303
    settings = {"capacity": "4", "deadline_date": "", "deadline_time": ""}
    assert owner.post(f"/events/{slug}/answers", data=settings).status_code == 303


def test_the_owner_removes_the_minimum(app, owner, slug, client):
    assert set_minimum(owner, slug).status_code == 303
    response = owner.post(f"/events/{slug}/minimum/remove")
    assert response.status_code == 303
    assert stored(app, slug) == (None, None, None)
    assert "On if" not in page(Browser(client), slug)


def test_the_friend_s_kept_page_changes_with_the_minimum(app, owner, slug, client):
    first = client.get(f"/events/{slug}")
    assert set_minimum(owner, slug).status_code == 303
    again = client.get(f"/events/{slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert again.headers["ETag"] != first.headers["ETag"]
    assert PENDING.format(0) in page_text(again.get_data(as_text=True))
    before = version_of(app, slug)
    assert owner.post(f"/events/{slug}/minimum/on").status_code == 303
    assert version_of(app, slug)[1] > before[1]  # the answers' version moved
    assert "It's on!" in page(Browser(client), slug)


# Who may.


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "minimum"),
        ("post", "minimum/remove"),
        ("post", "minimum/on"),
        ("get", "minimum/off"),
        ("post", "minimum/off"),
    ],
)
def test_only_the_owner_may_set_or_decide(app, owner, slug, method, path):
    assert set_minimum(owner, slug).status_code == 303
    friend = Browser(app.test_client())
    response = getattr(friend, method)(f"/events/{slug}/{path}")
    assert response.status_code == 403
    assert "Only a browser with owner access can do that." in text(response)
    assert getattr(owner, method)(f"/events/zzzzzz/{path}").status_code == 404
    assert stored(app, slug) == (6, DECIDES, None)


def test_a_post_without_its_form_token_is_refused(app, owner, slug):
    response = owner.client.post(f"/events/{slug}/minimum", data=MINIMUM)
    assert response.status_code == 400
    assert stored(app, slug) == (None, None, None)


def test_a_get_of_an_action_is_not_allowed(owner, slug):
    assert owner.get(f"/events/{slug}/minimum/on").status_code == 405


# Deciding by hand.


def test_the_owner_confirms_it_early(app, owner, slug, client):
    assert set_minimum(owner, slug).status_code == 303
    sequence = calendar_of(client, slug)["SEQUENCE"]
    response = owner.post(f"/events/{slug}/minimum/on")
    assert response.status_code == 303
    assert stored(app, slug) == (6, DECIDES, "on")
    assert "It's on!" in page(Browser(client), slug)
    manage = owner.get(f"/events/{slug}/answers").get_data(as_text=True)
    assert 'name="min_going"' not in manage
    assert "It's on! Decided on Tuesday 8 December 2054, 18:00." in page_text(manage)
    assert calendar_of(client, slug)["STATUS"] == "CONFIRMED"
    assert calendar_of(client, slug)["SEQUENCE"] == sequence
    assert answer(Browser(app.test_client()), slug).status_code == 303  # still open


def test_calling_off_asks_first_then_cancels_everywhere(app, owner, slug, client):
    assert set_minimum(owner, slug).status_code == 303
    sequence = calendar_of(client, slug)["SEQUENCE"]
    asked = owner.get(f"/events/{slug}/minimum/off")
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "<h1>Call off “Board games at Ana&#39;s”?</h1>" in html
    assert f'<form method="post" action="/events/{slug}/minimum/off">' in html
    assert stored(app, slug)[2] is None  # asking changes nothing
    response = owner.post(f"/events/{slug}/minimum/off")
    assert response.status_code == 303
    assert stored(app, slug) == (6, DECIDES, "off")
    shown = page(Browser(client), slug)
    assert "Called off by the organiser." in shown
    assert "Send my answer" not in shown
    assert "Answers are closed." in shown
    vevent = calendar_of(client, slug)
    assert (vevent["STATUS"], vevent["SEQUENCE"]) == ("CANCELLED", sequence + 1)
    manage = page(owner, f"{slug}/answers")
    assert "Decided on Tuesday 8 December 2054, 18:00." in manage


def test_a_late_answer_to_a_called_off_event_is_refused_saying_so(app, owner, slug):
    friend = Browser(app.test_client())
    assert answer(friend, slug).status_code == 303
    assert set_minimum(owner, slug).status_code == 303
    assert owner.post(f"/events/{slug}/minimum/off").status_code == 303
    refused = answer(Browser(app.test_client()), slug, name="Late")
    assert refused.status_code == 409
    assert "This event was called off, so it takes no more answers" in text(refused)
    assert friend.post(f"/events/{slug}/rsvp/withdraw").status_code == 409


def test_a_decided_event_keeps_its_decision(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    assert owner.post(f"/events/{slug}/minimum/on").status_code == 303
    for method, path in [
        ("post", "minimum"),
        ("post", "minimum/remove"),
        ("post", "minimum/off"),
        ("get", "minimum/off"),
    ]:
        data = {"data": MINIMUM} if path == "minimum" else {}
        response = getattr(owner, method)(f"/events/{slug}/{path}", **data)
        assert response.status_code == 409, path
        assert "This event is already decided, and that cannot change." in text(response)
    assert stored(app, slug) == (6, DECIDES, "on")


def test_there_is_nothing_to_decide_without_a_minimum(app, owner, slug):
    for method in ("get", "post"):
        response = getattr(owner, method)(f"/events/{slug}/minimum/off")
        assert response.status_code == 409
        assert "This event has no minimum going" in text(response)
    for path in ("minimum/on", "minimum/remove"):
        response = owner.post(f"/events/{slug}/{path}")
        assert response.status_code == 409, path
        assert "This event has no minimum going" in text(response)
    assert stored(app, slug) == (None, None, None)


def test_a_passed_event_is_not_decided_nor_given_a_minimum(app, owner, slug, clock):
    assert set_minimum(owner, slug).status_code == 303
    clock(STARTS + timedelta(hours=3))
    for path in ("minimum", "minimum/remove", "minimum/on", "minimum/off"):
        response = owner.post(f"/events/{slug}/{path}", data=MINIMUM)
        assert response.status_code == 409, path
        assert "This event has passed, so there is nothing left to decide." in text(response)
    assert decide(app, STARTS + timedelta(hours=3)) == 0
    assert stored(app, slug) == (6, DECIDES, None)
    shown = page(Browser(app.test_client()), slug)
    assert "On if" not in shown
    assert "Called off" not in shown


# Editing the event.


def test_an_edit_that_starts_it_before_the_decision_is_refused(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    version = form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True))
    response = owner.post(
        f"/events/{slug}/edit", data=edit_fields(version, date="2054-12-11", time="17:00")
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert field_error(html, "date").startswith(
        "The event would start before it is decided whether it is on "
        "(Friday 11 December 2054, 18:00)."
    )
    assert input_value(html, "date") == "2054-12-11"
    with app.app_context():
        assert db.session.scalar(select(Event.starts_at)) == STARTS
    later = edit_fields(version, date="2054-12-11", time="20:00")
    assert owner.post(f"/events/{slug}/edit", data=later).status_code == 303


def test_once_decided_the_event_may_move_before_the_old_decision_time(app, owner, slug):
    assert set_minimum(owner, slug).status_code == 303
    assert owner.post(f"/events/{slug}/minimum/on").status_code == 303
    version = form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True))
    moved = edit_fields(version, date="2054-12-10", time="19:30")
    assert owner.post(f"/events/{slug}/edit", data=moved).status_code == 303


# The worker's decision at the decision time.


@pytest.fixture
def mail_owner(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def invited(mail_app, mail_owner, create_event_as, mail_server, clock) -> str:
    """An event with a minimum of 6, Ana and Ben invited, and Dee's own address confirmed."""
    clock(BEFORE)
    slug = create_event_as(mail_owner)
    data = {"addresses": "ana@example.org ben@example.org"}
    assert mail_owner.post(f"/events/{slug}/invite", data=data).status_code == 303
    assert set_minimum(mail_owner, slug).status_code == 303
    mail_server.reset()
    return slug


def wait_for_decision(app, slug: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while (decision := stored(app, slug)[2]) is None:
        assert time.monotonic() < deadline, "not decided"
        time.sleep(0.05)
    settle(app)
    return decision


def test_the_worker_calls_it_off_when_too_few_said_yes_and_tells_the_invitees(
    mail_app, invited, mail_server, clock
):
    answer_going(mail_app, invited, 2, guests=1)  # 4 going
    untouched = version_of(mail_app, invited)
    assert decide(mail_app, DECIDES - timedelta(minutes=1)) == 0  # not yet
    assert version_of(mail_app, invited) == untouched  # not even locked: its page stays kept
    clock(DECIDES)
    with mail_app.app_context():
        assert jobs.enqueue("decide_due")  # the worker's own consumer runs the job
    assert wait_for_decision(mail_app, invited) == "off"
    assert sorted(address for address, *_ in emails_of(mail_app, "called_off")) == [
        "ana@example.org",
        "ben@example.org",
    ]
    received = mail_server.to("ana@example.org")[0].message
    assert received["Subject"] == "Called off: Board games at Ana's, Saturday 12 December 2054"
    body = received.get_body(("plain",)).get_content()
    assert CALLED_OFF in body
    assert "The attached file marks it cancelled in your calendar." in body
    assert f"http://localhost/events/{invited}" in body
    assert received["List-Unsubscribe"].strip().startswith("<http://localhost/events/")
    (attachment,) = received.iter_attachments()
    calendar = Calendar.from_ical(attachment.get_content())
    (vevent,) = calendar.walk("VEVENT")
    assert (calendar["METHOD"], vevent["STATUS"], vevent["SEQUENCE"]) == ("CANCEL", "CANCELLED", 1)
    client = mail_app.test_client()
    assert CALLED_OFF in page(Browser(client), invited)
    assert calendar_of(client, invited)["STATUS"] == "CANCELLED"
    assert answer(Browser(client), invited, name="Late").status_code == 409


def test_the_worker_confirms_it_when_enough_said_yes_and_emails_nobody(
    mail_app, invited, mail_server
):
    answer_going(mail_app, invited, 3, guests=1)  # 6 going
    assert decide(mail_app, DECIDES + timedelta(seconds=30)) == 1
    settle(mail_app)
    assert stored(mail_app, invited) == (6, DECIDES, "on")
    assert mail_server.messages == []
    shown = page(Browser(mail_app.test_client()), invited)
    assert "It's on!" in shown
    assert "On if" not in shown
    assert decide(mail_app, DECIDES + timedelta(minutes=1)) == 0  # decided once


def test_the_email_is_written_in_the_event_s_language(mail_app, mail_server, create_event_as):
    owner = Browser(mail_app.test_client())
    slug = create_event_as(owner)
    with mail_app.app_context():
        db.session.scalar(select(Event).where(Event.slug == slug)).language = "de"
        db.session.commit()
        db.session.remove()
    assert owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"}).status_code
    assert set_minimum(owner, slug).status_code == 303
    mail_server.reset()
    assert owner.post(f"/events/{slug}/minimum/off").status_code == 303
    body = mail_server.to("ana@example.org")[0].message.get_body(("plain",)).get_content()
    assert "Wann: Samstag, 12. Dezember 2054" in body


def test_calling_off_by_hand_tells_the_invitees_and_the_owner(
    mail_app, mail_owner, invited, mail_server
):
    response = mail_owner.post(f"/events/{invited}/minimum/off")
    assert response.status_code == 303
    told = page(mail_owner, f"{invited}/answers")
    assert "The event is called off. The news is on its way to 2 addresses." in told
    body = mail_server.to("ben@example.org")[0].message.get_body(("plain",)).get_content()
    assert "Called off by the organiser." in body
    assert len(mail_server.messages) == 2
    assert "Called off by the organiser." in page(Browser(mail_app.test_client()), invited)


def test_two_workers_at_once_decide_once(mail_app, invited, mail_server):
    decided = at_once(mail_app, service.decide_due, DECIDES)
    settle(mail_app)
    assert sorted(decided) == [0, 1]
    assert stored(mail_app, invited)[2] == "off"
    assert len(emails_of(mail_app, "called_off")) == 2
    assert len(mail_server.messages) == 2


def test_an_event_that_fails_to_decide_is_left_due(mail_app, invited, monkeypatch, caplog):
    def broken(self, invitees):
        raise RuntimeError("a bug in the called-off email")

    monkeypatch.setattr(quorum_emails.CalledOff, "notices", broken)
    assert decide(mail_app, DECIDES) == 0
    assert stored(mail_app, invited)[2] is None
    assert "quorum: event" in caplog.text


def test_past_the_instance_s_daily_limit_it_is_called_off_without_emails(
    make_app, app, mail_server, create_event_as, caplog
):
    limited = make_app(**mail_settings(mail_server), MAIL_DAILY_LIMIT=2)
    limited.test_client_class = SettlingClient
    with running_worker(limited):
        owner = Browser(limited.test_client())
        slug = create_event_as(owner)
        data = {"addresses": "ana@example.org ben@example.org"}
        assert owner.post(f"/events/{slug}/invite", data=data).status_code == 303
        assert set_minimum(owner, slug).status_code == 303
        assert decide(limited, DECIDES) == 1
        settle(limited)
    assert stored(limited, slug)[2] == "off"
    assert emails_of(limited, "called_off") == []
    assert "called off without emails" in caplog.text


def test_the_worker_decides_every_minute(mail_app):
    task = jobs.queue_of(mail_app).tasks["decide_due"]
    minutes = [datetime(2054, 1, 1, 12, minute) for minute in range(60)]
    assert all(task.task_class.validate_datetime(None, minute) for minute in minutes)


def test_once_its_decision_time_has_come_the_owner_cannot_decide(app, owner, slug, clock):
    assert set_minimum(owner, slug).status_code == 303
    clock(DECIDES)
    response = owner.post(f"/events/{slug}/minimum/off")
    assert response.status_code == 409
    message = "The decision time has come, so the number going decides it within a minute."
    assert message in response.get_data(as_text=True)
    assert stored(app, slug)[2] is None


@pytest.mark.parametrize("edited", [False, True], ids=["as it is", "edited after"])
def test_a_called_off_event_sends_no_reminder(mail_app, mail_owner, invited, mail_server, edited):
    assert decide(mail_app, DECIDES) == 1
    settle(mail_app)
    mail_server.reset()
    if edited:  # an edit schedules the reminder again, unless it is called off
        page = mail_owner.get(f"/events/{invited}/edit").get_data(as_text=True)
        data = edit_fields(form_version(page), title="Games night")
        assert mail_owner.post(f"/events/{invited}/edit", data=data).status_code == 303
    with mail_app.app_context():
        assert reminders.send_reminders(STARTS - timedelta(hours=12)) == 0
        db.session.remove()
    settle(mail_app)
    assert mail_server.messages == []


def test_a_called_off_event_tells_no_change_and_invites_no_one(
    mail_app, mail_owner, invited, mail_server
):
    assert mail_owner.post(f"/events/{invited}/minimum/off").status_code == 303
    settle(mail_app)
    mail_server.reset()
    page = mail_owner.get(f"/events/{invited}/edit").get_data(as_text=True)
    assert 'name="notify"' not in page  # nobody would hear of it
    data = edit_fields(form_version(page), title="Games night", notify="y")
    assert mail_owner.post(f"/events/{invited}/edit", data=data).status_code == 303
    addresses = {"addresses": "cleo@example.org"}
    refused = mail_owner.post(f"/events/{invited}/invite", data=addresses)
    assert refused.status_code == 409
    assert "This event was called off, so it sends no more invitations." in text(refused)
    assert textarea(text(refused), "addresses") == "cleo@example.org"  # the input is kept
    settle(mail_app)
    assert mail_server.messages == []
    assert emails_of(mail_app, "change") == []
    assert len(emails_of(mail_app, "invitation")) == 2  # Ana's and Ben's, before


@given(
    fields=st.fixed_dictionaries(
        {name: st.one_of(st.just(value), st.text()) for name, value in MINIMUM.items()}
    )
)
def test_any_text_in_the_minimum_s_fields_is_never_a_server_error(app, owner, slug, fields):
    response = set_minimum(owner, slug, **fields)
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert stored(app, slug) == (None, None, None)
    else:
        assert owner.post(f"/events/{slug}/minimum/remove").status_code == 303


@pytest.mark.parametrize(
    "moment",
    [STARTS, STARTS + timedelta(hours=1, minutes=59), STARTS + timedelta(hours=2)],
    ids=["at the start", "just before two hours", "two hours on"],
)
def test_the_sql_of_not_passed_says_what_has_passed_says(app, make_event, moment):
    make_event(starts_at=STARTS)
    make_event(starts_at=STARTS, ends_at=STARTS + timedelta(hours=1))
    make_event(starts_at=STARTS, ends_at=STARTS + timedelta(hours=3))
    with app.app_context():
        events = db.session.scalars(select(Event).order_by(Event.id)).all()
        in_sql = set(db.session.scalars(select(Event.id).where(service.not_passed(moment))))
        db.session.remove()
    assert in_sql == {event.id for event in events if not event.has_passed(moment)}
