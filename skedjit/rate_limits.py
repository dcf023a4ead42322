"""Abuse limits per client address: what each one counts, and what a refused request gets.

Each limit is a setting in the limits library's notation ("10 per hour",
"20/minute;200/hour"; empty for none) and counts by client_address(). A request is
counted before the work it guards, so a burst of parallel requests gets no more than
the limit from one store: exactly the limit with Redis, the limit in each process with
memory://. A refused request gets a 429 with Retry-After and a sentence saying what
was limited and when to try again. Nothing here runs on a request that no limit
guards, except one lookup in a per-process table on event links (UnknownEvents).
"""

import functools
import ipaddress
import logging
import math
import threading
import time
from dataclasses import dataclass

from flask import Flask
from flask import current_app
from flask import request
from flask.wrappers import Response
from limits import RateLimitItem
from limits import parse_many
from limits.storage import Storage
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from .refusals import Refused
from .text import describe_wait
from .text import lazy_gettext as _l

log = logging.getLogger(__name__)
KEY = "skedjit.limits"
# A Redis that hangs must not hold every request: give up after half a second.
STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


def client_address() -> str:
    """The address limits count by: the client's IP, or an IPv6 client's whole /64.

    request.remote_addr is the peer, or what trusted proxies (TRUSTED_PROXIES) said.
    One IPv6 subscriber usually holds a whole /64, so its addresses count as one.
    """
    address = request.remote_addr or ""
    return address if ":" not in address else _ipv6_key(address)


@functools.lru_cache(maxsize=4096)
def _ipv6_key(address: str) -> str:
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped:  # an IPv4 client of a dual-stack socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


class LimitExceeded(Refused):
    """An address used up a limit; it may try again in `seconds`.

    `what` is the limit's sentence (lazy), with the wait as %(wait)s."""

    status = 429

    def __init__(self, what, seconds: int):
        sentence = str(what) % {"wait": describe_wait(seconds)}  # the request's language
        super().__init__(sentence, {"Retry-After": str(seconds)})
        self.seconds = seconds


@dataclass
class Counts:
    """One app's limits: where they count, and each setting's windows."""

    storage: Storage
    strategy: FixedWindowRateLimiter
    items: dict[str, list[RateLimitItem]]


class Limit:
    """One abuse limit: its setting, where it counts, and what a refusal says (a lazy
    sentence that says the wait as %(wait)s)."""

    def __init__(self, setting: str, scope: str, what: str):
        self.setting, self.scope, self.what = setting, scope, what

    def take(self, key: str | None = None, cost: int = 1) -> None:
        """Count one request (or `cost`) from this address, or for `key`; LimitExceeded past
        the limit.

        If the storage cannot be reached, the request is served and the error logged.
        """
        within, _spent_until = self.count(key, cost)
        if not within:
            raise LimitExceeded(self.what, self._seconds_until(_spent_until))

    def count(self, key: str | None = None, cost: int = 1) -> tuple[bool, float | None]:
        """Count one request: whether it was within the limit, and until when none is left."""
        counts = current_app.extensions.get(KEY)
        if counts is None:
            return True, None
        address = key or client_address()
        try:
            within = True
            spent_until = None
            for item in counts.items[self.setting]:
                within = counts.strategy.hit(item, address, self.scope, cost=cost) and within
                window = counts.strategy.get_window_stats(item, address, self.scope)
                if window.remaining == 0:
                    spent_until = max(spent_until or 0, window.reset_time)
        except Exception:  # noqa: BLE001 - an unreachable storage limits nothing
            log.exception("could not count the rate limit %s; not limiting", self.setting)
            return True, None
        return within, spent_until

    @staticmethod
    def _seconds_until(moment: float | None) -> int:
        return max(1, math.ceil((moment or now()) - now()))

    def give_back(self, cost: int = 1) -> None:
        """Uncount the request just taken (it turned out not to be what the limit counts)."""
        counts = current_app.extensions.get(KEY)
        if counts is None:
            return
        address = client_address()
        try:
            for item in counts.items[self.setting]:
                counts.storage.incr(item.key_for(address, self.scope), item.get_expiry(), -cost)
        except Exception:  # noqa: BLE001
            log.exception("could not give back the rate limit %s", self.setting)

    def __call__(self, view):
        """Decorate a view: each request to it is counted before it runs."""

        @functools.wraps(view)
        def limited(*args, **kwargs):
            self.take()
            return view(*args, **kwargs)

        return limited


