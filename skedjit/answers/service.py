"""Answer operations: the one place that writes answers and commits.

Every write first bumps the event's `answers_version` with an UPDATE. That
takes the event's row lock on PostgreSQL and the write lock on SQLite, so
two friends taking the last place at once are served one after the other
and the capacity holds.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from ..database import committed
from ..extensions import db
from ..invites import notices
from ..invites import reminders
from ..models import UNDECIDED
from ..models import WAITING
from ..models import BringClaim
from ..models import Event
from ..models import Invitee
from ..models import Rsvp
from ..models import answers_open
from ..models import headcount
from ..models import in_waitlist_order
from ..models import minimum_within
from ..models import utcnow
from ..refusals import Refused
from ..text import lazy_gettext as _l
from ..timezones import has_passed
from .tokens import hash_token
from .tokens import new_token

EVENTS = Event.__table__


class AnswersClosedError(Refused):
    """The event takes no more answers (closed by hand or past its deadline)."""

    status = 409
    sentence = _l("Answers are closed for this event; the answers given stay visible.")

    def __init__(self):
        super().__init__(str(self.sentence))  # in the request's language, now


class EventGoneError(Refused):
    """The event was deleted while the answer was on its way (404, as its page)."""

    status = 404
    sentence = _l(
        "There is nothing at this address. If someone sent you an event link, "
        "check that it was copied whole; the event may also have been deleted."
    )

    def __init__(self):
        super().__init__(str(self.sentence))


class EventPassedError(AnswersClosedError):
    """The event is over, so it takes no more answers."""

    sentence = _l(
        "This event has passed, so it takes no more answers; the answers given stay visible."
    )


class CalledOffError(AnswersClosedError):
    """Too few said yes by the decision time (or the owner called it off): no more answers."""

    sentence = _l(
        "This event was called off, so it takes no more answers; the answers given stay visible."
    )


class DateUndecidedError(AnswersClosedError):
    """The date is still polled: friends vote on it, and answer once it is picked."""

    sentence = _l("The date is not decided yet: vote on the dates, and answer once it is picked.")


class EventFullError(Refused):
    """A new or raised 'going' would take the headcount past the capacity."""

    status = 409
    field = "response"
    sentence = _l("The event is full: join the waitlist, or answer maybe.")

    def __init__(self, sentence=None):
        super().__init__(str(sentence or self.sentence))


class BelowMinimumError(Refused):
    """A capacity smaller than the minimum going: the event could never be on."""

    field = "capacity"

    def __init__(self, min_going: int):
        super().__init__(
            ngettext(
                "The event is on only if %(num)d person goes: leave room for that many at least.",
                "The event is on only if %(num)d people go: leave room for that many at least.",
                min_going,
            )
        )


#: A friend going asks to bring more people than the places left.
NO_ROOM_FOR_MORE = _l("Not enough places are left for that many extra people.")
#: Places are left, but friends on the waitlist have them first.
WAITLIST_FIRST = _l("The places left go to the waitlist first: join it, or answer maybe.")


@dataclass(frozen=True)
class Settings:
    """The answer settings of an event, read under its lock."""

    capacity: int | None
    deadline: datetime | None
    closed: bool
    starts_at: datetime
    ends_at: datetime | None
    #: "on", "off" or None: see quorum/.
    decision: str | None = None
    #: The fewest going for it to be on, if the owner set one (see quorum/).
    min_going: int | None = None
    #: Its date poll's state, if it began as one (see polls/).
    poll: str | None = None
    poll_closes_at: datetime | None = None

    def check_open(self, now: datetime) -> None:
        """Raise EventPassedError, CalledOffError or AnswersClosedError unless answers are
        open now."""
        if self.decision == "off":
            raise CalledOffError
        if self.poll in UNDECIDED:
            raise DateUndecidedError
        if has_passed(self.starts_at, self.ends_at, now):
            raise EventPassedError
        if not self.is_open(now):
            raise AnswersClosedError

    def is_open(self, now: datetime) -> bool:
        return answers_open(
            self.closed, self.deadline, self.starts_at, self.ends_at, now, self.decision, self.poll
        )


def find_rsvp(event_id: int, token: str | None) -> Rsvp | None:
    """The answer this token holds for the event, or None."""
    if not token:
        return None
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.token_hash == hash_token(token))
    return db.session.execute(query).scalar_one_or_none()


def list_rsvps(event_id: int) -> list[Rsvp]:
    """The event's answers, oldest first."""
    query = select(Rsvp).where(Rsvp.event_id == event_id).order_by(Rsvp.created_at, Rsvp.id)
    return list(db.session.execute(query).scalars())


