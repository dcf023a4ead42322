"""The event in calendars: its UID, its .ics file, the file's name and add-to-calendar links."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

from flask import current_app
from flask import request
from icalendar import Calendar
from icalendar import Event as VEvent
from icalendar import vText
from werkzeug.http import dump_options_header

from .models import LONGEST_EVENT
from .models import Event
from .models import Tombstone
from .models import utcnow
from .timezones import event_end
from .timezones import to_local

PRODID = "-//Skedjit//Skedjit//EN"
GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"
OUTLOOK_CALENDAR = "https://outlook.live.com/calendar/0/deeplink/compose"
FILENAME_LENGTH = 60
_APOSTROPHES = re.compile(r"['’]")
_NOT_WORD = re.compile(r"[\W_]+")


def calendar_domain() -> str:
    """The domain in calendar UIDs: CALENDAR_DOMAIN, else the host the request came to."""
    return current_app.config.get("CALENDAR_DOMAIN") or request.host.split(":")[0]


def event_uid(slug: str, event_id: int, domain: str) -> str:
    """A UID that stays the same across edits, and differs if a slug is ever reused."""
    return f"{slug}-{event_id}@{domain}"


class _Text(vText):
    """TEXT escaped exactly as RFC 5545 says.

    icalendar's own escaping reads a backslash followed by N in the value as a
    line break, so a title such as 'C:\\New' would not come back as written.
    """

    __slots__ = ()

    def to_ical(self) -> bytes:
        text = self.replace("\r\n", "\n").replace("\r", "\n").replace("\\", "\\\\")
        text = text.replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
        return text.encode(self.encoding)


def event_calendar(event: Event, page_url: str, method: str = "PUBLISH") -> Calendar:
    """A calendar holding the event, for calendars that import or subscribe to it; marked
    cancelled once it is called off (quorum/), and emailed then as a cancellation (CANCEL)."""
    uid = event_uid(event.slug, event.id, calendar_domain())
    vevent = _vevent(uid, event.title, event.starts_at, event.ends_at, event.timezone)
    vevent.add("sequence", event.version - 1)  # version starts at 1, SEQUENCE at 0
    vevent.add("status", "CANCELLED" if event.decision == "off" else "CONFIRMED")
    vevent.add("url", page_url)
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    if event.description:
        vevent.add("description", _Text(event.description))
    if event.location:
        vevent.add("location", _Text(event.location))
    return _published_calendar(vevent, event.starts_at, event.ends_at, event.timezone, method)


def cancelled_calendar(tombstone: Tombstone, method: str = "PUBLISH") -> Calendar:
    """A calendar that tells subscribers the deleted event is cancelled.

    Emailed to invitees, it is a cancellation (method CANCEL) that calendar apps act on.
    """
    vevent = _vevent(
        tombstone.uid, tombstone.title, tombstone.starts_at, tombstone.ends_at, tombstone.timezone
    )
    vevent.add("sequence", tombstone.sequence)
    vevent.add("status", "CANCELLED")
    vevent.add("last-modified", tombstone.deleted_at)
    return _published_calendar(
        vevent, tombstone.starts_at, tombstone.ends_at, tombstone.timezone, method
    )


def _vevent(
    uid: str, title: str, starts_at: datetime, ends_at: datetime | None, zone: str
) -> VEvent:
    """A VEVENT with what live and cancelled events share; times in the event's zone."""
    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", utcnow())
    vevent.add("dtstart", to_local(starts_at, zone))
    vevent.add("dtend", to_local(event_end(starts_at, ends_at), zone))
    vevent.add("summary", _Text(title))
    return vevent


