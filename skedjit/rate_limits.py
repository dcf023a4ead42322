"""Abuse limits per client address: what each one counts, and what a refused request gets.

Each limit is a setting in Flask-Limiter's notation ("10 per hour", "20/minute;200/hour";
empty for none) and counts by client_address(). A refused request gets a 429 with a
Retry-After header and a sentence saying what was limited and when to try again.
"""

import math
import threading
import time
from collections.abc import Callable

from flask import Flask
from flask import current_app
from flask import make_response
from flask import request
from flask.typing import ResponseReturnValue
from flask.wrappers import Response
from flask_limiter import RateLimitExceeded
from limits import RateLimitItem
from limits import parse_many
from limits.strategies import RateLimiter
from werkzeug.exceptions import TooManyRequests

from .errors import render_error
from .extensions import client_address
from .extensions import limiter

SETTINGS = (
    "RATELIMIT_CREATES",
    "RATELIMIT_WRONG_PASSWORDS",
    "RATELIMIT_RSVPS",
    "RATELIMIT_UNKNOWN_EVENTS",
)
UNKNOWN_EVENTS_SCOPE = "unknown-events"


def _setting(name: str) -> Callable[[], str]:
    return lambda: current_app.config[name]


def _answered(status: int) -> Callable[[Response], bool]:
    return lambda response: response.status_code == status


def _no_password_typed() -> bool:
    return not request.form.get("password")


#: Events created (the 303 after POST /create); forms refused for their content do not count.
creates = limiter.limit(
    _setting("RATELIMIT_CREATES"),
    deduct_when=_answered(303),
    error_message="Too many new events from your address.",
)

#: Wrong event passwords (a 403) on the edit, delete and answers pages together. A POST
#: with no password typed (owner access) is neither counted nor refused.
wrong_passwords = limiter.shared_limit(
    _setting("RATELIMIT_WRONG_PASSWORDS"),
    scope="wrong-passwords",
    exempt_when=_no_password_typed,
    deduct_when=_answered(403),
    error_message="Too many wrong event passwords from your address.",
)

#: Friends' answers: every POST that answers, changes or withdraws one.
rsvps = limiter.shared_limit(
    _setting("RATELIMIT_RSVPS"),
    scope="rsvps",
    error_message="Too many answers from your address.",
)

UNKNOWN_EVENTS_MESSAGE = "Too many links to events that do not exist from your address."

# How a refused POST shows its form again with the person's input: endpoint -> render.
_form_pages: dict[str, Callable[[str], ResponseReturnValue]] = {}


def form_page(endpoint: str):
    """Register how a refused POST to this endpoint shows its form again, input kept.

    Only for pages that are not behind an event link: there the refusal must look
    the same whether or not the event exists.
    """

    def register(render: Callable[[str], ResponseReturnValue]):
        _form_pages[endpoint] = render
        return render

    return register


class UnknownEventsRefused(TooManyRequests):
    """An address over its limit of unknown event links asked for an event link."""

    def __init__(self, reset_at: float):
        super().__init__(UNKNOWN_EVENTS_MESSAGE)
        self.reset_at = reset_at


class UnknownEvents:
    """One app's limit on event links that answer 404, counted per address.

    Once an address has none left, every event link it asks for is refused, known or
    not, so the answers tell nothing about which events exist. The check before each
    request sits on the event page's hot path, so it reads no storage: each process
    remembers the addresses it found blocked when it counted their last 404. Counts
    shared through Redis thus stop an address in another process at its first unknown
    link there (one answer later), not before.
    """

    #: Blocked addresses remembered before expired ones are forgotten.
    REMEMBERED = 10_000

    def __init__(self, items: list[RateLimitItem], strategy: RateLimiter):
        self.items = items
        self.strategy = strategy
        self.blocked: dict[str, float] = {}  # address -> until when (a Unix time)
        self.lock = threading.Lock()

    def refuse_when_over(self) -> None:
        """Before an event-link request: 429 for an address this process knows is blocked."""
        if "slug" not in (request.view_args or ()):
            return
        until = self.blocked.get(client_address())
        if until is not None and until > time.time():
            raise UnknownEventsRefused(until)

    def count_not_found(self, response: Response) -> Response:
        """After an event-link request answered 404, count it; block the address if it is out."""
        if response.status_code == 404 and "slug" in (request.view_args or ()):
            address = client_address()
            try:
                until = self.count(address)
            except Exception:  # the storage is unreachable: serve rather than fail
                limiter.logger.exception("Could not count an unknown event link; not limiting")
                return response
            if until is not None:
                self.block(address, until)
        return response

    def count(self, address: str) -> float | None:
        """Count one unknown link; when the address has none left, until when."""
        ends = []
        for item in self.items:
            self.strategy.hit(item, address, UNKNOWN_EVENTS_SCOPE)
            window = self.strategy.get_window_stats(item, address, UNKNOWN_EVENTS_SCOPE)
            if window.remaining == 0:
                ends.append(window.reset_time)
        return max(ends, default=None)

    def block(self, address: str, until: float) -> None:
        with self.lock:
            self.blocked[address] = until
            if len(self.blocked) > self.REMEMBERED:
                now = time.time()
                self.blocked = {a: end for a, end in self.blocked.items() if end > now}


def describe_wait(seconds: int) -> str:
    """'45 seconds', '12 minutes', '3 hours': how long until a limit lets go, rounded up."""
    if seconds < 60:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    if minutes <= 90:
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hours"


def _refused(error: TooManyRequests):
    """The 429: the form again where that is simple, else the error page; with Retry-After."""
    if isinstance(error, RateLimitExceeded):
        reset_at = limiter.current_limit.window.reset_time
    else:
        reset_at = error.reset_at
    seconds = max(1, math.ceil(reset_at - time.time()))
    sentence = f"{error.description} Try again in {describe_wait(seconds)}."
    render = _form_pages.get(request.endpoint) if isinstance(error, RateLimitExceeded) else None
    response = make_response(render(sentence) if render else render_error(429, message=sentence))
    response.headers["Retry-After"] = str(seconds)
    return response


def check_settings(app: Flask) -> None:
    """Refuse to start with a limit Flask-Limiter would silently skip."""
    for name in SETTINGS:
        value = app.config[name]
        try:
            parse_many(value or "1 per hour")  # empty: no limit
        except ValueError:
            raise RuntimeError(f"{name}={value!r} is not a rate limit like '10 per hour'") from None


def init_app(app: Flask) -> None:
    """Check the limits, count unknown event links, and render refusals (after the limiter)."""
    check_settings(app)
    app.register_error_handler(RateLimitExceeded, _refused)
    app.register_error_handler(UnknownEventsRefused, _refused)
    unknown_events = app.config["RATELIMIT_UNKNOWN_EVENTS"]
    if app.config["RATELIMIT_ENABLED"] and unknown_events:
        with app.app_context():
            limit = UnknownEvents(parse_many(unknown_events), limiter.limiter)
        app.before_request(limit.refuse_when_over)
        app.after_request(limit.count_not_found)
