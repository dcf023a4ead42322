"""Reminders before the event: the owner's choice, who gets one, once, and friends' own
addresses with their confirmation."""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from skedjit import jobs
from skedjit.extensions import db
from skedjit.invites import emails
from skedjit.invites import reminders
from skedjit.models import Event
from skedjit.models import Invitee
from skedjit.models import Rsvp
from tests.helpers.browser import Browser
from tests.helpers.browser import browser_of
from tests.helpers.forms import answer
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import field_error
from tests.helpers.html import form_version
from tests.helpers.html import input_value
from tests.helpers.html import text_of as text
from tests.helpers.mail import mail_settings
from tests.helpers.worker import SettlingClient
from tests.helpers.worker import at_once
from tests.helpers.worker import emails_of
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle

#: event_form's start: 19:30 in Paris, UTC+01:00 in December.
STARTS = datetime(2054, 12, 12, 18, 30, tzinfo=UTC)
CONFIRM = re.compile(r"http://localhost(/events/\w{6}/reminders/[\w.-]+)")


@pytest.fixture
def owner(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def friend(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def slug(owner, create_event_as, mail_server) -> str:
    """An event reminded a day before (the default), sent to Ana and Ben."""
    slug = create_event_as(owner)
    data = {"addresses": "ana@example.org ben@example.org"}
    assert owner.post(f"/events/{slug}/invite", data=data).status_code == 303
    mail_server.reset()
    return slug


def remind(app, now: datetime) -> int:
    """Run the periodic job once at `now`, and wait for the worker to send what it owed."""
    with app.app_context():
        claimed = reminders.send_reminders(now)
        db.session.remove()
    settle(app)
    return claimed


def stored(app, slug: str) -> tuple:
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        values = event.remind_hours, event.remind_at
        db.session.remove()
    return values


def invite_ana_to_every_event(app) -> None:
    """Ana is an invitee of every event stored so far."""
    with app.app_context():
        for event in db.session.scalars(select(Event)):
            db.session.add(
                Invitee(event_id=event.id, address="ana@example.org", address_key="ana@example.org")
            )
        db.session.commit()
        db.session.remove()


def answer_with_email(browser: Browser, slug: str, address: str, **fields):
    return answer(browser, slug, remind="y", email=address, **fields)


def confirm_path(mail_server, address: str) -> str:
    (received,) = mail_server.to(address)
    return CONFIRM.search(received.message.get_body(("plain",)).get_content())[1]


def test_the_create_form_offers_a_reminder_a_day_before(owner, mail_app):
    html = owner.get("/create").get_data(as_text=True)
    assert '<label for="remind">Remind friends by email</label>' in html
    options = re.findall(r'<option (?:selected )?value="(\w+)">([^<]+)</option>', html)
    assert ("24", "1 day before") in options
    assert [value for value, _ in options if value in ("168", "24", "2", "off")] == [
        "168",
        "24",
        "2",
        "off",
    ]
    assert '<option selected value="24">' in html


@pytest.mark.parametrize(
    ("choice", "hours", "due"),
    [
        ("168", 168, STARTS - timedelta(weeks=1)),
        ("24", 24, STARTS - timedelta(days=1)),
        ("2", 2, STARTS - timedelta(hours=2)),
        ("off", None, None),
    ],
)
def test_the_owner_s_choice_is_stored_with_when_it_is_due(
    owner, mail_app, create_event_as, choice, hours, due
):
    slug = create_event_as(owner, remind=choice)
    assert stored(mail_app, slug) == (hours, due)
    edit = owner.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert f'<option selected value="{choice}">' in edit


def test_an_unknown_choice_is_refused_with_the_form_kept(owner, mail_app):
    response = owner.post("/create", data=event_form(remind="3", title="Kept title"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "remind") == "Choose when friends are reminded from the list."
    assert input_value(html, "title") == "Kept title"
    with mail_app.app_context():
        assert db.session.scalars(select(Event)).all() == []


def test_an_event_for_tonight_made_now_is_not_reminded(owner, mail_app, create_event_as, clock):
    clock(STARTS - timedelta(hours=3))  # the day-before reminder's time has gone
    slug = create_event_as(owner)
    assert stored(mail_app, slug) == (24, None)


def test_invitees_get_the_reminder_once_with_the_time_place_link_and_calendar(
    owner, mail_app, slug, mail_server
):
    assert remind(mail_app, STARTS - timedelta(days=1, minutes=1)) == 0  # not yet due
    assert mail_server.messages == []

    assert remind(mail_app, STARTS - timedelta(days=1) + timedelta(seconds=30)) == 1
    assert sorted(m.rcpt_tos[0] for m in mail_server.messages) == [
        "ana@example.org",
        "ben@example.org",
    ]
    message = mail_server.to("ana@example.org")[0].message
    assert message["Subject"].strip() == (
        "Reminder: Board games at Ana's, Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00)"
    )
    plain = message.get_body(("plain",)).get_content()
    assert "Board games at Ana's is coming up." in plain
    assert "When:  Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00)" in plain
    assert "Where: 12 Rue de la Paix, Paris" in plain
    assert f"http://localhost/events/{slug}" in plain
    assert "the event's creator sent it to this address" in plain
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(
        r"<http://localhost(/events/\w+/unsubscribe/[\w.-]+)>", message["List-Unsubscribe"]
    )
    assert unsubscribe[1] in plain
    (attachment,) = message.iter_attachments()
    event = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert event["DTSTART"].dt == STARTS.astimezone(event["DTSTART"].dt.tzinfo)
    assert emails_of(mail_app, "reminder") == [
        ("ana@example.org", "sent", ""),
        ("ben@example.org", "sent", ""),
    ]

    mail_server.reset()
    assert remind(mail_app, STARTS - timedelta(hours=1)) == 0  # sent once
    assert mail_server.messages == []
    assert stored(mail_app, slug) == (24, None)


def test_two_workers_at_once_send_each_reminder_once(mail_app, make_event, mail_server):
    slugs = [make_event(starts_at=STARTS, remind_hours=24) for _ in range(6)]
    invite_ana_to_every_event(mail_app)
    now = STARTS - timedelta(hours=2)
    claimed = at_once(mail_app, reminders.send_reminders, now)
    settle(mail_app)
    assert sum(claimed) == len(slugs)
    assert len(mail_server.messages) == len(slugs)
    assert len(emails_of(mail_app, "reminder")) == len(slugs)


def test_a_late_reminder_goes_before_the_start_and_is_dropped_after(
    mail_app, make_event, mail_server
):
    early, late = (
        make_event(starts_at=STARTS + timedelta(hours=h), remind_hours=24) for h in (0, 3)
    )
    invite_ana_to_every_event(mail_app)
    # The worker was down from a day before until an hour after the first event began.
    assert remind(mail_app, STARTS + timedelta(hours=1)) == 2
    (received,) = mail_server.messages
    assert "Picnic" in received.message["Subject"]
    assert "22:30" in received.message["Subject"]  # the later one: 21:30 UTC, in Paris
    assert stored(mail_app, early) == (24, None)
    assert stored(mail_app, late) == (24, None)


def test_can_t_go_unsubscribed_and_off_get_no_reminder(
    owner, mail_app, slug, mail_server, friend, create_event_as
):
    owner.post(f"/events/{slug}/invite", data={"addresses": "cy@example.org"})
    unsubscribe = re.search(
        r"http://localhost(/events/\w+/unsubscribe/[\w.-]+)",
        mail_server.to("cy@example.org")[0].message.get_body(("plain",)).get_content(),
    )[1]
    assert friend.post(unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    # Ben says he can't go, giving his address, and confirms it.
    answer_with_email(friend, slug, "Ben@example.org", name="Ben", response="no")
    assert friend.post(confirm_path(mail_server, "Ben@example.org")).status_code == 303
    quiet = create_event_as(owner, remind="off")
    owner.post(f"/events/{quiet}/invite", data={"addresses": "ana@example.org"})
    mail_server.reset()

    remind(mail_app, STARTS - timedelta(hours=12))

    assert [m.rcpt_tos[0] for m in mail_server.messages] == ["ana@example.org"]


def test_a_friend_s_address_gets_one_confirmation_and_nothing_else_until_confirmed(
    owner, mail_app, slug, mail_server, friend
):
    response = answer_with_email(friend, slug, "dee@example.org", name="Dee")
    assert response.status_code == 303
    page = text(friend.get(f"/events/{slug}"))
    assert "If dee@example.org may get emails about this event, a link to confirm" in page
    (received,) = mail_server.to("dee@example.org")
    assert received.message["Subject"].strip() == "Confirm the reminder: Board games at Ana's"
    # Saving the answer again sends no second confirmation.
    change = re.search(r"/events/\w+/rsvp/[\w-]+", page)[0]
    html = friend.get(change).get_data(as_text=True)
    assert input_value(html, "email") == "dee@example.org"
    assert re.search(r'<input checked id="remind"', html)
    answer_with_email(friend, slug, "dee@example.org", name="Dee", note="Bringing cake")
    assert len(mail_server.to("dee@example.org")) == 1
    # Not on the owner's invite list, and not told of changes or reminded yet.
    assert "dee@example.org" not in text(owner.get(f"/events/{slug}/invite"))
    version = form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True))
    owner.post(f"/events/{slug}/edit", data=edit_fields(version, notify="y", location="Café"))
    remind(mail_app, STARTS - timedelta(hours=12))
    assert len(mail_server.to("dee@example.org")) == 1
    assert len(mail_server.to("ana@example.org")) == 2  # the change and the reminder


def test_a_confirmed_address_hears_of_changes_and_gets_the_reminder(
    owner, mail_app, slug, mail_server, friend
):
    answer_with_email(friend, slug, "dee@example.org", name="Dee", response="maybe")
    path = confirm_path(mail_server, "dee@example.org")
    page = friend.get(path)
    assert page.status_code == 200
    assert "Confirm that dee@example.org should get a reminder" in text(page)
    confirmed = friend.post(path)
    assert confirmed.status_code == 303
    assert "Confirmed: the reminder and any change will go to dee@example.org." in text(
        friend.get(f"/events/{slug}")
    )
    assert "is confirmed" in text(friend.get(path))

    version = form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True))
    owner.post(f"/events/{slug}/edit", data=edit_fields(version, notify="y", location="Café"))
    remind(mail_app, STARTS - timedelta(hours=12))

    subjects = [m.message["Subject"].strip() for m in mail_server.to("dee@example.org")]
    assert [s.split(":")[0] for s in subjects] == ["Confirm the reminder", "Changed", "Reminder"]
    plain = mail_server.to("dee@example.org")[2].message.get_body(("plain",)).get_content()
    assert "you asked for a reminder and any change when" in plain


