"""What the event page shows of an event, read with an indexed SELECT per table (the bring
list's items and claims in one, joined; a poll's options and votes likewise)."""

import hashlib
from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..answers.tokens import hash_token
from ..bring_list.listing import SELECT as _BRING
from ..bring_list.listing import Item
from ..bring_list.listing import items_of
from ..changes import SELECT as _CHANGES
from ..changes import Change
from ..changes import Moved
from ..changes import asks_again
from ..changes import recent
from ..database import read_engine
from ..models import UNDECIDED
from ..models import Event
from ..models import Rsvp
from ..models import answers_open
from ..models import headcount
from ..models import in_waitlist_order
from ..models import utcnow
from ..models import voting_open
from ..models import waitlist_positions
from ..tally import SELECT as _OPTIONS
from ..tally import Option
from ..tally import best
from ..tally import options_of
from ..timezones import describe_distance
from ..timezones import format_day_and_clock
from ..timezones import format_end
from ..timezones import format_when
from ..timezones import to_local


@dataclass(frozen=True, slots=True)
class Answer:
    """One friend's answer as the page lists it."""

    id: int
    name: str
    response: str
    guests: int
    note: str
    token_hash: str  # never shown; recognises the viewer's own answer
    #: When it was last given (or said again).
    updated_at: datetime
    #: When it joined the waitlist, while it waits.
    waiting_since: datetime | None = None
    #: When a freed place moved it from the waitlist to going, until answered again.
    promoted_at: datetime | None = None

    @property
    def headcount(self) -> int:
        return headcount(self.response, self.guests)


@dataclass(frozen=True, slots=True)
class EventPage:
    """What the event page shows of an event."""

    id: int
    slug: str
    title: str
    starts_at: datetime
    ends_at: datetime | None
    timezone: str
    location: str
    description: str
    hide_preview: bool
    capacity: int | None
    rsvp_deadline: datetime | None
    rsvps_closed: bool
    guest_list_hidden: bool
    answers_version: int
    version: int
    password_version: int
    hosts_version: int
    #: It's on if enough say yes (quorum/): the minimum, when, and what was decided.
    min_going: int | None = None
    decide_at: datetime | None = None
    decision: str | None = None
    decided_at: datetime | None = None
    #: Its date poll (polls/): the state, when voting ends, and whether the best is picked then.
    poll: str | None = None
    poll_closes_at: datetime | None = None
    poll_auto_pick: bool = False
    answers: tuple[Answer, ...] = ()
    #: Every change of its time or place, newest first.
    changes: tuple[Change, ...] = ()
    #: The bring list: each item with who brings how many of it.
    bring: tuple[Item, ...] = ()
    #: While the date is not decided, the options with their votes, earliest first.
    options: tuple[Option, ...] = ()
    #: A hash of every value above, read with them: the page shows nothing else of the event.
    digest: str = ""

    def answers_open(self, now: datetime | None = None) -> bool:
        """Tell whether friends may still answer (never once it is called off)."""
        return answers_open(
            self.rsvps_closed,
            self.rsvp_deadline,
            self.starts_at,
            self.ends_at,
            now or utcnow(),
            self.decision,
            self.poll,
        )

    @property
    def date_undecided(self) -> bool:
        """Its date is still polled: the page shows the options and the votes."""
        return self.poll in UNDECIDED

    def voting_open(self, now: datetime | None = None) -> bool:
        return voting_open(
            self.poll, self.poll_closes_at, self.starts_at, self.ends_at, now or utcnow()
        )

    @property
    def best_option(self) -> Option | None:
        return best(self.options)

    @property
    def names(self) -> dict[int, str]:
        """Each answer's name by its id (a poll's votes name their answer)."""
        return {answer.id: answer.name for answer in self.answers}

    @property
    def voting_ends(self) -> str | None:
        """When voting ends, in the event's zone, if the owner set it."""
        if self.poll_closes_at is None:
            return None
        return format_day_and_clock(to_local(self.poll_closes_at, self.timezone))

    def answers_by_response(self, response: str) -> list[Answer]:
        return [answer for answer in self.answers if answer.response == response]

    @property
    def going_headcount(self) -> int:
        """People going, extra guests included."""
        return sum(answer.headcount for answer in self.answers)

    @property
    def waitlist(self) -> list[Answer]:
        """The friends waiting for a place, first come first."""
        return in_waitlist_order(self.answers)

    def waitlist_position(self, answer: Answer) -> int:
        """Where the answer waits: 1 for the next to get a place."""
        return waitlist_positions(self.answers)[answer.id]

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_headcount, 0)

    @property
    def deadline(self) -> str | None:
        """When answers close, in the event's zone: 'Friday 10 July 2026, 18:00'."""
        if self.rsvp_deadline is None:
            return None
        return format_day_and_clock(to_local(self.rsvp_deadline, self.timezone))

    def answer_held_by(self, token: str | None) -> Answer | None:
        """The answer whose secret is this token, if it is among the event's."""
        if not token:
            return None
        token_hash = hash_token(token)
        return next((a for a in self.answers if a.token_hash == token_hash), None)

    @property
    def when(self) -> str:
        """The start in the event's zone, e.g. 'Saturday 12 December 2026, 19:30 (...)'."""
        return format_when(self.starts_at, self.timezone)

    @property
    def until(self) -> str | None:
        """The end as shown after the start ('23:00', or with its day), or None."""
        return format_end(self.starts_at, self.ends_at, self.timezone) if self.ends_at else None

    def asks_again(self, answer: Answer) -> bool:
        """The plan moved since the friend last answered going or maybe: "Still coming?"."""
        return asks_again(answer.response, answer.updated_at, self.changes)

    def recent_changes(self, now: datetime | None = None) -> tuple[Moved, ...]:
        """The changes of time and place friends are told of now."""
        return recent(self.changes, now or utcnow())

    def distance(self, now: datetime | None = None) -> str:
        """How far away it is: 'in 3 days', 'today, in 2 hours', 'has passed'."""
        return describe_distance(self.starts_at, self.ends_at, self.timezone, now or utcnow())