def going_headcount(event_id: int, leaving_out: int | None = None) -> int:
    """People going, extra guests included, optionally without one answer.

    The SQL form of models.headcount(), summed over the event's answers.
    """
    query = select(func.coalesce(func.sum(1 + Rsvp.guests), 0)).where(
        Rsvp.event_id == event_id, Rsvp.response == "yes"
    )
    if leaving_out is not None:
        query = query.where(Rsvp.id != leaving_out)
    return db.session.scalar(query)


def waitlist(event_id: int) -> list[Rsvp]:
    """The event's waiting answers, first come first."""
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.response == WAITING)
    return in_waitlist_order(db.session.scalars(query))


def lock_answers(event_id: int) -> Settings:
    """Bump the answers' version, which locks the event until commit; read its settings."""
    row = db.session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id)
        .values(answers_version=EVENTS.c.answers_version + 1)
        .returning(
            EVENTS.c.capacity,
            EVENTS.c.rsvp_deadline,
            EVENTS.c.rsvps_closed,
            EVENTS.c.starts_at,
            EVENTS.c.ends_at,
            EVENTS.c.decision,
            EVENTS.c.min_going,
            EVENTS.c.poll,
            EVENTS.c.poll_closes_at,
        )
    ).one_or_none()
    if row is None:
        raise EventGoneError
    return Settings(*row)


def answer(
    event: Event,
    fields: dict,
    token: str | None,
    now: datetime | None = None,
    email: str | None = None,
) -> tuple[Rsvp, str, str | None]:
    """Add an answer, or change the one the token holds, with the address that gets the
    reminder and changes (`email`: "" for none, None to leave it as it is); returns it,
    its token, and what to tell about the emails."""
    with committed():
        settings = lock_open(event.id, now)
        rsvp = find_rsvp(event.id, token)
        if rsvp is None:
            token = new_token()
            rsvp = Rsvp(event_id=event.id, token_hash=hash_token(token))
        _set(event, settings, rsvp, fields, now)
        told = reminders.follow(event, rsvp, email) if email is not None else None
    return rsvp, token, told


def answer_of(event_id: int, rsvp_id: int) -> Rsvp | None:
    """The event's answer with this id as the database has it now, or None."""
    rsvp = db.session.get(Rsvp, rsvp_id, populate_existing=True)
    return rsvp if rsvp is not None and rsvp.event_id == event_id else None


def say_again(
    event: Event, rsvp_id: int, response: str, now: datetime | None = None
) -> Rsvp | None:
    """Give the answer again with this response, the rest as it is ("Still coming?" by
    email); None if it is gone."""
    with committed():
        settings = lock_open(event.id, now)
        rsvp = answer_of(event.id, rsvp_id)
        if rsvp is not None:
            fields = {"name": rsvp.name, "response": response, "guests": rsvp.guests}
            _set(event, settings, rsvp, fields | {"note": rsvp.note}, now)
    return rsvp


def lock_open(event_id: int, now: datetime | None) -> Settings:
    """Lock the event's answers for the transaction, refused unless they are open."""
    settings = lock_answers(event_id)
    settings.check_open(now or utcnow())
    return settings


def _set(event: Event, settings: Settings, rsvp: Rsvp, fields: dict, now: datetime | None) -> None:
    """Give the answer these fields if a place is left for them; when none is, a friend
    who asked (`waitlist` in the fields) waits for one, and others get EventFullError.

    Places go in turn: while anyone waits, a new "going" joins the waitlist too. A
    friend going keeps their place or gets EventFullError, never the waitlist.
    """
    now = now or utcnow()
    fields = dict(fields)
    join = fields.pop("waitlist", False)
    if fields["response"] == "yes" and settings.capacity is not None:
        fields["response"] = _going_or_waiting(settings, rsvp, fields, join)
    if fields["response"] != WAITING:
        rsvp.waiting_since = None
    elif rsvp.waiting_since is None:
        rsvp.waiting_since = now  # a friend already waiting keeps their turn
    for name, value in fields.items():
        setattr(rsvp, name, value)
    rsvp.promoted_at = None  # they answered since: the news is old
    rsvp.updated_at = now  # given again, even as it was: after a change
    if rsvp.response == "no" and rsvp.id is not None:  # who can't go brings nothing
        db.session.execute(delete(BringClaim).where(BringClaim.rsvp_id == rsvp.id))
    db.session.add(rsvp)
    db.session.flush()  # its id, and its place counted
    _fill_places(event, settings, now)


