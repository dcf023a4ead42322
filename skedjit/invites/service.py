"""Who was invited to an event by email, how their last email went, and the daily allowance.

The allowance is counted on the event's row by one conditional UPDATE, so parallel
requests cannot send more than it allows between them.
"""

import math
from collections.abc import Iterable
from datetime import datetime
from datetime import timedelta

from flask_babel import ngettext
from sqlalchemy import and_
from sqlalchemy import case
from sqlalchemy import literal
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite

from ..addresses import address_key
from ..database import committed
from ..extensions import db
from ..models import Email
from ..models import Event
from ..models import Invitee
from ..models import utcnow
from ..refusals import Refused
from ..text import describe_wait

#: Most invitation emails one event sends in a day (a window that opens with the first).
PER_DAY = 50
DAY = timedelta(days=1)
EVENTS = Event.__table__


class AllowanceError(Refused):
    """Sending these would go over the event's daily allowance; nothing was sent."""

    status = 429

    def __init__(self, wanted: int, left: int, seconds: int):
        seconds = max(1, seconds)
        wait = describe_wait(seconds)
        if not left:
            sentence = ngettext(
                "This event has sent its %(count)s invitation for today. "
                "You can send more in %(wait)s.",
                "This event has sent its %(count)s invitations for today. "
                "You can send more in %(wait)s.",
                PER_DAY,
                count=PER_DAY,
                wait=wait,
            )
        else:
            sentence = ngettext(
                "This event can send %(count)s more invitation today (%(per_day)s a day), "
                "not %(wanted)s. Remove some addresses, or send the rest in %(wait)s.",
                "This event can send %(count)s more invitations today (%(per_day)s a day), "
                "not %(wanted)s. Remove some addresses, or send the rest in %(wait)s.",
                left,
                count=left,
                per_day=PER_DAY,
                wanted=wanted,
                wait=wait,
            )
        super().__init__(sentence, {"Retry-After": str(seconds)})
        self.wanted, self.left = wanted, left


#: Who may be emailed about their event: not unsubscribed, and invited by the owner or
#: confirmed by themselves (a friend's own address).
REACHABLE = and_(
    Invitee.unsubscribed_at.is_(None), or_(Invitee.invited, Invitee.confirmed_at.is_not(None))
)


def list_invitees(event_id: int) -> list[Invitee]:
    """The addresses the owner invited, first invited first."""
    query = select(Invitee).where(Invitee.event_id == event_id, Invitee.invited)
    return list(db.session.scalars(query.order_by(Invitee.id)))


def reachable_invitees(event_id: int) -> list[Invitee]:
    """The invitees who may still be emailed about the event."""
    query = select(Invitee).where(Invitee.event_id == event_id, REACHABLE).order_by(Invitee.id)
    return list(db.session.scalars(query))


def last_emails(event_id: int) -> dict[int, Email]:
    """Each invitee's latest email about the event, by invitee id."""
    query = (
        select(Email)
        .where(Email.event_id == event_id, Email.invitee_id.is_not(None))
        .order_by(Email.id)
    )
    return {email.invitee_id: email for email in db.session.scalars(query)}


def find_email(event_id: int, email_id: int) -> Email | None:
    """The event's email with this id to an address on the invite list (the owner's to
    see and retry; a friend's own address is not theirs)."""
    query = (
        select(Email)
        .join(Invitee, Email.invitee_id == Invitee.id)
        .where(Email.id == email_id, Email.event_id == event_id, Invitee.invited)
    )
    return db.session.scalar(query)


def find_invitee(event_id: int, invitee_id: int) -> Invitee | None:
    """The event's invitee with this id, if it is the event's."""
    invitee = db.session.get(Invitee, invitee_id)
    return invitee if invitee is not None and invitee.event_id == event_id else None


def invitees_of(event_id: int, addresses: list[str]) -> list[Invitee]:
    """The event's invitees with these addresses, in the order given."""
    keys = [address_key(address) for address in addresses]
    query = select(Invitee).where(Invitee.event_id == event_id, Invitee.address_key.in_(keys))
    found = {invitee.address_key: invitee for invitee in db.session.scalars(query)}
    return [found[key] for key in keys]


def unsubscribed_keys(event_id: int, addresses: Iterable[str]) -> set[str]:
    """The keys of those addresses that asked for no more emails about the event."""
    keys = [address_key(address) for address in addresses]
    query = select(Invitee.address_key).where(
        Invitee.event_id == event_id,
        Invitee.address_key.in_(keys),
        Invitee.unsubscribed_at.is_not(None),
    )
    return set(db.session.scalars(query))


def take_allowance(event_id: int, wanted: int, now: datetime | None = None) -> None:
    """Count `wanted` invitations against today's allowance, or raise AllowanceError."""
    now = now or utcnow()
    since = EVENTS.c.invites_counted_since
    new_day = or_(since.is_(None), since <= now - DAY)
    with committed():
        taken = db.session.execute(
            update(EVENTS)
            .where(
                EVENTS.c.id == event_id, or_(new_day, EVENTS.c.invites_counted + wanted <= PER_DAY)
            )
            .values(
                invites_counted=case((new_day, wanted), else_=EVENTS.c.invites_counted + wanted),
                invites_counted_since=case((new_day, literal(now, since.type)), else_=since),
            )
        ).rowcount
        if taken:
            return
        counted, started = db.session.execute(
            select(EVENTS.c.invites_counted, since).where(EVENTS.c.id == event_id)
        ).one()
    seconds = math.ceil((started + DAY - now).total_seconds())
    raise AllowanceError(wanted, max(PER_DAY - counted, 0), seconds)


def add_invitees(
    event_id: int, addresses: list[str], now: datetime | None = None, invited: bool = True
) -> list:
    """Keep each address on the event's list (once), invited now or, if not `invited`,
    as a friend's own address; part of the caller's transaction. The invitees, in the
    order given."""
    now = now or utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    for address in addresses:  # an address added by a parallel request is kept as it is
        insert = dialect.insert(Invitee).values(
            event_id=event_id,
            address=address,
            address_key=address_key(address),
            invited_at=now,
            invited=invited,
        )
        if invited:
            insert = insert.on_conflict_do_update(
                index_elements=["event_id", "address_key"],
                set_={"invited_at": now, "invited": True},
            )
        else:
            insert = insert.on_conflict_do_nothing(index_elements=["event_id", "address_key"])
        db.session.execute(insert)
    return invitees_of(event_id, addresses)


def unsubscribe(invitee: Invitee) -> None:
    """Never email this invitee about the event again."""
    with committed():
        if invitee.unsubscribed_at is None:
            invitee.unsubscribed_at = utcnow()
