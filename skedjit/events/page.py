"""The event page, Skedjit's hot path.

One indexed lookup of exactly the columns the page shows, on an autocommit
connection; then a page rendered once per process and reused while nothing it
shows has changed. The same key makes a strong ETag, so a browser that already
has the page gets a 304 without any rendering.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from dataclasses import fields
from datetime import datetime

from flask import Response
from flask import current_app
from flask import render_template
from flask import request
from flask import session
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from ..assets import release_tag
from ..extensions import read_engine
from ..models import Event
from ..models import utcnow
from ..timezones import describe_distance
from ..timezones import format_end
from ..timezones import format_when
from .access import has_owner_access
from .access import may_have_owner_access
from .access import owner_access_hours_left
from .freshness import cached_rows

CACHE_CONTROL = "private, no-cache"
NOINDEX = "noindex"  # event pages are private by link


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
    version: int
    password_version: int

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


_LOOKUP = select(*(Event.__table__.c[field.name] for field in fields(EventPage))).where(
    Event.__table__.c.slug == bindparam("slug")
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
            return EventPage(*row) if row else None
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

    A browser that may own the event, or has a message waiting, reads the
    database directly: it must see its own changes at once.
    """
    private = may_have_owner_access(slug) or bool(session.get("_flashes"))
    event = find_event_page(slug, cached=not private)
    return None if event is None else respond(event)


def respond(event: EventPage) -> Response:
    """The event page for this viewer: from the cache, as a 304, or freshly rendered."""
    owner = has_owner_access(event)
    hours_left = owner_access_hours_left(event) if owner else None
    distance = event.distance()
    context = {
        "event": event,
        "distance": distance,
        "owner": owner,
        "owner_hours_left": hours_left,
    }
    if session.get("_flashes"):
        # A one-off message: neither cached nor revalidated later.
        response = Response(render_template("events/view.html", **context))
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = NOINDEX
        return response

    key = (event.slug, event.version, distance, hours_left, request.scheme, request.host)
    etag = hashlib.blake2b(repr((event.id, release_tag(), *key)).encode(), digest_size=12)
    etag = etag.hexdigest()
    headers = {"ETag": f'"{etag}"', "Cache-Control": CACHE_CONTROL, "X-Robots-Tag": NOINDEX}
    if request.if_none_match.contains(etag):
        return Response(status=304, headers=headers)

    pages = rendered_pages()
    page = pages.get(key)
    if page is None:
        page = render_template("events/view.html", **context).encode()
        pages.put(key, page)
    return Response(page, headers=headers, content_type="text/html; charset=utf-8")
