"""What changed: each edit that moved an event's time or its place.

The edit keeps one row with what the time (start, end, zone) and the place were
before it and after, in its own transaction. The event page tells friends for
NOTICE_DAYS what the time or the place was before the changes of those days; the
owner's answers page lists every change.
"""

from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext
from sqlalchemy import bindparam
from sqlalchemy import select

from .extensions import db
from .models import Event
from .models import EventChange
from .timezones import format_day_and_clock
from .timezones import format_day_of_month
from .timezones import format_span
from .timezones import to_local

#: How long the event page tells of a change.
NOTICE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Plan:
    """When and where an event is."""

    starts: datetime
    ends: datetime | None
    zone: str
    place: str

    @classmethod
    def of(cls, event: Event) -> "Plan":
        return cls(event.starts_at, event.ends_at, event.timezone, event.location)

    def time(self, zone_shown: bool) -> str:
        """'Saturday 12 December 2026, 19:30 until 23:00', in the reader's locale."""
        return format_span(self.starts, self.ends, self.zone, zone_shown)


@dataclass(frozen=True, slots=True)
class Change:
    """One change as it was kept."""

    changed_at: datetime
    starts_before: datetime
    ends_before: datetime | None
    zone_before: str
    place_before: str
    starts_after: datetime
    ends_after: datetime | None
    zone_after: str
    place_after: str

    @property
    def before(self) -> Plan:
        return Plan(self.starts_before, self.ends_before, self.zone_before, self.place_before)

    @property
    def after(self) -> Plan:
        return Plan(self.starts_after, self.ends_after, self.zone_after, self.place_after)


@dataclass(frozen=True, slots=True)
class Moved:
    """A change to tell of: the time or the place, when, what it was and what it is now."""

    what: str  # "time" or "place"
    changed_at: datetime
    was: str
    now: str
    #: The day it changed, in the event's zone: '3 March'.
    day: str
    #: The day and time it changed, in the event's zone, for the owner's list.
    moment: str


def _moved(what: str, before: Plan, after: Plan, changed_at: datetime) -> Moved:
    if what == "time":
        zone_shown = before.zone != after.zone  # else the page says the zone once
        was, now = before.time(zone_shown), after.time(zone_shown)
    else:
        was, now = before.place, after.place
    return Moved(
        what,
        changed_at,
        was,
        now,
        format_day_of_month(changed_at, after.zone),
        format_day_and_clock(to_local(changed_at, after.zone)),
    )


def _differs(what: str, before: Plan, after: Plan) -> bool:
    if what == "time":
        return (before.starts, before.ends, before.zone) != (after.starts, after.ends, after.zone)
    return before.place != after.place


def record(event: Event, before: Plan) -> None:
    """In the edit's transaction: keep the change if it moved the time or the place."""
    after = Plan.of(event)
    if _differs("time", before, after) or _differs("place", before, after):
        db.session.add(
            EventChange(
                event_id=event.id,
                changed_at=event.updated_at,  # the edit's own time (Event.change)
                **{f"{name}_before": getattr(before, name) for name in _PLAN_FIELDS},
                **{f"{name}_after": getattr(after, name) for name in _PLAN_FIELDS},
            )
        )


_PLAN_FIELDS = [field.name for field in fields(Plan)]
_TABLE = EventChange.__table__
#: An event's changes, newest first.
SELECT = (
    select(*(_TABLE.c[field.name] for field in fields(Change)))
    .where(_TABLE.c.event_id == bindparam("event_id"))
    .order_by(_TABLE.c.changed_at.desc(), _TABLE.c.id.desc())
)


def of_event(event_id: int) -> tuple[Change, ...]:
    """The event's changes, newest first."""
    return tuple(Change(*row) for row in db.session.execute(SELECT, {"event_id": event_id}))


def history(changes: tuple[Change, ...]) -> list[Moved]:
    """Every change of the event's time and place, newest first, for its owner."""
    return [
        _moved(what, change.before, change.after, change.changed_at)
        for change in changes
        for what in ("time", "place")
        if _differs(what, change.before, change.after)
    ]


#: The answers "Still coming?" is asked of after a move: going and maybe.
ASKED = ("yes", "maybe")


def asks_again(response: str, answered_at: datetime, changes: tuple[Change, ...]) -> bool:
    """A friend going or maybe is asked "Still coming?" while the time or the place is
    not what it was when they last answered."""
    if response not in ASKED:
        return False
    since = [change for change in changes if change.changed_at > answered_at]  # newest first
    return bool(since) and any(
        _differs(what, since[-1].before, since[0].after) for what in ("time", "place")
    )


def choices(response: str) -> tuple[tuple[str, str], ...]:
    """The answers "Still coming?" offers a friend going or maybe: (response, label)."""
    return (
        ("yes", gettext("Still going") if response == "yes" else gettext("Now going")),
        ("maybe", gettext("Still maybe") if response == "maybe" else gettext("Now maybe")),
        ("no", gettext("Can't go any more")),
    )


def asked_again(answers, changes: tuple[Change, ...]) -> set[int]:
    """The ids of the answers (rsvps) not given again since the plan moved."""
    return {a.id for a in answers if asks_again(a.response, a.updated_at, changes)}


def _told_until(change: Change) -> datetime:
    """NOTICE_DAYS after the change, at the whole minute after it: the event page
    changes with time only at whole minutes (event_page's invariants)."""
    minute = change.changed_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return minute + timedelta(days=NOTICE_DAYS)


def recent(changes: tuple[Change, ...], now: datetime) -> tuple[Moved, ...]:
    """What friends are told: for the time and for the place, what it was before the
    changes of the last NOTICE_DAYS days and what it is now, dated by the latest; nothing
    where it is back as it was."""
    window = [change for change in changes if now < _told_until(change)]  # newest first
    told = []
    for what in ("time", "place"):
        moves = [change for change in window if _differs(what, change.before, change.after)]
        if moves and _differs(what, moves[-1].before, moves[0].after):
            told.append(_moved(what, moves[-1].before, moves[0].after, moves[0].changed_at))
    return tuple(told)
