"""Reminders before the event, and friends' own addresses for them.

The owner chooses how long before the start friends are reminded (Event.remind_hours);
the event keeps when that is due (Event.remind_at). `send_reminders` runs every
minute: it claims each event whose reminder is due with a conditional UPDATE that
clears `remind_at`, and owes its reminders in that same transaction, so two workers
never both send one, and a worker that dies before its commit leaves it due. A
reminder found late (the worker was down) still goes if the event has not started,
and is dropped once it has.

A reminder goes to every address that may be emailed about the event (invited by the
owner, or a friend's own and confirmed), except those whose answer is "can't go".

A friend who answers with "Email me a reminder and any change" gives an address:
it is linked to their answer and gets one confirmation email. Until its owner
confirms, nothing else is sent to it. Once confirmed, it hears of every change and
the cancellation, like an invited address, and unsubscribes the same way.
"""

import logging
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import not_
from sqlalchemy import select
from sqlalchemy import update

from .. import mail_limits
from .. import outbox
from ..addresses import address_key
from ..database import committed
from ..extensions import db
from ..links import on_site
from ..models import Email
from ..models import Event
from ..models import Invitee
from ..models import Rsvp
from ..models import UTCDateTime
from ..models import utcnow
from ..refusals import Refused
from . import emails
from . import service

log = logging.getLogger(__name__)
EVENTS = Event.__table__
#: Most events one run reminds; the next run, a minute later, takes the rest.
BATCH = 50
#: A friend's address gets another confirmation email only after this long.
CONFIRMATION_RESENT_AFTER = timedelta(days=1)
#: The confirmed answer of the invitee says "can't go".
CANT_GO = and_(Invitee.confirmed_at.is_not(None), func.coalesce(Rsvp.response, "") == "no")


def send_reminders(now: datetime | None = None) -> int:
    """The periodic job: claim each reminder due by `now` and owe its emails; how many
    were claimed (here, not by another worker). An event that fails is logged and
    left due, for the next run: it holds up no other."""
    now = now or utcnow()
    due = (
        select(EVENTS.c.id, EVENTS.c.site_url)
        .where(EVENTS.c.remind_at <= now)
        .order_by(EVENTS.c.remind_at)
        .limit(BATCH)
    )
    events = db.session.execute(due).all()
    db.session.rollback()  # end the read: each claim takes a transaction of its own
    claimed = 0
    for event_id, url in events:
        try:
            with on_site(url), committed():  # the links are built on the event's site
                claimed += _claim(event_id, now)
        except Refused:  # the instance's emails for today are spent
            log.warning("reminders: event %d not reminded yet: over the daily limit", event_id)
        except Exception:
            log.exception("reminders: event %d not reminded this time", event_id)
    return claimed


def _claim(event_id: int, now: datetime) -> bool:
    """Take the event's reminder if no other worker has, and owe it (or drop it, late)."""
    taken = db.session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id, EVENTS.c.remind_at <= now)
        .values(remind_at=None)
    ).rowcount
    if not taken:
        return False
    event = db.session.get(Event, event_id)
    if event.starts_at > now:
        _owe_reminders(event)
    else:
        log.info("reminders: event %d has started: its late reminder is dropped", event_id)
    return True


def _owe_reminders(event: Event) -> None:
    query = (
        select(Invitee)
        .outerjoin(Rsvp, Invitee.rsvp_id == Rsvp.id)
        .where(Invitee.event_id == event.id, service.REACHABLE, not_(CANT_GO))
        .order_by(Invitee.id)
    )
    invitees = list(db.session.scalars(query))
    if not invitees:
        return
    mail_limits.reserve_for_instance(len(invitees))  # refused: rolled back, tried again
    for invitee, message in zip(invitees, emails.Batch(event).reminders(invitees), strict=True):
        outbox.owe("reminder", message, event.id, invitee.id)
    log.info("reminders: event %d reminds %d addresses", event.id, len(invitees))


def follow(event: Event, rsvp: Rsvp, address: str) -> str | None:
    """In the answer's transaction: link the address a friend gave with their answer
    ("": they want no emails), owing it the confirmation; what to tell them.

    What is said never tells whether an address is invited, unsubscribed or another
    answer's: only the answer's own link is shown as it is.
    """
    key = address_key(address) if address else None
    forget(Invitee.rsvp_id == rsvp.id, keeping=key)
    if not address:
        return None
    (invitee,) = service.add_invitees(event.id, [address], invited=False)
    if invitee.rsvp_id == rsvp.id and invitee.confirmed_at is not None:
        return _("The reminder and any change will go to %(address)s.", address=address)
    neutral = _(
        "If %(address)s may get emails about this event, a link to confirm is on its way.",
        address=address,
    )
    if invitee.unsubscribed_at is not None or invitee.rsvp_id not in (None, rsvp.id):
        return neutral  # it asked for no more, or it is another answer's
    invitee.rsvp_id = rsvp.id
    if _confirmation_sent_lately(invitee.id):
        return _(
            "To get the reminder, confirm with the link emailed to %(address)s.", address=address
        )
    try:
        mail_limits.reserve(1, commit=False)
    except Refused:
        invitee.rsvp_id = None
        return neutral
    outbox.owe("confirmation", emails.confirmation(event, invitee), event.id, invitee.id)
    return neutral


def _confirmation_sent_lately(invitee_id: int) -> bool:
    """A confirmation went to the address in the last day: its link is still good."""
    query = select(Email.id).where(
        Email.invitee_id == invitee_id,
        Email.kind == "confirmation",
        Email.created_at > utcnow() - CONFIRMATION_RESENT_AFTER,
    )
    return db.session.scalar(query.limit(1)) is not None


def forget(which, keeping: str | None = None) -> None:
    """Unlink the addresses `which` selects from their answers (part of the caller's
    transaction), but the one keyed `keeping`: a friend's own address then gets nothing."""
    if keeping is not None:
        which = and_(which, Invitee.address_key != keeping)
    db.session.execute(
        update(Invitee).where(which).values(rsvp_id=None, confirmed_at=None),
        execution_options={"synchronize_session": "fetch"},
    )


def confirm(invitee_id: int, rsvp_id: int) -> bool:
    """The address's owner confirms the emails asked for with that answer; False if the
    address is no longer that answer's (changed, withdrawn, or unsubscribed since)."""
    now = utcnow()
    with committed():
        confirmed = db.session.execute(
            update(Invitee)
            .where(
                Invitee.id == invitee_id,
                Invitee.rsvp_id == rsvp_id,
                Invitee.unsubscribed_at.is_(None),
            )
            .values(confirmed_at=func.coalesce(Invitee.confirmed_at, literal(now, UTCDateTime())))
        ).rowcount
    return bool(confirmed)


def address_for(rsvp_id: int) -> str | None:
    """The address linked to an answer, confirmed or not."""
    return db.session.scalar(select(Invitee.address).where(Invitee.rsvp_id == rsvp_id))
