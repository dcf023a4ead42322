"""Event operations: the one place that writes events and commits."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Event
from ..passwords import hash_password
from ..slugs import new_slug
from .freshness import announce_change
from .freshness import forget_here

SLUG_ATTEMPTS = 8


class SlugsExhaustedError(RuntimeError):
    """Every slug tried was taken; practically impossible unless the table is full."""


def find_event(slug: str) -> Event | None:
    """Return the event with this slug, or None."""
    return db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()


def create_event(fields: dict, password: str, rounds: int) -> Event:
    """Store a new event under a fresh slug, retrying when a slug is taken."""
    password_hash = hash_password(password, rounds)  # slow; before the transaction
    for _ in range(SLUG_ATTEMPTS):
        event = Event(slug=new_slug(), password_hash=password_hash, **fields)
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
        for name, value in fields.items():
            setattr(event, name, value)
        if password_hash:
            event.password_hash = password_hash
            event.password_version += 1
        announce_change(event.slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    forget_here(event.slug)
    return event


def delete_event(event: Event) -> None:
    """Delete an event for good."""
    slug = event.slug
    try:
        db.session.delete(event)
        announce_change(slug)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    forget_here(slug)
