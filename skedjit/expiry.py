"""Data that expires: nothing is kept forever.

- An event, with its answers, invitees and emails, is deleted EVENT_RETENTION_DAYS after
  it ends (default 60; an event without an end counts as two hours long). Its .ics
  then answers 404, as for any link that names no event.
- A deleted event's calendar tombstone goes after TOMBSTONE_DAYS (30).
- Password guesses go a day after their count began (lockout windows are an hour).
- The days of the instance's email count go after a week.

The worker runs `prune` every hour; `flask --app wsgi prune` does the same by hand.
Each step is one DELETE with a condition, so two workers running it at once only
share the work.
"""

from datetime import datetime
from datetime import timedelta

import click
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import or_

from .database import committed
from .extensions import db
from .models import Event
from .models import MailDay
from .models import PasswordGuesses
from .models import Tombstone
from .models import utcnow
from .timezones import DEFAULT_DURATION
from .timezones import event_end

#: How long the .ics of a deleted event keeps telling calendars it is cancelled.
TOMBSTONE_DAYS = 30
GUESSES_KEPT = timedelta(days=1)
MAIL_DAYS_KEPT = timedelta(days=7)


def retention() -> timedelta:
    return timedelta(days=current_app.config["EVENT_RETENTION_DAYS"])


def deleted_on(starts_at: datetime, ends_at: datetime | None) -> datetime:
    """When an event with these times is deleted."""
    return event_end(starts_at, ends_at) + retention()


def prune_tombstones(now: datetime | None = None) -> int:
    """Remove tombstones older than the keeping period; part of the caller's transaction."""
    since = (now or utcnow()) - timedelta(days=TOMBSTONE_DAYS)
    return db.session.execute(delete(Tombstone).where(Tombstone.deleted_at <= since)).rowcount


def prune(now: datetime | None = None) -> dict[str, int]:
    """Delete everything whose time is up; how many rows of each kind went."""
    now = now or utcnow()
    ended_before = now - retention()
    over = or_(
        and_(Event.ends_at.is_not(None), Event.ends_at <= ended_before),
        and_(Event.ends_at.is_(None), Event.starts_at <= ended_before - DEFAULT_DURATION),
    )
    with committed():
        removed = {
            "events": db.session.execute(delete(Event).where(over)).rowcount,
            "tombstones": prune_tombstones(now),
            "password guesses": db.session.execute(
                delete(PasswordGuesses).where(PasswordGuesses.since <= now - GUESSES_KEPT)
            ).rowcount,
            "email days": db.session.execute(
                delete(MailDay).where(MailDay.day <= (now - MAIL_DAYS_KEPT).date())
            ).rowcount,
        }
    return removed


@click.command("prune")
@with_appcontext
def prune_command() -> None:
    """Delete what has expired: old events with their answers, tombstones, counts."""
    removed = prune()
    click.echo(", ".join(f"{count} {kind}" for kind, count in removed.items()) + " deleted.")


def init_app(app: Flask) -> None:
    """The `prune` command, and the retention the pages state."""
    app.cli.add_command(prune_command)
    app.jinja_env.globals["retention_days"] = app.config["EVENT_RETENTION_DAYS"]
