"""A deadline on every wait for PostgreSQL, and one caller at a time while it is silent.

libpq's own limits do not cover a server that stops answering on a connection it
already has (a frozen or stopped server, a dead route): a query waits for as long as
the kernel keeps the connection, and statement_timeout is the server's to enforce.
So every wait for the server goes through psycopg2's wait callback, which waits with
select() up to the connection's own limits (database.with_timeouts puts them in its
URL): connect_timeout for a new connection, statement_timeout and a second for the
round trip for an answer. Past it, it raises OperationalError; psycopg2 then closes
the connection, the pool drops it, and the app answers 503.

Once a wait has run out, or a new connection has waited half a second (a healthy
server answers in milliseconds), that database counts as silent: while one caller
waits to find out whether it answers again, every other caller in the process fails at once,
so a server that does not answer cannot hold every thread, and pages that need no
database keep being served. The first answer ends it.
"""

import functools
import re
import select
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import psycopg2
from psycopg2 import extensions

#: Added to the statement's limit for the round trip.
ROUND_TRIP_SECONDS = 1.0
#: How long the pool's ping (SELECT 1, which waits for no lock) may take, and how long a
#: new connection may before the database counts as silent: found out before it holds
#: every thread.
PING_SECONDS = SUSPECT_SECONDS = 0.5
#: How often a new connection's wait looks whether another caller is finding out.
LOOK_AGAIN_SECONDS = 0.1
STATEMENT_TIMEOUT = re.compile(r"statement_timeout=(\d+)")


class Silent(psycopg2.OperationalError):
    """The database did not answer in time, or is silent and another caller is finding out."""


@dataclass
class Silence:
    """What this process knows of one database's silence."""

    silent: bool = False
    finding_out: bool = False


@functools.lru_cache(maxsize=64)
def limits(dsn: str) -> tuple[float | None, float | None]:
    """A connection's own limits for connecting and for an answer, in seconds (None: none)."""
    parameters = extensions.parse_dsn(dsn)
    connect = float(parameters.get("connect_timeout", 0)) or None
    statement = STATEMENT_TIMEOUT.search(parameters.get("options", ""))
    milliseconds = int(statement.group(1)) if statement else 0
    return connect, (milliseconds / 1000 + ROUND_TRIP_SECONDS if milliseconds else None)


class Deadlines:
    """psycopg2's wait callback: a deadline on every wait, and one waiter while silent."""

    def __init__(self):
        self.lock = threading.Lock()
        self.databases: dict[str, Silence] = {}

    def __call__(self, connection) -> None:
        with self.lock:
            silence = self.databases.setdefault(connection.dsn, Silence())
            if silence.silent and silence.finding_out:
                raise Silent("the database is not answering")  # psycopg2 closes the connection
            finding_out = silence.finding_out = silence.silent

        def suspect() -> None:
            """A wait that no healthy database makes this long: the others fail meanwhile."""
            nonlocal finding_out
            with self.lock:
                silence.silent = True
                if not silence.finding_out:
                    silence.finding_out = finding_out = True

        def another_finds_out() -> bool:
            return silence.silent and silence.finding_out and not finding_out

        answered = False
        try:
            wait(connection, suspect, another_finds_out)
            answered = True
        finally:
            with self.lock:
                silence.silent = not answered
                if finding_out:
                    silence.finding_out = False


_this_thread = threading.local()


def wait(connection, suspect: Callable[[], None], another_finds_out: Callable[[], bool]) -> None:
    """Wait for the connection as psycopg2 asks, up to its deadline.

    A new connection that takes longer than SUSPECT_SECONDS calls suspect() once and
    goes on waiting, unless another caller is already finding out: then it gives up.
    (A statement, once sent, is waited for: giving up could hide a commit.)
    """
    connect, answer = limits(connection.dsn)
    setting_up = connection.status == extensions.STATUS_SETUP
    seconds = getattr(_this_thread, "seconds", None) or (connect if setting_up else answer)
    started = time.monotonic()
    deadline = None if seconds is None else started + seconds
    suspect_at = started + SUSPECT_SECONDS if setting_up else None
    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            raise Silent(f"the database did not answer within {seconds:g} seconds")
        if setting_up and another_finds_out():
            raise Silent("the database is not answering")
        if suspect_at is not None and now >= suspect_at:
            suspect()
            suspect_at = None
        moments = [moment for moment in (deadline, suspect_at) if moment is not None]
        left = min(moments) - now if moments else None
        if setting_up:
            left = min(left or LOOK_AGAIN_SECONDS, LOOK_AGAIN_SECONDS)
        if state == extensions.POLL_READ:
            select.select([connection.fileno()], [], [], left)
        else:  # POLL_WRITE
            select.select([], [connection.fileno()], [], left)


def init(engine) -> None:
    """Put every PostgreSQL connection of this process under the deadlines, and give the
    engine's pre-ping the short one."""
    if not isinstance(extensions.get_wait_callback(), Deadlines):
        extensions.set_wait_callback(Deadlines())
    ping = engine.dialect.do_ping

    def quick_ping(dbapi_connection) -> bool:
        _this_thread.seconds = PING_SECONDS
        try:
            return ping(dbapi_connection)
        finally:
            _this_thread.seconds = None

    engine.dialect.do_ping = quick_ping