def _going_or_waiting(settings: Settings, rsvp: Rsvp, fields: dict, join: bool) -> str:
    """'yes' if the places left take this answer, else 'wait' for a friend waiting or
    asking to; EventFullError for the others."""
    wanted = headcount("yes", fields["guests"])
    if rsvp.response == "yes":
        if wanted > rsvp.headcount:
            others = going_headcount(rsvp.event_id, leaving_out=rsvp.id)
            if others + wanted > settings.capacity or _someone_waits(rsvp):
                raise EventFullError(NO_ROOM_FOR_MORE)
        return "yes"
    if rsvp.response == WAITING:
        return WAITING  # _fill_places moves them up if their turn and a place have come
    others = going_headcount(rsvp.event_id, leaving_out=rsvp.id)
    fits = others + wanted <= settings.capacity
    if fits and not _someone_waits(rsvp):
        return "yes"
    if join:
        return WAITING
    raise EventFullError(None if not fits else WAITLIST_FIRST)


def _someone_waits(rsvp: Rsvp) -> bool:
    """Another friend waits for a place at the answer's event."""
    query = select(Rsvp.id).where(
        Rsvp.event_id == rsvp.event_id, Rsvp.response == WAITING, Rsvp.id != rsvp.id
    )
    return db.session.execute(query.limit(1)).first() is not None


def _fill_places(event: Event, settings: Settings, now: datetime) -> None:
    """Under the answers' lock: move the first waiting to going while their party fits in
    the places left, in turn (a party too big for them keeps its turn), and owe each
    friend moved up an email. Nobody moves up while answers are not open: closed, past
    their deadline, called off or passed, the lists stay as they are."""
    if not settings.is_open(now):
        return
    waiting = waitlist(event.id)
    if not waiting:
        return
    free = None if settings.capacity is None else settings.capacity - going_headcount(event.id)
    moved = []
    for rsvp in waiting:
        needed = headcount("yes", rsvp.guests)
        if free is not None and needed > free:
            break
        rsvp.response, rsvp.waiting_since, rsvp.promoted_at = "yes", None, now
        free = None if free is None else free - needed
        moved.append(rsvp)
    db.session.flush()
    notices.owe_places(event, moved)


def withdraw(event: Event, token: str | None, now: datetime | None = None) -> bool:
    """Remove the answer the token holds; False when there is none.

    AnswersClosedError once answers are closed: a withdrawal changes them as much as
    an answer does.
    """
    moment = now or utcnow()
    which = Rsvp.token_hash == hash_token(token or "")
    return remove_where(event, which, lambda settings: settings.check_open(moment))


def remove(event: Event, rsvp_id: int) -> bool:
    """Remove one answer (the owner's choice, open or not); False when there is no such answer."""
    return remove_where(event, Rsvp.id == rsvp_id)


def remove_where(event: Event, which, check: Callable[[Settings], None] | None = None) -> bool:
    """Remove the answer `which` selects, moving the waitlist up; `check` may refuse
    first, under the lock, given the event's settings."""
    with committed():
        settings = lock_answers(event.id)
        if check:
            check(settings)
        answers = select(Rsvp.id).where(Rsvp.event_id == event.id, which)
        reminders.forget(Invitee.rsvp_id.in_(answers))
        removed = db.session.execute(delete(Rsvp).where(Rsvp.event_id == event.id, which)).rowcount
        _fill_places(event, settings, utcnow())
    return bool(removed)


def update_settings(event: Event, values: dict) -> None:
    """Change capacity, deadline, closing and the guest list's visibility; a raised
    capacity moves the waitlist up."""
    with committed():
        db.session.execute(update(EVENTS).where(EVENTS.c.id == event.id).values(**values))
        settings = lock_answers(event.id)
        if settings.decision is None and not minimum_within(settings.min_going, settings.capacity):
            raise BelowMinimumError(settings.min_going)
        _fill_places(event, settings, utcnow())