_NOT_COLUMNS = ("answers", "changes", "bring", "options", "digest")
_EVENT_COLUMNS = [field.name for field in fields(EventPage) if field.name not in _NOT_COLUMNS]
_LOOKUP = select(*(Event.__table__.c[name] for name in _EVENT_COLUMNS)).where(
    Event.__table__.c.slug == bindparam("slug")
)
_ANSWERS = (
    select(*(Rsvp.__table__.c[field.name] for field in fields(Answer)))
    .where(Rsvp.__table__.c.event_id == bindparam("event_id"))
    .order_by(Rsvp.__table__.c.created_at, Rsvp.__table__.c.id)
)


def read_event_page(slug: str) -> EventPage | None:
    """Read the event's page data with a SELECT per table, or None; a dead pooled connection
    is retried."""
    for attempt in (1, 2):
        try:
            with read_engine().connect() as connection:
                row = connection.execute(_LOOKUP, {"slug": slug}).first()
                if row is None:
                    return None
                answers = tuple(connection.execute(_ANSWERS, {"event_id": row.id}))
                moves = tuple(connection.execute(_CHANGES, {"event_id": row.id}))
                bring = tuple(connection.execute(_BRING, {"event_id": row.id}))
                polled = row.poll in UNDECIDED  # once picked, the options are not shown
                options = (
                    tuple(connection.execute(_OPTIONS, {"event_id": row.id})) if polled else ()
                )
        except DBAPIError as error:
            if not error.connection_invalidated or attempt == 2:
                raise
            continue
        digest = hashlib.blake2b(
            repr((tuple(row), answers, moves, bring, options)).encode(), digest_size=16
        ).hexdigest()
        return EventPage(
            *row,
            answers=tuple(Answer(*a) for a in answers),
            changes=tuple(Change(*c) for c in moves),
            bring=items_of(bring),
            options=options_of(options),
            digest=digest,
        )
    raise AssertionError("unreachable")  # pragma: no cover
