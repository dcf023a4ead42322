"""What sharing an event says: preview texts, a mailto: link, a QR code and calendar links."""

import io
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import segno
from flask_babel import gettext

from ..calendar import CalendarLinks
from ..calendar import calendar_links_for
from ..links import event_url
from ..links import ics_url
from ..timezones import format_span
from .data import EventPage

QR_SCALE = 5  # whole pixels per module at the image's natural size: crisp edges
QR_BORDER = 4  # the quiet zone the QR standard asks for, in modules
EMAIL_LINE_BREAK = "\r\n"  # RFC 6068 wants CRLF in a mailto: body


@dataclass(frozen=True, slots=True)
class Invitation:
    """What previews, the share sheet and an email say about an event."""

    url: str
    title: str
    text: str
    email_body: str

    @property
    def mailto(self) -> str:
        """A mailto: link with the title as subject and the email body, percent-encoded."""
        return (
            f"mailto:?subject={quote(self.title, safe='')}&body={quote(self.email_body, safe='')}"
        )


def invitation(event: EventPage) -> Invitation:
    """The invitation to an event; with hidden previews it names no title, time or place."""
    url = event_url(event.slug)
    if event.hide_preview:
        invited = gettext("You're invited! Open the link to see the details.")
        body = EMAIL_LINE_BREAK.join([invited, "", url])
        hidden = gettext("Open the link to see the details.")
        return Invitation(url, gettext("You're invited"), hidden, body)
    time = (
        gettext("Date not decided yet")
        if event.date_undecided
        else format_span(event.starts_at, event.ends_at, event.timezone)
    )
    if event.location:
        # Translators: a link preview's text: the event's time, then its place.
        text = gettext("%(when)s · %(place)s", when=time, place=event.location)
    else:
        text = time
    lines = [gettext("When: %(when)s", when=time)]
    if event.location:
        lines.append(gettext("Where: %(place)s", place=event.location))
    body = EMAIL_LINE_BREAK.join([*lines, "", url])
    return Invitation(url, event.title, text, body)


@lru_cache(maxsize=256)  # the page asks for its size, then the browser for the image
def qr_code(url: str) -> segno.QRCode:
    """A QR code of the URL with error correction level M."""
    # segno would raise the level when it fits in the same size; M is what we promise.
    return segno.make(url, error="m", boost_error=False, micro=False)


def qr_svg(url: str) -> bytes:
    """The QR code of the URL as an SVG image: dark modules on white, with a quiet zone."""
    buffer = io.BytesIO()
    qr_code(url).save(
        buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER, dark="#000", light="#fff"
    )
    return buffer.getvalue()


def qr_pixels(url: str) -> int:
    """The width (and height) of the URL's QR code image, in CSS pixels."""
    width, _ = qr_code(url).symbol_size(scale=QR_SCALE, border=QR_BORDER)
    return width


def calendar_links(event: EventPage) -> CalendarLinks:
    """The event page's add-to-calendar links; the same for every viewer on this host."""
    return calendar_links_for(event, event_url(event.slug), ics_url(event.slug))