def _published_calendar(
    vevent: VEvent, starts_at: datetime, ends_at: datetime | None, zone: str, method="PUBLISH"
) -> Calendar:
    """A published calendar with the VEVENT and the VTIMEZONE of just the event's years."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(vevent)
    first_year = to_local(starts_at, zone).year
    # The zone's rules for the event's years, and no more than an event may span
    # (an event stored before that limit could span centuries).
    last_year = min(
        to_local(event_end(starts_at, ends_at), zone).year,
        to_local(starts_at + LONGEST_EVENT, zone).year,
    )
    calendar.add_missing_timezones(
        first_date=date(first_year, 1, 1), last_date=date(last_year + 1, 1, 1)
    )
    return calendar


def attachment_disposition(title: str, extension: str) -> str:
    """An attachment header naming the file after the title (board-games-at-anas.ics),
    with an ASCII fallback."""
    name = _filename_stem(unicodedata.normalize("NFC", title))
    ascii_name = _filename_stem(
        unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    )
    options = {"filename": f"{ascii_name or 'event'}{extension}"}
    if name != ascii_name:
        options["filename*"] = "UTF-8''" + quote(f"{name}{extension}", safe="")
    return dump_options_header("attachment", options)


def ics_filename(title: str) -> str:
    """The name of the event's .ics file: board-games-at-anas.ics."""
    return f"{_filename_stem(unicodedata.normalize('NFC', title)) or 'event'}.ics"


def _filename_stem(text: str) -> str:
    """Lowercase words joined by hyphens: "Board games at Ana's" gives board-games-at-anas."""
    words = _NOT_WORD.sub("-", _APOSTROPHES.sub("", text.lower()))
    return words.strip("-")[:FILENAME_LENGTH].rstrip("-")


@dataclass(frozen=True, slots=True)
class CalendarLinks:
    """The event page's ways to add the event to a calendar."""

    ics: str
    webcal: str
    google: str
    outlook: str


def calendar_links_for(event, page_url: str, ics_url: str) -> CalendarLinks:
    """The add-to-calendar links of an event (or its page data)."""
    return CalendarLinks(
        ics=ics_url,
        webcal=webcal_url(ics_url),
        google=google_calendar_url(event, page_url),
        outlook=outlook_calendar_url(event, page_url),
    )


def webcal_url(ics_url: str) -> str:
    """The .ics address with the webcal scheme, which calendar apps subscribe to."""
    return urlsplit(ics_url)._replace(scheme="webcal").geturl()


def google_calendar_url(event, page_url: str) -> str:
    """A Google Calendar link that opens the event, filled in, to save a copy."""
    start, end = _utc_span(event)
    params = {
        "action": "TEMPLATE",
        "text": event.title,
        "dates": f"{start:%Y%m%dT%H%M%SZ}/{end:%Y%m%dT%H%M%SZ}",
        "details": _details(event.description, page_url),
        "location": event.location,
        "ctz": event.timezone,
    }
    return f"{GOOGLE_CALENDAR}?{_query(params)}"


def outlook_calendar_url(event, page_url: str) -> str:
    """An Outlook.com link that opens the event, filled in, to save a copy."""
    start, end = _utc_span(event)
    params = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": event.title,
        "startdt": f"{start:%Y-%m-%dT%H:%M:%SZ}",
        "enddt": f"{end:%Y-%m-%dT%H:%M:%SZ}",
        "body": _details(event.description, page_url),
        "location": event.location,
    }
    return f"{OUTLOOK_CALENDAR}?{_query(params)}"


def _utc_span(event) -> tuple[datetime, datetime]:
    """The event's start and end as UTC instants."""
    end = event_end(event.starts_at, event.ends_at)
    return event.starts_at.astimezone(UTC), end.astimezone(UTC)


def _details(description: str, page_url: str) -> str:
    """The description followed by the event page's link, which has the latest details."""
    return f"{description}\n\n{page_url}" if description else page_url


def _query(params: dict[str, str]) -> str:
    """A query string of the non-empty parameters, with spaces as %20 rather than '+'."""
    return urlencode({name: value for name, value in params.items() if value}, quote_via=quote)
