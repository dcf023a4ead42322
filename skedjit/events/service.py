"""Event operations: the one place that writes events and commits."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..extensions import db
from ..models import Event
from ..models import Tombstone
from ..models import utcnow
from ..passwords import hash_password
from ..slugs import new_slug
from .freshness import announce_change
from .freshness import forget_here

SLUG_ATTEMPTS = 8


class EditConflictError(Exception):
    """Someone else saved the event after this edit began."""


#: How long the .ics of a deleted event keeps telling calendars it is cancelled.
TOMBSTONE_DAYS = 30


class SlugsExhaustedError(RuntimeError):
    """Every slug tried was taken; practically impossible unless the table is full."""


@contextmanager
def committed() -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


@contextmanager
def changing_event(slug: str) -> Iterator[None]:
    """One transaction that changes an event: committed and announced, or rolled back.

    Every process is told on commit (PostgreSQL NOTIFY); this one forgets its
    copy at once.
    """
    with committed():
        yield
        announce_change(slug)
    forget_here(slug)


def find_event(slug: str) -> Event | None:
    """Return the event with this slug, or None."""
    return db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()


def create_event(fields: dict, password: str, rounds: int) -> Event:
    """Store a new event under a fresh slug, retrying when a slug is taken."""
    password_hash = hash_password(password, rounds)  # slow; before the transaction
    for _ in range(SLUG_ATTEMPTS):
        slug = new_slug()
        if db.session.scalar(select(exists().where(Tombstone.slug == slug))):
            continue  # a deleted event's calendar still answers there
        event = Event(slug=slug, password_hash=password_hash, **fields)
        db.session.add(event)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return event
    raise SlugsExhaustedError(f"no free slug after {SLUG_ATTEMPTS} attempts")


def update_event(event: Event, fields: dict, new_password: str | None, rounds: int) -> Event:
    """Apply changes to an event; a new password voids other browsers' access."""
    password_hash = hash_password(new_password, rounds) if new_password else None
    try:
        with changing_event(event.slug):
            for name, value in fields.items():
                setattr(event, name, value)
            if password_hash:
                event.password_hash = password_hash
                event.password_version += 1
    except StaleDataError as error:  # the version column moved under this write
        raise EditConflictError from error
    return event


def delete_event(event: Event, uid: str) -> Tombstone:
    """Delete an event, keeping only the tombstone that tells calendars it is cancelled."""
    slug = event.slug
    tombstone = Tombstone(
        slug=slug,
        uid=uid,
        sequence=event.version,  # the live event's SEQUENCE is version - 1
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
    )
    with changing_event(slug):
        prune_tombstones()
        db.session.delete(event)
        db.session.add(tombstone)
    return tombstone


def find_tombstone(slug: str, now: datetime | None = None) -> Tombstone | None:
    """The tombstone of a deleted event, while it is kept."""
    since = (now or utcnow()) - timedelta(days=TOMBSTONE_DAYS)
    query = select(Tombstone).where(Tombstone.slug == slug, Tombstone.deleted_at > since)
    return db.session.execute(query).scalar_one_or_none()


def prune_tombstones(now: datetime | None = None) -> int:
    """Remove tombstones older than the keeping period; part of the caller's transaction."""
    since = (now or utcnow()) - timedelta(days=TOMBSTONE_DAYS)
    return db.session.execute(delete(Tombstone).where(Tombstone.deleted_at <= since)).rowcount


def prune_tombstones_now() -> int:
    """Remove old tombstones and commit; for the `flask prune-tombstones` command."""
    with committed():
        removed = prune_tombstones()
    return removed
