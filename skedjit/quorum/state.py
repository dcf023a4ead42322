"""Where an event's minimum going stands, as its pages say it."""

from dataclasses import dataclass

from ..timezones import format_day_and_clock
from ..timezones import to_local


@dataclass(frozen=True, slots=True)
class Quorum:
    """An event's minimum going and its decision, with the decision time in its zone."""

    min_going: int
    #: When it is decided, in the event's zone: 'Friday 10 July 2026, 18:00'.
    deadline: str
    #: "on", "off", or None until decided.
    decision: str | None
    #: The owner decided before the decision time.
    by_hand: bool
    #: When it was decided, in the event's zone, or None.
    decided: str | None


def quorum_of(event) -> Quorum | None:
    """The minimum of an event (or its page data) and where it stands, or None without one."""
    if event.min_going is None or event.decide_at is None:
        return None
    decided_at = event.decided_at
    return Quorum(
        min_going=event.min_going,
        deadline=format_day_and_clock(to_local(event.decide_at, event.timezone)),
        decision=event.decision,
        by_hand=decided_at is not None and decided_at < event.decide_at,
        decided=format_day_and_clock(to_local(decided_at, event.timezone)) if decided_at else None,
    )
