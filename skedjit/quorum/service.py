"""The minimum going and its decision: the one place that writes them and commits.

Every write takes the event's answers lock first (answers.service.lock_answers, which
bumps `answers_version`: the friend's kept page changes with it), so a decision counts
the answers as they are, no answer slips in between, and of two workers deciding the
same event the second finds it decided.
"""

import logging
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from .. import mail_limits
from .. import models
from .. import outbox
from ..answers.service import going_headcount
from ..answers.service import lock_answers
from ..database import committed
from ..extensions import db
from ..invites.service import reachable_invitees
from ..links import on_site
from ..mail import mail_enabled
from ..models import UNDECIDED
from ..models import Event
from ..models import minimum_within
from ..refusals import Refused
from ..timezones import DEFAULT_DURATION
from ..timezones import format_when
from ..timezones import has_passed
from . import emails
from .state import quorum_of

log = logging.getLogger(__name__)
EVENTS = Event.__table__
#: Most events one run decides; the next run, a minute later, takes the rest.
BATCH = 50


class AlreadyDecidedError(Refused):
    """It is on or called off already: that stays."""

    status = 409

    def __init__(self):
        super().__init__(_("This event is already decided, and that cannot change."))


class NoMinimumError(Refused):
    """Nothing to confirm or call off: the event is on whoever says yes."""

    status = 409

    def __init__(self):
        super().__init__(_("This event has no minimum going, so there is nothing to decide."))


class PassedError(Refused):
    """The event is over: no minimum is set or decided any more."""

    status = 409

    def __init__(self):
        super().__init__(_("This event has passed, so there is nothing left to decide."))


class DecisionDueError(Refused):
    """The decision time has come: the rule decides, not the owner."""

    status = 409

    def __init__(self):
        super().__init__(
            _("The decision time has come, so the number going decides it within a minute.")
        )


class DateUndecidedError(Refused):
    """A poll's date is not picked: a decision before the start has no start to be before."""

    status = 409

    def __init__(self):
        super().__init__(_("Pick the date first: the minimum is decided before the event starts."))


class DecideTimeError(Refused):
    """The decision time is not in the future, or not before the start."""

    field = "decide_date"


class OverCapacityError(Refused):
    """More going are asked for than the capacity lets go: it could never be on."""

    field = "min_going"

    def __init__(self, capacity: int):
        super().__init__(
            ngettext(
                "The event has room for %(num)d person only: ask for that many at most.",
                "The event has room for %(num)d people only: ask for that many at most.",
                capacity,
            )
        )


class StartsBeforeDecisionError(Refused):
    """An edit would start the event before its decision time."""

    status = 409
    field = "date"

    def __init__(self, deadline: str):
        super().__init__(
            _(
                "The event would start before it is decided whether it is on (%(deadline)s). "
                "Move the decision time on the answers page first, or remove the minimum.",
                deadline=deadline,
            )
        )


def now() -> datetime:
    """The time now (models.utcnow)."""
    return models.utcnow()  # read at each call, so that the tests' clock moves it


def set_minimum(event: Event, min_going: int, decide_at: datetime) -> None:
    """Give the event a minimum going and its decision time (in the future, before the
    start, and within the capacity); Refused otherwise, storing nothing."""
    moment = now()
    with committed():
        settings = lock_answers(event.id)
        _check_undecided(settings, moment)
        if decide_at <= moment:
            raise DecideTimeError(_("Choose a decision time that is still to come."))
        if decide_at >= settings.starts_at:
            when = format_when(settings.starts_at, event.timezone)
            raise DecideTimeError(
                _("Choose a decision time before the event starts (%(when)s).", when=when)
            )
        if not minimum_within(min_going, settings.capacity):
            raise OverCapacityError(settings.capacity)
        _write(event.id, min_going=min_going, decide_at=decide_at)


def remove_minimum(event: Event) -> None:
    """Take the event's minimum away, before it is decided; 409 if it has none."""
    with committed():
        settings = lock_answers(event.id)
        _check_undecided(settings, now())
        if settings.min_going is None:
            raise NoMinimumError
        _write(event.id, min_going=None, decide_at=None)


def decide_by_hand(event: Event, decision: str) -> list[str]:
    """The owner confirms it ("on") or calls it off ("off") before the decision time;
    what to tell them of the emails."""
    moment = now()
    with committed():
        lock_answers(event.id)
        check_decidable(_read(event.id))
        return _decide(event.id, decision, moment, in_request=True)


def check_decidable(event: Event) -> None:
    """Refuse (409) to decide an event by hand that has passed, is decided, has no minimum,
    or whose decision time has come."""
    if event.has_passed(now()):
        raise PassedError
    if event.decision is not None:
        raise AlreadyDecidedError
    if event.min_going is None:
        raise NoMinimumError
    if event.decide_at <= now():
        raise DecisionDueError