#: Events created: counted once the form is valid, before the event is made.
creates = Limit(
    "RATELIMIT_CREATES",
    "creates",
    _l("Too many new events from your address. Try again in %(wait)s."),
)
#: Wrong event passwords on the edit, delete, answers and invite pages together:
#: counted before bcrypt runs, given back when the password was right.
wrong_passwords = Limit(
    "RATELIMIT_WRONG_PASSWORDS",
    "wrong-passwords",
    _l("Too many wrong event passwords from your address. Try again in %(wait)s."),
)
#: Friends' answers: every POST that answers, changes or withdraws one.
rsvps = Limit(
    "RATELIMIT_RSVPS", "rsvps", _l("Too many answers from your address. Try again in %(wait)s.")
)
#: Event links that answer 404 (see UnknownEvents).
unknown_events = Limit(
    "RATELIMIT_UNKNOWN_EVENTS",
    "unknown-events",
    _l("Too many links to events that do not exist from your address. Try again in %(wait)s."),
)
#: Owner recovery links asked for, per address and per event (the key is its slug).
recoveries = Limit(
    "RATELIMIT_RECOVERIES",
    "recoveries",
    _l("Too many recovery links asked for from your address. Try again in %(wait)s."),
)
recoveries_per_event = Limit(
    "RATELIMIT_RECOVERIES_PER_EVENT",
    "recoveries-per-event",
    _l("Too many recovery links were asked for this event. Try again in %(wait)s."),
)
#: Emails of every kind sent because of requests from the address (see mail_limits.py).
emails = Limit(
    "RATELIMIT_EMAILS",
    "emails",
    _l("Too many emails were sent from your address. Try again in %(wait)s."),
)
SETTINGS = tuple(
    limit.setting
    for limit in (
        emails,
        creates,
        wrong_passwords,
        rsvps,
        unknown_events,
        recoveries,
        recoveries_per_event,
    )
)


class UnknownEvents:
    """Once an address has used up its unknown event links, refuse it every event link.

    Known or not, so the answers tell nothing about which events exist. The check
    before each request sits on the event page's hot path, so it reads no storage:
    each process remembers the addresses it found blocked when it counted their last
    404. Counts shared through Redis thus stop an address in another process at its
    first unknown link there (one answer later), not before.
    """

    #: Blocked addresses remembered before those whose block has ended are forgotten.
    REMEMBERED = 10_000

    def __init__(self):
        self.blocked: dict[str, float] = {}  # address -> until when (a Unix time)
        self.lock = threading.Lock()

    def refuse_when_blocked(self) -> None:
        """Before an event-link request: 429 for an address this process knows is blocked."""
        if not self.blocked or "slug" not in (request.view_args or ()):
            return  # the usual case costs two lookups
        until = self.blocked.get(client_address())
        if until is not None and until > now():
            raise LimitExceeded(unknown_events.what, self._seconds_until(until))

    def count_not_found(self, response: Response) -> Response:
        """After an event-link request answered 404, count it; block the address if it is out."""
        if response.status_code == 404 and "slug" in (request.view_args or ()):
            _within, spent_until = unknown_events.count()
            if spent_until is not None:
                self.block(client_address(), spent_until)
        return response

    def block(self, address: str, until: float) -> None:
        with self.lock:
            self.blocked[address] = until
            if len(self.blocked) > self.REMEMBERED:
                moment = now()
                self.blocked = {a: end for a, end in self.blocked.items() if end > moment}

    @staticmethod
    def _seconds_until(moment: float) -> int:
        return max(1, math.ceil(moment - now()))


def now() -> float:
    """The clock limits and blocks expire by (tests move it)."""
    return time.time()


def init_app(app: Flask) -> None:
    """Check the limits' settings; with limits on, give the app its counts and the link check."""
    items = {}
    for name in SETTINGS:
        value = app.config[name]
        try:
            items[name] = parse_many(value) if value else []
        except ValueError:
            raise RuntimeError(f"{name}={value!r} is not a rate limit like '10 per hour'") from None
    if not app.config["RATELIMIT_ENABLED"]:
        return
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"], **STORAGE_OPTIONS)
    app.extensions[KEY] = Counts(storage, FixedWindowRateLimiter(storage), items)
    if items["RATELIMIT_UNKNOWN_EVENTS"]:
        links = app.extensions["skedjit.unknown_events"] = UnknownEvents()
        app.before_request(links.refuse_when_blocked)
        app.after_request(links.count_not_found)