def test_withdrawing_or_unticking_stops_the_emails(owner, mail_app, slug, mail_server, friend):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    friend.post(confirm_path(mail_server, "dee@example.org"))
    answer(friend, slug, name="Dee", email="dee@example.org")  # the box unticked
    remind(mail_app, STARTS - timedelta(hours=12))
    assert len(mail_server.to("dee@example.org")) == 1

    with mail_app.app_context():
        invitee = db.session.scalar(select(Invitee).where(Invitee.address == "dee@example.org"))
        assert (invitee.rsvp_id, invitee.confirmed_at) == (None, None)
        db.session.remove()


def test_a_withdrawn_answer_s_confirmation_link_is_a_404(mail_app, slug, mail_server, friend):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    path = confirm_path(mail_server, "dee@example.org")
    assert friend.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    assert friend.get(path).status_code == 404
    assert friend.post(path).status_code == 404


@pytest.mark.parametrize("token", ["nonsense", "WzFd.forged", "MQ.bad-signature"])
def test_a_bad_confirmation_token_is_a_404_page(mail_app, slug, friend, token):
    response = friend.get(f"/events/{slug}/reminders/{token}")
    assert response.status_code == 404
    assert "<h1>" in response.get_data(as_text=True)


def test_one_kind_of_token_does_not_stand_for_the_other(mail_app, slug, mail_server, friend):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    confirm = confirm_path(mail_server, "dee@example.org")
    with mail_app.test_request_context():
        dee = db.session.scalar(select(Invitee).where(Invitee.address == "dee@example.org"))
        unsubscribe = emails.unsubscribe_url(Event(slug=slug), dee)
    unsubscribe_token = unsubscribe.rsplit("/", 1)[1]
    confirm_token = confirm.rsplit("/", 1)[1]
    assert friend.get(f"/events/{slug}/reminders/{unsubscribe_token}").status_code == 404
    assert friend.get(f"/events/{slug}/unsubscribe/{confirm_token}").status_code == 404
    assert friend.get(confirm).status_code == 200


