"""The event password's lockout, kept in the database so it holds across processes.

Every attempt is counted before bcrypt runs, by one UPDATE … RETURNING on the
event's row, so parallel guesses are counted one by one: from the fifth
attempt on, the event is locked at once (for 1 minute, doubling up to 1 hour)
and only cleared again by the correct password. A locked event is refused
without running bcrypt.
"""

import math
from datetime import datetime
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from .database import committed
from .extensions import db
from .models import Event
from .models import utcnow
from .passwords import hash_cost
from .passwords import hash_password
from .passwords import verify_password
from .refusals import Refused
from .text import describe_wait

FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
EVENTS = Event.__table__


class PasswordLockedError(Refused):
    """Too many wrong passwords: the event checks none until `until`."""

    status = 429
    field = "password"

    def __init__(self, until: datetime, now: datetime):
        seconds = max(1, math.ceil((until - now).total_seconds()))
        sentence = (
            f"Too many wrong passwords for this event. Try again in {describe_wait(seconds)}."
        )
        super().__init__(sentence, {"Retry-After": str(seconds)})
        self.seconds = seconds


def lock_after(attempts: int) -> timedelta | None:
    """How long the event is locked once this many attempts are counted, if at all."""
    if attempts < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCK * 2 ** min(attempts - FREE_ATTEMPTS, 12), LONGEST_LOCK)


def check_password(event: Event, password: str) -> bool:
    """Tell whether the password is the event's; raise PasswordLockedError when locked.

    A correct password clears the count and re-hashes a hash made at a lower cost.
    """
    now = utcnow()
    rounds = current_app.config["BCRYPT_ROUNDS"]
    event_id, password_hash = event.id, event.password_hash
    if event.password_locked_until and event.password_locked_until > now:
        raise PasswordLockedError(event.password_locked_until, now)
    _count_attempt(event_id, now)
    if not verify_password(password, password_hash):
        return False
    rehashed = hash_password(password, rounds) if hash_cost(password_hash) < rounds else None
    _clear_attempts(event_id, password_hash, rehashed)
    return True


def _count_attempt(event_id: int, now: datetime) -> None:
    """Count one attempt and lock the event if it is one too many; commits."""
    unlocked = or_(EVENTS.c.password_locked_until.is_(None), EVENTS.c.password_locked_until <= now)
    with committed():
        attempts = db.session.execute(
            update(EVENTS)
            .where(EVENTS.c.id == event_id, unlocked)
            .values(password_failures=EVENTS.c.password_failures + 1)
            .returning(EVENTS.c.password_failures)
        ).scalar_one_or_none()
        if attempts is None:  # locked by a parallel attempt since the event was read
            query = select(EVENTS.c.password_locked_until).where(EVENTS.c.id == event_id)
            raise PasswordLockedError(db.session.scalar(query) or now, now)
        if lock := lock_after(attempts):
            db.session.execute(
                update(EVENTS)
                .where(EVENTS.c.id == event_id)
                .values(password_locked_until=now + lock)
            )


def _clear_attempts(event_id: int, password_hash: str, rehashed: str | None) -> None:
    """Forget the counted attempts; store the stronger hash unless the password changed."""
    with committed():
        db.session.execute(
            update(EVENTS)
            .where(EVENTS.c.id == event_id)
            .values(password_failures=0, password_locked_until=None)
        )
        if rehashed:
            db.session.execute(
                update(EVENTS)
                .where(EVENTS.c.id == event_id, EVENTS.c.password_hash == password_hash)
                .values(password_hash=rehashed)
            )
