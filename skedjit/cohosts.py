"""Hosting together: secret links that give owner access, but not the password.

A link holds 256 random bits; only their SHA-256 is kept, so the link is shown
once. Whoever opens one gets a co-host's grant (owner_access.py). Revoking the
links deletes them and bumps the event's hosts_version, which ends every
co-host's access; a new password ends it too.
"""

import hashlib
import secrets

from sqlalchemy import delete
from sqlalchemy import exists
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from .database import committed
from .extensions import db
from .models import CohostLink
from .models import Event

EVENTS = Event.__table__


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(event: Event) -> str:
    """A new co-host link's secret, kept only as its hash."""
    token = secrets.token_urlsafe(32)
    with committed():
        db.session.add(CohostLink(event_id=event.id, token_hash=_hash(token)))
    return token


def active_links(event_id: int) -> int:
    """How many co-host links would give access now."""
    query = select(func.count()).where(CohostLink.event_id == event_id)
    return db.session.scalar(query)


def opens(event: Event, token: str) -> bool:
    """Tell whether the token is one of the event's co-host links."""
    link = CohostLink.event_id == event.id, CohostLink.token_hash == _hash(token)
    return db.session.scalar(select(exists().where(*link)))


def revoke(event_id: int) -> None:
    """In the caller's transaction: delete the links and end the access they gave (a
    plain UPDATE: the event's details, version and calendar stay as they are)."""
    db.session.execute(delete(CohostLink).where(CohostLink.event_id == event_id))
    db.session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id)
        .values(hosts_version=EVENTS.c.hosts_version + 1)
    )


def revoke_all(event: Event) -> None:
    """Revoke the event's co-host links, and the access they gave."""
    with committed():
        revoke(event.id)