def test_another_answer_cannot_take_an_address_waiting_for_its_confirmation(
    mail_app, slug, mail_server, friend, make_browser
):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    mallory = Browser(mail_app.test_client())
    answer_with_email(mallory, slug, "dee@example.org", name="Mallory", response="no")
    assert len(mail_server.to("dee@example.org")) == 1  # no second confirmation
    assert friend.post(confirm_path(mail_server, "dee@example.org")).status_code == 303
    with mail_app.app_context():
        dee = db.session.scalar(select(Invitee).where(Invitee.address == "dee@example.org"))
        assert db.session.get(Rsvp, dee.rsvp_id).name == "Dee"
        db.session.remove()
    remind(mail_app, STARTS - timedelta(hours=12))
    assert len(mail_server.to("dee@example.org")) == 2  # Dee is reminded


def test_saving_from_the_event_page_keeps_the_address(mail_app, slug, mail_server, friend):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    friend.post(confirm_path(mail_server, "dee@example.org"))
    page = friend.get(f"/events/{slug}").get_data(as_text=True)
    assert "Change your answer" in page
    assert 'name="email"' not in page  # asked on the answer's own page
    assert answer(friend, slug, name="Dee", note="Late").status_code == 303
    remind(mail_app, STARTS - timedelta(hours=12))
    assert len(mail_server.to("dee@example.org")) == 2


