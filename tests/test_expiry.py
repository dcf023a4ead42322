"""Data that expires: events EVENT_RETENTION_DAYS after they end, with everything theirs."""

import threading
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from skedjit import expiry
from skedjit.extensions import db
from skedjit.jobs import queue_of
from skedjit.models import Event
from skedjit.models import Invitee
from skedjit.models import MailDay
from skedjit.models import PasswordGuesses
from skedjit.models import Rsvp
from skedjit.models import Tombstone
from tests.helpers.html import html_of
from tests.helpers.html import page_text

NOW = datetime(2055, 3, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


def slugs(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(Event.slug)))


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("starts_before", "ends_before", "deleted"),
    [
        (61 * DAY, 60 * DAY + timedelta(minutes=1), True),
        (61 * DAY, 60 * DAY - timedelta(minutes=1), False),
        (60 * DAY + timedelta(hours=2, minutes=1), None, True),  # two hours long, no end
        (60 * DAY + timedelta(hours=1), None, False),
    ],
    ids=["ended-60-days-ago", "ended-just-under", "no-end-over", "no-end-under"],
)
def test_an_event_goes_60_days_after_it_ends(app, make_event, starts_before, ends_before, deleted):
    ends_at = NOW - ends_before if ends_before else None
    slug = make_event(starts_at=NOW - starts_before, ends_at=ends_at)
    with app.app_context():
        removed = expiry.prune(NOW)
    assert removed["events"] == int(deleted)
    assert (slug in slugs(app)) is not deleted


def test_everything_of_an_expired_event_goes_with_it(app, make_event, browser):
    slug = make_event(starts_at=NOW - 90 * DAY)
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        db.session.add(Rsvp(event_id=event.id, name="Ana", response="yes", token_hash="x" * 64))
        db.session.add(
            Invitee(event_id=event.id, address="a@example.org", address_key="a@example.org")
        )
        db.session.add(PasswordGuesses(event_id=event.id, address="k" * 32, since=NOW))
        db.session.commit()
        expiry.prune(NOW)
    for model in (Event, Rsvp, Invitee, PasswordGuesses):
        assert count(app, model) == 0, model.__name__
    assert browser.get(f"/events/{slug}").status_code == 404


def tombstone(slug: str, deleted_at: datetime) -> Tombstone:
    return Tombstone(
        slug=slug,
        uid=slug,
        sequence=1,
        title="t",
        starts_at=NOW,
        timezone="UTC",
        deleted_at=deleted_at,
    )


def test_old_counts_and_tombstones_go_too(app, make_event):
    keep = make_event(starts_at=NOW + DAY)
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == keep))
        db.session.add_all(
            [
                PasswordGuesses(event_id=event_id, address="a" * 32, since=NOW - 2 * DAY),
                PasswordGuesses(
                    event_id=event_id, address="b" * 32, since=NOW - timedelta(hours=1)
                ),
                MailDay(day=(NOW - 8 * DAY).date(), sent=3),
                MailDay(day=NOW.date(), sent=1),
                tombstone("old111", deleted_at=NOW - 31 * DAY),
                tombstone("new111", deleted_at=NOW - DAY),
            ]
        )
        db.session.commit()
        removed = expiry.prune(NOW)
    assert removed == {"events": 0, "tombstones": 1, "password guesses": 1, "email days": 1}
    assert (count(app, PasswordGuesses), count(app, MailDay), count(app, Tombstone)) == (1, 1, 1)


def test_two_workers_pruning_at_once_share_the_work(app, make_event, backend):
    for _ in range(6):
        make_event(starts_at=NOW - 90 * DAY)
    results, start = [], threading.Barrier(2)

    def prune():
        with app.app_context():
            start.wait()
            results.append(expiry.prune(NOW)["events"])
            db.session.remove()

    threads = [threading.Thread(target=prune) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(results) == 6
    assert slugs(app) == set()


def test_prune_runs_hourly_in_the_worker_and_by_hand(app, make_event):
    assert "prune" in queue_of(app).tasks
    slug = make_event(starts_at=datetime(2001, 1, 1, tzinfo=UTC))
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "1 events" in result.output
    assert slug not in slugs(app)


def test_the_create_form_and_the_event_page_say_when_it_goes(client, make_event):
    form = page_text(html_of(client.get("/create")))
    assert "deleted, with its answers, 60 days after it ends" in form
    slug = make_event(
        starts_at=datetime(2054, 7, 10, 17, 0, tzinfo=UTC),
        ends_at=datetime(2054, 7, 10, 20, 0, tzinfo=UTC),
    )
    page = page_text(html_of(client.get(f"/events/{slug}")))
    assert "deleted on Tuesday 8 September 2054, 60 days after it ends" in page
