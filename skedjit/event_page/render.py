"""The event page, Skedjit's hot path.

One indexed lookup of exactly the columns the page shows, on an autocommit
connection; then a page rendered once per process and reused while nothing it
shows has changed. The same key makes a strong ETag, so a browser that already
has the page gets a 304 without any rendering.
"""

import hashlib
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime

from flask import Response
from flask import abort
from flask import current_app
from flask import render_template
from flask import request
from flask import session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..assets import release_tag
from ..extensions import read_engine
from ..models import Event
from ..models import Rsvp
from ..models import utcnow
from ..rsvps.cookies import answer_token
from ..rsvps.forms import RsvpForm
from ..rsvps.service import hash_token
from ..timezones import describe_distance
from ..timezones import format_day
from ..timezones import format_end
from ..timezones import format_when
from ..timezones import to_local
from .access import has_owner_access
from .access import may_have_owner_access
from .access import owner_access_hours_left
from .freshness import cached_rows

CACHE_CONTROL = "private, no-cache"
# Stands in a cached page for the viewer's own CSRF token; random, so no content can forge it.
CSRF_PLACEHOLDER = f"csrf-{secrets.token_hex(16)}"
CSRF_SESSION_KEY = "csrf_token"  # where Flask-WTF keeps the session's raw token
NOINDEX = "noindex"  # event pages are private by link


@dataclass(frozen=True, slots=True)
class Answer:
    """One friend's answer as the page lists it."""

    id: int
    name: str
    response: str
    guests: int
    note: str
    token_hash: str  # never shown; recognises the viewer's own answer

    @property
    def headcount(self) -> int:
        return 1 + self.guests if self.response == "yes" else 0


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
    answers: tuple[Answer, ...] = ()

    def answers_open(self, now: datetime | None = None) -> bool:
        """Tell whether friends may still answer."""
        deadline_passed = self.rsvp_deadline is not None and (now or utcnow()) >= self.rsvp_deadline
        return not (self.rsvps_closed or deadline_passed)

    def answers_by_response(self, response: str) -> list[Answer]:
        return [answer for answer in self.answers if answer.response == response]

    @property
    def going_headcount(self) -> int:
        """People going, extra guests included."""
        return sum(answer.headcount for answer in self.answers)

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_headcount, 0)

    @property
    def deadline(self) -> str | None:
        """When answers close, in the event's zone: 'Friday 10 July 2026, 18:00'."""
        if self.rsvp_deadline is None:
            return None
        local = to_local(self.rsvp_deadline, self.timezone)
        return f"{format_day(local)}, {local:%H:%M}"

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

    def distance(self, now: datetime | None = None) -> str:
        """How far away it is: 'in 3 days', 'today, in 2 hours', 'has passed'."""
        return describe_distance(self.starts_at, self.ends_at, self.timezone, now or utcnow())


_EVENT_COLUMNS = [field.name for field in fields(EventPage) if field.name != "answers"]
_LOOKUP = select(*(Event.__table__.c[name] for name in _EVENT_COLUMNS)).where(
    Event.__table__.c.slug == bindparam("slug")
)
_ANSWERS = (
    select(*(Rsvp.__table__.c[field.name] for field in fields(Answer)))
    .where(Rsvp.__table__.c.event_id == bindparam("event_id"))
    .order_by(Rsvp.__table__.c.created_at, Rsvp.__table__.c.id)
)


def find_event_page(slug: str, cached: bool = True) -> EventPage | None:
    """The event's page data, from this process's fresh rows or one SELECT; None if unknown."""
    rows = cached_rows() if cached else None
    if rows is None:
        return _read_event_page(slug)
    event = rows.get(slug)
    if event is None:
        generation = rows.generation  # taken before the read: a change during it wins
        event = _read_event_page(slug)
        if event is not None:
            rows.put(slug, event, generation)
    return event


def _read_event_page(slug: str) -> EventPage | None:
    """Read the event's page data with one SELECT, or None; a dead pooled connection is retried."""
    for attempt in (1, 2):
        try:
            with read_engine.engine.connect() as connection:
                row = connection.execute(_LOOKUP, {"slug": slug}).first()
                if row is None:
                    return None
                rows = connection.execute(_ANSWERS, {"event_id": row.id})
                return EventPage(*row, answers=tuple(Answer(*answer) for answer in rows))
        except DBAPIError as error:
            if not error.connection_invalidated or attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


