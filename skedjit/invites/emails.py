"""The emails Skedjit sends: each with a plain-text and an HTML part, one recipient each.

Invitations, change notices and reminders carry the event as an .ics file (the page's download)
and a link that stops further emails about the event; a cancellation carries the
cancelled event for calendars to remove.
"""

from dataclasses import dataclass

from flask import current_app
from flask import render_template
from flask import url_for
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from ..calendar import cancelled_calendar
from ..calendar import event_calendar
from ..calendar import ics_filename
from ..links import event_url
from ..mail import Message
from ..mail import header_text
from ..models import Event
from ..models import Invitee
from ..models import Tombstone
from ..timezones import format_day
from ..timezones import format_end
from ..timezones import format_span
from ..timezones import format_when
from ..timezones import to_local

UNSUBSCRIBE_SALT = "skedjit.unsubscribe"
CONFIRM_SALT = "skedjit.confirm"


@dataclass(frozen=True, slots=True)
class Facts:
    """What an email says about the event."""

    title: str
    day: str
    when: str
    until: str | None
    #: The start and the end together, as one line says them.
    span: str
    location: str
    description: str
    url: str | None


def facts_of(event: Event | Tombstone, url: str | None = None) -> Facts:
    """The event's facts as emails show them, times in its own zone with their offset."""
    until = format_end(event.starts_at, event.ends_at, event.timezone) if event.ends_at else None
    return Facts(
        title=event.title,
        day=format_day(to_local(event.starts_at, event.timezone)),
        when=format_when(event.starts_at, event.timezone),
        until=until,
        span=format_span(event.starts_at, event.ends_at, event.timezone),
        location=getattr(event, "location", ""),
        description=getattr(event, "description", ""),
        url=url,
    )


def invitee_token(invitee: Invitee, salt: str = UNSUBSCRIBE_SALT) -> str:
    """A signed token for one invitee of one event, for one use (`salt`); it holds no address."""
    return URLSafeSerializer(current_app.secret_key, salt=salt).dumps(invitee.id)


def read_invitee_token(token: str, salt: str = UNSUBSCRIBE_SALT) -> int | None:
    """The id of the invitee a token was made for, or None if it is not one of ours."""
    try:
        invitee_id = URLSafeSerializer(current_app.secret_key, salt=salt).loads(token)
    except BadSignature:
        return None
    return invitee_id if type(invitee_id) is int else None


def unsubscribe_url(event: Event, invitee: Invitee) -> str:
    token = invitee_token(invitee)
    return url_for("invites.unsubscribe_form", slug=event.slug, token=token, _external=True)


def confirmation(event: Event, invitee: Invitee) -> Message:
    """The one email a friend's own address gets before any other: a link to confirm."""
    facts = facts_of(event, event_url(event.slug))
    token = invitee_token(invitee, CONFIRM_SALT)
    link = url_for("invites.confirm_form", slug=event.slug, token=token, _external=True)
    subject = f"Confirm the reminder: {facts.title}"
    return compose(subject, invitee.address, "confirmation", facts=facts, link=link)


class Batch:
    """Emails about one event to many addresses, built from the same parts."""

    def __init__(self, event: Event):
        self.event = event
        self.url = event_url(event.slug)
        self.facts = facts_of(event, self.url)
        self.ics = event_calendar(event, self.url).to_ical()

    def invitations(self, invitees: list[Invitee], note: str) -> list[Message]:
        subject = f"Invitation: {self.facts.title}, {self.facts.day}"
        return [self._message(subject, i, "invitation", note=note) for i in invitees]

    def change_notices(self, invitees: list[Invitee], changes: list[tuple[str, str, str]]):
        subject = f"Changed: {self.facts.title}, {self.facts.day}"
        return [self._message(subject, i, "change", changes=changes) for i in invitees]

    def reminders(self, invitees: list[Invitee]) -> list[Message]:
        subject = f"Reminder: {self.facts.title}, {self.facts.when}"
        return [self._message(subject, i, "reminder") for i in invitees]

    def _message(self, subject: str, invitee: Invitee, template: str, **context) -> Message:
        unsubscribe = unsubscribe_url(self.event, invitee)
        message = compose(
            subject,
            invitee.address,
            template,
            facts=self.facts,
            unsubscribe=unsubscribe,
            invited=invitee.invited,
            **context,
        )
        message.extra_headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        message.attach(ics_filename(self.event.title), "text/calendar", self.ics)
        return message


def cancellations(tombstone: Tombstone, addresses: list[str]) -> list[Message]:
    """Tell invitees the event is cancelled, with a calendar cancellation (METHOD:CANCEL)."""
    facts = facts_of(tombstone)
    ics = cancelled_calendar(tombstone, method="CANCEL").to_ical()
    subject = f"Cancelled: {facts.title}, {facts.day}"
    messages = []
    for address in addresses:
        message = compose(subject, address, "cancellation", facts=facts)
        message.attach(ics_filename(tombstone.title), "text/calendar", ics)
        messages.append(message)
    return messages


def receipt(event: Event, address: str) -> Message:
    """The owner's receipt: the link, and how to change the event (never the password)."""
    facts = facts_of(event, event_url(event.slug))
    links = {
        "edit": url_for("events.edit_form", slug=event.slug, _external=True),
        "delete": url_for("events.delete_form", slug=event.slug, _external=True),
        "invite": url_for("invites.invite_form", slug=event.slug, _external=True),
    }
    return compose(f"Your event: {facts.title}", address, "receipt", facts=facts, links=links)


def compose(subject: str, address: str, template: str, **context) -> Message:
    """A message with the template's plain-text and HTML parts."""
    return Message(
        subject=header_text(subject),
        recipients=[address],
        body=render_template(f"email/{template}.txt", **context),
        html=render_template(f"email/{template}.html", **context),
    )
