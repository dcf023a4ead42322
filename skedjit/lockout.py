"""The event password's lockout: a brake on guessing, never a lever against the owner.

Attempts are counted in the database, so the counts hold across processes, before
bcrypt runs and by one UPDATE … RETURNING each, so parallel guesses are counted one
by one. They are counted per event and client address (kept as a keyed hash):

- From an address's fifth attempt without the right password, that address is
  locked out of the event, for 1 minute doubling up to 1 hour, and refused without
  bcrypt. Other addresses are not: a right password from an address that is not
  locked always works.
- Across all addresses, past 50 attempts in an hour, each address waits 10 seconds
  after every attempt: guessing from many addresses slows, and nobody is refused for
  longer than that.
- The right password clears its address's count; a new password clears them all.
"""

import hashlib
import hmac
import math
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update

from .database import committed
from .database import insert_new
from .extensions import db
from .models import Event
from .models import PasswordGuesses
from .models import utcnow
from .passwords import hash_cost
from .passwords import hash_password
from .passwords import verify_password
from .rate_limits import client_address
from .refusals import Refused
from .text import describe_wait

FREE_ATTEMPTS = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
#: Attempts on one event from all addresses in CEILING_WINDOW before each one waits.
CEILING = 50
CEILING_WINDOW = timedelta(hours=1)
SLOWED = timedelta(seconds=10)
#: The `address` of the row that counts every address's attempts on the event.
ALL_ADDRESSES = "*"
GUESSES = PasswordGuesses.__table__


class PasswordLockedError(Refused):
    """Too many wrong passwords from this address: none is checked until `until`."""

    status = 429
    field = "password"

    def __init__(self, until: datetime, now: datetime):
        seconds = max(1, math.ceil((until - now).total_seconds()))
        sentence = gettext(
            "Too many wrong passwords for this event from your address. Try again in %(wait)s.",
            wait=describe_wait(seconds),
        )
        super().__init__(sentence, {"Retry-After": str(seconds)})
        self.seconds = seconds


def lock_after(attempts: int) -> timedelta | None:
    """How long an address is locked once this many of its attempts are counted, if at all."""
    if attempts < FREE_ATTEMPTS:
        return None
    return min(FIRST_LOCK * 2 ** min(attempts - FREE_ATTEMPTS, 12), LONGEST_LOCK)


def address_key() -> str:
    """The client's address as password_guesses keeps it: a hash keyed by SECRET_KEY."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    message = b"password-guesses\0" + client_address().encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def check_password(event: Event, password: str) -> bool:
    """Tell whether the password is the event's; PasswordLockedError when this address is locked.

    A right password clears this address's count and re-hashes a hash made at a lower cost.
    """
    now = utcnow()
    address = address_key()
    rounds = current_app.config["BCRYPT_ROUNDS"]
    event_id, password_hash = event.id, event.password_hash
    _count_attempt(event_id, address, now)
    if not verify_password(password, password_hash):
        return False
    rehashed = hash_password(password, rounds) if hash_cost(password_hash) < rounds else None
    _clear_attempt(event_id, address, password_hash, rehashed)
    return True


def forget_guesses(event_id: int) -> None:
    """Clear every count on the event (its password changed); part of the caller's transaction."""
    db.session.execute(delete(GUESSES).where(GUESSES.c.event_id == event_id))


def _count_attempt(event_id: int, address: str, now: datetime) -> None:
    """Count one attempt, and lock the address if it is one too many; commits."""
    row = (GUESSES.c.event_id == event_id) & (GUESSES.c.address == address)
    with committed():
        rows = [
            {"event_id": event_id, "address": a, "attempts": 0, "since": now}
            for a in (address, ALL_ADDRESSES)
        ]
        db.session.execute(insert_new(GUESSES, rows))
        unlocked = or_(GUESSES.c.locked_until.is_(None), GUESSES.c.locked_until <= now)
        attempts = db.session.execute(
            update(GUESSES)
            .where(row, unlocked)
            .values(attempts=GUESSES.c.attempts + 1)
            .returning(GUESSES.c.attempts)
        ).scalar_one_or_none()
        if attempts is None:  # locked, perhaps by a parallel attempt since the last look
            until = db.session.scalar(select(GUESSES.c.locked_until).where(row))
            raise PasswordLockedError(until or now, now)
        stale = GUESSES.c.since <= now - CEILING_WINDOW
        everyone = db.session.execute(
            update(GUESSES)
            .where(GUESSES.c.event_id == event_id, GUESSES.c.address == ALL_ADDRESSES)
            .values(
                attempts=case((stale, 1), else_=GUESSES.c.attempts + 1),
                since=case((stale, now), else_=GUESSES.c.since),
            )
            .returning(GUESSES.c.attempts)
        ).scalar_one()
        lock = lock_after(attempts)
        if everyone > CEILING:
            lock = max(lock or SLOWED, SLOWED)
        if lock:
            db.session.execute(update(GUESSES).where(row).values(locked_until=now + lock))


def _clear_attempt(event_id: int, address: str, password_hash: str, rehashed: str | None) -> None:
    """Forget the address's attempts, and uncount this right one from all addresses' count.

    Stores the stronger hash unless the password changed meanwhile.
    """
    events = Event.__table__
    with committed():
        db.session.execute(
            delete(GUESSES).where(GUESSES.c.event_id == event_id, GUESSES.c.address == address)
        )
        db.session.execute(
            update(GUESSES)
            .where(
                GUESSES.c.event_id == event_id,
                GUESSES.c.address == ALL_ADDRESSES,
                GUESSES.c.attempts > 0,
            )
            .values(attempts=GUESSES.c.attempts - 1)
        )
        if rehashed:
            db.session.execute(
                update(events)
                .where(events.c.id == event_id, events.c.password_hash == password_hash)
                .values(password_hash=rehashed)
            )