class RenderedPages:
    """A bounded, thread-safe map of page keys to rendered pages (least recently used goes)."""

    def __init__(self, size: int):
        self.size = size
        self._pages: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: bytes) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def rendered_pages() -> RenderedPages:
    """This process's cache of rendered event pages."""
    pages = current_app.extensions.get("skedjit.rendered_pages")
    if pages is None:
        size = current_app.config["EVENT_PAGE_CACHE_SIZE"]
        pages = current_app.extensions.setdefault("skedjit.rendered_pages", RenderedPages(size))
    return pages


def serve(slug: str) -> Response | None:
    """The event page for this browser, or None when there is no such event.

    A browser that may own the event, has answered, or has a message waiting
    reads the database directly: it must see its own changes at once.
    """
    private = (
        may_have_owner_access(slug)
        or answer_token(slug) is not None
        or bool(session.get("_flashes"))
    )
    event = find_event_page(slug, cached=not private)
    return None if event is None else respond(event)


def respond(
    event: EventPage, form: RsvpForm | None = None, status: int = 200, message: str | None = None
) -> Response:
    """The event page for this viewer: from the cache, as a 304, or freshly rendered.

    The answer form's CSRF token belongs to the viewer's session, so cached pages
    hold a placeholder that is replaced per request, and the ETag follows the session.
    """
    owner = has_owner_access(event)
    hours_left = owner_access_hours_left(event) if owner else None
    distance = event.distance()
    answers_open = event.answers_open()
    mine = event.answer_held_by(answer_token(event.slug))

    def render() -> bytes:
        return render_template(
            "events/view.html",
            event=event,
            distance=distance,
            owner=owner,
            owner_hours_left=hours_left,
            answers_open=answers_open,
            my_answer=mine,
            rsvp_form=form or blank_answer_form(mine),
            csrf_value=CSRF_PLACEHOLDER,
            message=message,
        ).encode()

    if form is not None or session.get("_flashes"):
        # A refused answer or a one-off message: neither cached nor revalidated later.
        headers = {"Cache-Control": "no-store", "X-Robots-Tag": NOINDEX}
        return _page_response(render(), answers_open, headers, status)

    if answers_open and CSRF_SESSION_KEY not in session:
        generate_csrf()  # gives this browser its session token before the ETag is made
    viewer = (hours_left, mine.id if mine else None)
    key = (event.slug, event.version, event.answers_version, answers_open, distance, *viewer)
    key += (request.scheme, request.host)
    session_token = session.get(CSRF_SESSION_KEY) if answers_open else None
    etag = hashlib.blake2b(
        repr((event.id, release_tag(), session_token, *key)).encode(), digest_size=12
    ).hexdigest()
    headers = {"ETag": f'"{etag}"', "Cache-Control": CACHE_CONTROL, "X-Robots-Tag": NOINDEX}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)

    pages = rendered_pages()
    page = pages.get(key)
    if page is None:
        page = render()
        pages.put(key, page)
    return _page_response(page, answers_open, headers, status)


def _page_response(page: bytes, has_form: bool, headers: dict, status: int) -> Response:
    if has_form:
        page = page.replace(CSRF_PLACEHOLDER.encode(), generate_csrf().encode())
    return Response(page, status, headers=headers, content_type="text/html; charset=utf-8")


def blank_answer_form(mine: Answer | None) -> RsvpForm:
    """The answer form, empty or holding the viewer's own answer; its token is added later."""
    data = {"response": "yes", "guests": 0}
    if mine is not None:
        data = {"name": mine.name, "response": mine.response, "guests": mine.guests}
        data["note"] = mine.note
    return RsvpForm(data=data, meta={"csrf": False})


def render_answer_error(slug: str, form: RsvpForm, status: int, message: str | None = None):
    """The event page again with the refused answer, its input kept and its errors shown."""
    event = find_event_page(slug, cached=False)
    if event is None:
        abort(404)
    return respond(event, form, status, message)