def test_a_confirmed_friend_who_withdraws_gets_nothing_more(mail_app, slug, mail_server, friend):
    answer_with_email(friend, slug, "dee@example.org", name="Dee")
    friend.post(confirm_path(mail_server, "dee@example.org"))
    assert friend.post(f"/events/{slug}/rsvp/withdraw").status_code == 303
    remind(mail_app, STARTS - timedelta(hours=12))
    assert len(mail_server.to("dee@example.org")) == 1


@pytest.fixture
def limited_mail_app(make_app, mail_server):
    """Email sent for real, with the limits on email switched on and tight."""
    mailing = make_app(
        **mail_settings(mail_server),
        RATELIMIT_ENABLED=True,
        RATELIMIT_EMAILS="2 per day",
        MAIL_DAILY_LIMIT=8,
    )
    mailing.test_client_class = SettlingClient
    with running_worker(mailing):
        yield mailing


def test_reminders_count_against_the_instance_only_and_wait_past_its_limit(
    limited_mail_app, create_event_as, mail_server
):
    slugs = []
    for address in ("127.0.0.1", "127.0.0.2"):  # each sends its 2 emails of the day
        owner = browser_of(limited_mail_app, address)
        slugs.append(create_event_as(owner))
        data = {"addresses": "ana@example.org ben@example.org"}
        assert owner.post(f"/events/{slugs[-1]}/invite", data=data).status_code == 303
    # The worker's reminders are no client's: only the instance's 8 a day count them.
    assert remind(limited_mail_app, STARTS - timedelta(hours=12)) == 2
    assert len(mail_server.messages) == 8
    # Those 8 are spent: a reminder due now waits, still due, for the next day.
    with limited_mail_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slugs[0]))
        event.remind_at = STARTS - timedelta(hours=1)
        db.session.commit()
        db.session.remove()
    assert remind(limited_mail_app, STARTS - timedelta(minutes=30)) == 0
    assert stored(limited_mail_app, slugs[0]) == (24, STARTS - timedelta(hours=1))
    assert len(mail_server.messages) == 8


