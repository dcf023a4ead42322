"""Calendar views: the event as an .ics file, and the event page's add-to-calendar links."""

from flask import Blueprint
from flask import Response
from flask import abort
from flask import url_for
from icalendar import Calendar

from ..calendar import CalendarLinks
from ..calendar import calendar_links_for
from ..calendar import cancelled_calendar
from ..calendar import event_calendar
from ..calendar import ics_content_disposition
from ..events import service

bp = Blueprint("calendars", __name__)

ICS_HEADERS = {"Cache-Control": "private, no-cache", "X-Robots-Tag": "noindex"}


@bp.get("/events/<slug:slug>.ics")
def event_ics(slug: str):
    """The event as an .ics file; for a while after its deletion, as cancelled."""
    event = service.find_event(slug)
    if event is not None:
        page_url = url_for("events.view", slug=slug, _external=True)
        return ics_response(event_calendar(event, page_url), event.title)
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


@bp.app_template_global()
def calendar_links(event) -> CalendarLinks:
    """The event page's add-to-calendar links; the same for every viewer on this host."""
    page_url = url_for("events.view", slug=event.slug, _external=True)
    ics_url = url_for("calendars.event_ics", slug=event.slug, _external=True)
    return calendar_links_for(event, page_url, ics_url)
