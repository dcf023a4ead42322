"""Event operations: the one place that writes events and commits."""

import hashlib
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import exists
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from .. import changes
from .. import cohosts
from .. import lockout
from ..calendar import calendar_domain
from ..calendar import event_uid
from ..database import committed
from ..expiry import TOMBSTONE_DAYS
from ..expiry import prune_tombstones
from ..extensions import db
from ..i18n import current_language
from ..invites import notices
from ..links import site_url
from ..models import Event
from ..models import PollOption
from ..models import Tombstone
from ..models import utcnow
from ..passwords import hash_password
from ..passwords import verify_password
from ..quorum import service as quorum
from ..refusals import Refused
from ..slugs import new_slug

SLUG_ATTEMPTS = 8


class EditConflictError(Refused):
    """Someone else saved the event after this edit began."""

    status = 409


class SlugsExhaustedError(RuntimeError):
    """Every slug tried was taken; practically impossible unless the table is full."""


def find_event(slug: str) -> Event | None:
    """Return the event with this slug, or None."""
    return db.session.execute(select(Event).where(Event.slug == slug)).scalar_one_or_none()


def _rounds() -> int:
    return current_app.config["BCRYPT_ROUNDS"]


def create_event(
    details: dict, password: str, nonce: str | None = None, options=()
) -> tuple[Event, list[str]]:
    """Store a new event under a fresh slug, with the (start, end) `options` of its date
    poll if it is one, and owe the owner's receipt; what to tell them.

    A form sent again with the same nonce and password gets the event it made the
    first time, and no second receipt.
    """
    nonce_hash = hashlib.sha256(nonce.encode()).hexdigest() if nonce else None
    password_hash = hash_password(password, _rounds())  # slow; before the transaction
    for _ in range(SLUG_ATTEMPTS):
        if nonce_hash and (made := _made_with(nonce_hash)):
            if verify_password(password, made.password_hash):
                return made, []
            nonce_hash = None  # not this person's form: theirs makes an event of its own
        slug = new_slug()
        if db.session.scalar(select(exists().where(Tombstone.slug == slug))):
            continue  # a deleted event's calendar still answers there
        event = Event(
            slug=slug,
            password_hash=password_hash,
            create_nonce_hash=nonce_hash,
            site_url=site_url(),
            language=current_language(),
            **details,
        )
        event.schedule_reminder()
        db.session.add(event)
        try:
            db.session.flush()
            db.session.add_all(
                PollOption(event_id=event.id, starts_at=start, ends_at=end)
                for start, end in options
            )
            receipt = notices.owe_receipt(event)
            db.session.commit()
        except IntegrityError:  # the slug, or the same form sent in parallel
            db.session.rollback()
            continue
        return event, [receipt] if receipt else []
    raise SlugsExhaustedError(f"no free slug after {SLUG_ATTEMPTS} attempts")


def _made_with(nonce_hash: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.create_nonce_hash == nonce_hash))


def edit_event(
    event: Event, details: dict, version: int, new_password: str | None, notify: bool
) -> list[str]:
    """Change the event as of `version`, and tell invitees if asked; what to tell the owner.

    A new password voids other browsers' owner access. EditConflictError when the
    event has changed since `version`.
    """
    if version != event.version:
        raise EditConflictError
    password_hash = hash_password(new_password, _rounds()) if new_password else None
    before = notices.what_invitees_see(event)
    plan = changes.Plan.of(event)
    try:
        with committed():
            event.change(**details)
            event.site_url = event.site_url or site_url()
            if password_hash:
                set_password(event, password_hash)
            changes.record(event, plan)
            db.session.flush()  # the version check, before any email is owed
            quorum.check_start(event.id, event.starts_at)
            return notices.owe_change_notices(event, before) if notify else []
    except StaleDataError as error:  # the version moved under this write
        raise EditConflictError from error


def set_password(event: Event, password_hash: str) -> None:
    """Give the event a new password; part of the caller's transaction.

    Other browsers' owner access lapses, a recovery link out ends, the co-host links
    are revoked, and every guess counted is forgotten.
    """
    event.password_hash = password_hash
    event.password_version += 1
    event.recovery_hash = event.recovery_expires_at = None
    lockout.forget_guesses(event.id)
    cohosts.revoke(event.id)


def delete_event(event: Event, notify: bool) -> list[str]:
    """Delete the event, keeping the tombstone that tells calendars; what to tell the owner."""
    tombstone = Tombstone(
        slug=event.slug,
        uid=event_uid(event.slug, event.id, calendar_domain()),
        sequence=event.version,  # the live event's SEQUENCE is version - 1
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
    )
    invitees = notices.reachable_addresses(event) if notify else []
    with committed():
        prune_tombstones()
        db.session.delete(event)  # its emails not sent yet go with it
        db.session.add(tombstone)
        told = notices.owe_cancellations(tombstone, invitees, event.language, event.date_undecided)
    deleted = gettext("“%(title)s” is deleted. Its link no longer works.", title=tombstone.title)
    return [deleted, *told]


def find_tombstone(slug: str, now: datetime | None = None) -> Tombstone | None:
    """The tombstone of a deleted event, while it is kept."""
    since = (now or utcnow()) - timedelta(days=TOMBSTONE_DAYS)
    query = select(Tombstone).where(Tombstone.slug == slug, Tombstone.deleted_at > since)
    return db.session.execute(query).scalar_one_or_none()