def _passed(settings, moment: datetime) -> bool:
    """The event of these answer settings has passed at `moment`."""
    return has_passed(settings.starts_at, settings.ends_at, moment)


def _check_undecided(settings, moment: datetime) -> None:
    """Under the lock: refuse a change to a decided or passed event."""
    if settings.poll in UNDECIDED:
        raise DateUndecidedError
    if _passed(settings, moment):
        raise PassedError
    if settings.decision is not None:
        raise AlreadyDecidedError


def check_start(event_id: int, starts_at: datetime) -> None:
    """In an edit's transaction, after its UPDATE (which holds the event's row): refuse a
    start at or before the decision time, as the database has it now."""
    decide_at, decision = db.session.execute(
        select(EVENTS.c.decide_at, EVENTS.c.decision).where(EVENTS.c.id == event_id)
    ).one()
    if decision is None and decide_at is not None and starts_at <= decide_at:
        event = _read(event_id)
        raise StartsBeforeDecisionError(quorum_of(event).deadline)


def not_passed(moment: datetime):
    """SQL: the event has not passed at `moment` (timezones.has_passed, said in SQL)."""
    return or_(
        and_(EVENTS.c.ends_at.is_not(None), EVENTS.c.ends_at > moment),
        and_(EVENTS.c.ends_at.is_(None), EVENTS.c.starts_at > moment - DEFAULT_DURATION),
    )


def decide_due(moment: datetime | None = None) -> int:
    """The periodic job: decide each event whose decision time has come; how many were
    decided here (not by another worker). An event that fails is logged and left due."""
    moment = moment or now()
    due = (
        select(EVENTS.c.id, EVENTS.c.site_url)
        .where(
            EVENTS.c.decide_at <= moment,
            EVENTS.c.decision.is_(None),
            EVENTS.c.min_going.is_not(None),
            not_passed(moment),
        )
        .order_by(EVENTS.c.decide_at)
        .limit(BATCH)
    )
    events = db.session.execute(due).all()
    db.session.rollback()  # end the read: each decision takes a transaction of its own
    decided = 0
    for event_id, url in events:
        try:
            with on_site(url), committed():  # the email's links are built on the event's site
                decided += bool(_decide_when_due(event_id, moment))
        except Exception:
            log.exception("quorum: event %d not decided this time", event_id)
    return decided


def _decide_when_due(event_id: int, moment: datetime) -> str | None:
    """Under the lock: decide the event if it is still due; the decision, or None."""
    settings = lock_answers(event_id)
    event = _read(event_id)
    undecided = settings.decision is None and event.min_going is not None
    # Decided, moved later or passed since it was found: nothing to do.
    if not undecided or event.decide_at > moment or _passed(settings, moment):
        return None
    decision = "on" if going_headcount(event_id) >= event.min_going else "off"
    _decide(event_id, decision, moment, in_request=False)
    return decision


def _decide(event_id: int, decision: str, moment: datetime, in_request: bool) -> list[str]:
    """Under the lock: record the decision; called off, the calendar's SEQUENCE goes up
    and the invitees are owed the news. What to tell the owner."""
    values = {"decision": decision, "decided_at": moment}
    if decision == "off":  # the calendar changes, and there is nothing to remind of
        values |= {"version": EVENTS.c.version + 1, "updated_at": moment, "remind_at": None}
    _write(event_id, **values)
    log.info("quorum: event %d is %s", event_id, decision)
    return _owe_called_off(_read(event_id), in_request) if decision == "off" else []


def _owe_called_off(event: Event, in_request: bool) -> list[str]:
    """Owe every address that may be emailed about the event the news; what to tell."""
    invitees = reachable_invitees(event.id) if mail_enabled() else []
    if not invitees:
        return []
    try:
        if in_request:
            mail_limits.reserve(len(invitees), commit=False)
        else:
            mail_limits.reserve_for_instance(len(invitees))
    except Refused as refused:
        log.warning("quorum: event %d called off without emails: over a limit", event.id)
        return [
            _(
                "The invited friends were not told it is called off: %(reason)s",
                reason=refused.sentence,
            )
        ]
    for invitee, message in zip(invitees, emails.CalledOff(event).notices(invitees), strict=True):
        outbox.owe("called_off", message, event.id, invitee.id)
    count = len(invitees)
    return [
        ngettext(
            "The news is on its way to %(count)s address.",
            "The news is on its way to %(count)s addresses.",
            count,
            count=count,
        )
    ]


def _read(event_id: int) -> Event:
    """The event as the database has it now."""
    return db.session.get(Event, event_id, populate_existing=True)


def _write(event_id: int, **values) -> None:
    db.session.execute(update(EVENTS).where(EVENTS.c.id == event_id).values(**values))