def test_an_event_that_fails_holds_up_no_other(
    mail_app, make_event, mail_server, caplog, monkeypatch
):
    broken, fine = (make_event(starts_at=STARTS, remind_hours=24) for _ in range(2))
    invite_ana_to_every_event(mail_app)
    writes = emails.Batch.reminders

    def fails_for_one(batch, invitees):
        if batch.event.slug == broken:
            raise RuntimeError("a bug in one event's reminder")
        return writes(batch, invitees)

    monkeypatch.setattr(emails.Batch, "reminders", fails_for_one)
    assert remind(mail_app, STARTS - timedelta(hours=12)) == 1
    assert len(mail_server.messages) == 1
    assert stored(mail_app, broken)[1] == STARTS - timedelta(days=1)  # left due
    assert stored(mail_app, fine)[1] is None
    assert "reminders: event" in caplog.text


def test_an_edit_that_read_the_event_before_a_claim_does_not_undo_it(mail_app, slug, clock):
    now = STARTS - timedelta(hours=12)
    clock(now)
    with mail_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        assert event.remind_at is not None  # read before the worker's claim
        with mail_app.app_context():  # the worker, in a session of its own
            assert reminders.send_reminders(now) == 1
            db.session.remove()
        event.change(starts_at=STARTS - timedelta(minutes=30))  # sooner: its time has gone
        db.session.commit()
        db.session.remove()
    assert stored(mail_app, slug) == (24, None)


def test_the_reminder_box_needs_an_address(mail_app, slug, friend):
    response = answer(friend, slug, remind="y", email="")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert field_error(html, "email") == "Give your email address, or untick the reminder."
    assert input_value(html, "name") == "Ana"
    with mail_app.app_context():
        assert db.session.scalars(select(Invitee)).all()[2:] == []


def test_an_address_given_without_the_box_is_not_kept(mail_app, slug, friend, mail_server):
    assert answer(friend, slug, email="dee@example.org").status_code == 303
    assert mail_server.to("dee@example.org") == []
    with mail_app.app_context():
        addresses = db.session.scalars(select(Invitee.address)).all()
        db.session.remove()
    assert "dee@example.org" not in addresses


def test_without_a_mail_server_there_is_no_reminder_to_choose(browser, slug_without_mail):
    html = browser.get("/create").get_data(as_text=True)
    assert 'name="remind"' not in html
    page = browser.get(f"/events/{slug_without_mail}").get_data(as_text=True)
    assert 'name="remind"' not in page
    assert 'name="email"' not in page


@pytest.fixture
def slug_without_mail(make_event) -> str:
    return make_event()


def test_the_worker_runs_the_reminders_every_minute(mail_app):
    task = jobs.queue_of(mail_app).tasks["send_reminders"]
    minutes = [datetime(2054, 1, 1, 12, minute) for minute in range(60)]
    assert all(task.task_class.validate_datetime(None, minute) for minute in minutes)


def test_moving_the_event_sends_a_sent_reminder_again_and_off_stops_it(
    owner, mail_app, slug, mail_server, clock
):
    clock(STARTS - timedelta(hours=12))
    remind(mail_app, STARTS - timedelta(hours=12))

    def edit(**fields):
        version = form_version(owner.get(f"/events/{slug}/edit").get_data(as_text=True))
        assert (
            owner.post(f"/events/{slug}/edit", data=edit_fields(version, **fields)).status_code
            == 303
        )

    edit(title="Board games, again")  # the same start: the reminder stays sent
    assert stored(mail_app, slug) == (24, None)
    edit(date="2054-12-19")  # a week later: friends are reminded of the new day
    assert stored(mail_app, slug) == (24, STARTS + timedelta(days=6))
    edit(date="2054-12-19", remind="2")
    assert stored(mail_app, slug) == (2, STARTS + timedelta(days=7, hours=-2))
    edit(date="2054-12-19", remind="off")
    assert stored(mail_app, slug) == (None, None)
