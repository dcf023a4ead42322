"""Calendar views: the event as an .ics file."""

import threading

from cachetools import LRUCache
from flask import Blueprint
from flask import Response
from flask import abort
from flask import current_app
from flask_babel import gettext

from ..calendar import attachment_disposition
from ..calendar import calendar_domain
from ..calendar import cancelled_calendar
from ..calendar import event_calendar
from ..events import service
from ..links import event_url
from ..models import Event
from ..refusals import Refused

bp = Blueprint("calendars", __name__)

ICS_HEADERS = {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex"}
KEY = "skedjit.calendars"
#: Calendar files kept per process (one is a few KB).
KEPT = 256


class DateUndecidedError(Refused):
    """A poll's date is not picked: there is no time to put in a calendar yet."""

    status = 404

    def __init__(self):
        super().__init__(
            gettext("The date is not decided yet: its calendar file comes once it is picked.")
        )


@bp.record_once
def _keep_calendars(state) -> None:
    state.app.extensions[KEY] = (LRUCache(KEPT), threading.Lock())


@bp.get("/events/<slug:slug>.ics")
def event_ics(slug: str):
    """The event as an .ics file; for a while after its deletion, as cancelled."""
    event = service.find_event(slug)
    if event is not None and event.date_undecided:
        raise DateUndecidedError
    if event is not None:
        return ics_response(built_calendar(event), event.title)
    tombstone = service.find_tombstone(slug)
    if tombstone is None:
        abort(404)
    return ics_response(cancelled_calendar(tombstone).to_ical(), tombstone.title)


def built_calendar(event: Event) -> bytes:
    """The event's .ics, built once per version, link and calendar domain in each process.

    Building one costs milliseconds (its time zone's rules), and many friends'
    calendars fetch the same file.
    """
    url = event_url(event.slug)
    key = (event.id, event.version, url, calendar_domain())
    kept, lock = current_app.extensions[KEY]
    with lock:
        built = kept.get(key)
    if built is None:
        built = event_calendar(event, url).to_ical()
        with lock:
            kept[key] = built
    return built


def ics_response(calendar: bytes, title: str) -> Response:
    """The calendar as a download named after the event."""
    response = Response(calendar, content_type="text/calendar; charset=utf-8")
    response.headers.update(ICS_HEADERS)
    response.headers["Content-Disposition"] = attachment_disposition(title, ".ics")
    return response
