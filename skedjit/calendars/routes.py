"""Calendar views: the event as an .ics file."""

from flask import Blueprint
from flask import Response
from flask import abort
from icalendar import Calendar

from ..calendar import cancelled_calendar
from ..calendar import event_calendar
from ..calendar import ics_content_disposition
from ..events import service
from ..links import event_url

bp = Blueprint("calendars", __name__)

ICS_HEADERS = {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex"}


@bp.get("/events/<slug:slug>.ics")
def event_ics(slug: str):
    """The event as an .ics file; for a while after its deletion, as cancelled."""
    event = service.find_event(slug)
    if event is not None:
        return ics_response(event_calendar(event, event_url(slug)), event.title)
    tombstone = service.find_tombstone(slug)
    if tombstone is None:
        abort(404)
    return ics_response(cancelled_calendar(tombstone), tombstone.title)


def ics_response(calendar: Calendar, title: str) -> Response:
    """The calendar as a download named after the event."""
    response = Response(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response.headers.update(ICS_HEADERS)
    response.headers["Content-Disposition"] = ics_content_disposition(title)
    return response
