"""A poll's options with their votes, as pages show them, and which is best."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from sqlalchemy import bindparam
from sqlalchemy import select

from .models import PollOption
from .models import PollVote

OPTIONS = PollOption.__table__
VOTES = PollVote.__table__
#: An event's options, earliest first, each with its votes (one row per vote, or one
#: with no vote): one indexed SELECT.
SELECT = (
    select(OPTIONS.c.id, OPTIONS.c.starts_at, OPTIONS.c.ends_at, VOTES.c.rsvp_id, VOTES.c.choice)
    .outerjoin(VOTES, VOTES.c.option_id == OPTIONS.c.id)
    .where(OPTIONS.c.event_id == bindparam("event_id"))
    .order_by(OPTIONS.c.starts_at, OPTIONS.c.ends_at, OPTIONS.c.id, VOTES.c.rsvp_id)
)


@dataclass(frozen=True, slots=True)
class Option:
    """A date and time friends vote on, with each vote on it: (answer id, choice)."""

    id: int
    starts_at: datetime
    ends_at: datetime | None
    votes: tuple[tuple[int, str], ...] = ()

    def count(self, choice: str) -> int:
        return sum(1 for _rsvp, given in self.votes if given == choice)

    def choice_of(self, rsvp_id: int) -> str | None:
        """The vote of this answer on the option, if it gave one."""
        return next((given for rsvp, given in self.votes if rsvp == rsvp_id), None)

    @property
    def score(self) -> tuple[int, int]:
        """What makes an option better: most yes, then most if need be."""
        return self.count("yes"), self.count("maybe")


def options_of(rows) -> tuple[Option, ...]:
    """The options of rows from SELECT, in its order."""
    return tuple(
        Option(
            option_id, starts_at, ends_at, tuple((r.rsvp_id, r.choice) for r in votes if r.rsvp_id)
        )
        for (option_id, starts_at, ends_at), votes in groupby(
            rows, key=lambda row: (row.id, row.starts_at, row.ends_at)
        )
    )


def best(options: tuple[Option, ...]) -> Option | None:
    """The best option: most yes, then most if need be, then the earliest; None while no
    option has a yes or an if need be."""
    top = max(options, key=lambda option: option.score, default=None)  # the first of equals
    return top if top is not None and top.score > (0, 0) else None
