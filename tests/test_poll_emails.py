"""The emails of a date poll: its invitation, the date picked, the vote reminder, and a
poll deleted or edited before its pick, none with a made-up date."""

from datetime import UTC
from datetime import datetime

import pytest
from icalendar import Calendar
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import PollOption
from skedjit.polls import service as polls
from tests.helpers.browser import Browser
from tests.helpers.forms import edit_fields
from tests.helpers.html import form_version
from tests.helpers.polls import poll_form

TITLE = "Board games at Ana's"


def body(received) -> str:
    return received.message.get_body(("plain",)).get_content()


def attachments(received) -> list:
    return list(received.message.iter_attachments())


@pytest.fixture
def owner(mail_app) -> Browser:
    return Browser(mail_app.test_client())


@pytest.fixture
def poll(owner, mail_server) -> str:
    """A poll of three dates sent to Ana; the server then forgets that email."""
    response = owner.post("/create/poll", data=poll_form())
    assert response.status_code == 303
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert (
        owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"}).status_code
        == 303
    )
    (invitation,) = mail_server.wait_for(1)
    assert invitation.message["Subject"].strip() == f"Help choose a date: {TITLE}"
    assert "Help choose a date!" in body(invitation)
    assert "When:  Date not decided yet" in body(invitation)
    assert "2054" not in body(invitation)  # no date the poll has not decided
    assert attachments(invitation) == []
    assert "attached file" not in body(invitation)
    mail_server.reset()
    return slug


def options(app, slug: str) -> list[int]:
    with app.app_context():
        query = (
            select(PollOption.id)
            .join(Event, Event.id == PollOption.event_id)
            .where(Event.slug == slug)
            .order_by(PollOption.starts_at)
        )
        return list(db.session.scalars(query))


def test_the_date_picked_is_emailed_with_its_calendar_file(mail_app, owner, poll, mail_server):
    second = options(mail_app, poll)[1]
    response = owner.post(f"/events/{poll}/poll/pick", data={"option": str(second), "notify": "y"})
    assert response.status_code == 303
    (picked,) = mail_server.wait_for(1)
    assert picked.message["Subject"].strip() == f"Date picked: {TITLE}, Saturday 12 December 2054"
    assert "is picked: Saturday 12 December 2054, 19:30" in body(picked)
    (attachment,) = attachments(picked)
    vevent = Calendar.from_ical(attachment.get_content()).walk("VEVENT")[0]
    assert vevent.decoded("DTSTART") == datetime(2054, 12, 12, 18, 30, tzinfo=UTC).astimezone(
        vevent.decoded("DTSTART").tzinfo
    )


def test_voters_are_reminded_a_day_before_voting_ends_and_only_once(
    mail_app, owner, poll, mail_server
):
    data = {"closes_date": "2054-12-01", "closes_time": "18:00"}
    assert owner.post(f"/events/{poll}/poll/settings", data=data).status_code == 303
    with mail_app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == poll))
        due = event.poll_remind_at
        assert due == datetime(2054, 11, 30, 17, 0, tzinfo=UTC)
        assert polls.remind_due(due.replace(hour=16)) == 0  # not yet
        assert polls.remind_due(due) == 1
        assert polls.remind_due(due) == 0  # claimed: never twice
    (reminder,) = mail_server.wait_for(1)
    assert reminder.message["Subject"].strip() == f"Vote on the date: {TITLE}"
    assert "ends Tuesday 1 December 2054, 18:00 (Europe/Paris, UTC+01:00)" in body(reminder)
    assert attachments(reminder) == []


def test_a_closed_poll_reminds_nobody(mail_app, owner, poll, mail_server):
    data = {"closes_date": "2054-12-01", "closes_time": "18:00", "closed": "y"}
    assert owner.post(f"/events/{poll}/poll/settings", data=data).status_code == 303
    with mail_app.app_context():
        assert polls.remind_due(datetime(2054, 12, 1, tzinfo=UTC)) == 0
    assert mail_server.messages == []


def test_a_poll_deleted_before_its_pick_is_cancelled_without_a_date(owner, poll, mail_server):
    assert owner.post(f"/events/{poll}/delete", data={"notify": "y"}).status_code == 303
    (cancelled,) = mail_server.wait_for(1)
    assert cancelled.message["Subject"].strip() == f"Cancelled: {TITLE}"
    assert "The date poll you were invited to is cancelled" in body(cancelled)
    assert "2054" not in body(cancelled)
    assert attachments(cancelled) == []


def test_a_poll_renamed_before_its_pick_says_so_without_a_date(owner, poll, mail_server):
    version = form_version(owner.get(f"/events/{poll}/edit").get_data(as_text=True))
    fields = edit_fields(version, notify="y", title="Chess at Ana's")
    for name in ("date", "time", "timezone"):
        del fields[name]
    assert owner.post(f"/events/{poll}/edit", data=fields).status_code == 303
    (changed,) = mail_server.wait_for(1)
    assert changed.message["Subject"].strip() == "Changed: Chess at Ana's"
    assert "2054" not in body(changed)
