"""The emails Skedjit sends: each with a plain-text and an HTML part, one recipient each.

Invitations, change notices and reminders carry the event as an .ics file (the page's download)
and a link that stops further emails about the event; a cancellation carries the
cancelled event for calendars to remove. While friends vote on the date (a date poll),
no email says a date or carries a calendar file: the event's times are a placeholder.

Every word of an email (its subject, its parts, the labels of a change) is written by
gettext as the email is composed, in the language being written in then: compose
inside `i18n.writing_in(language)` to write it in another.
"""

import functools
from dataclasses import dataclass

from flask import current_app
from flask import render_template
from flask import url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

from ..calendar import cancelled_calendar
from ..calendar import event_calendar
from ..calendar import ics_filename
from ..changes import choices
from ..i18n import writing_in
from ..links import event_url
from ..mail import Message
from ..mail import header_text
from ..models import RESPONSES
from ..models import Event
from ..models import Invitee
from ..models import Rsvp
from ..models import Tombstone
from ..timezones import format_day
from ..timezones import format_end
from ..timezones import format_span
from ..timezones import format_when
from ..timezones import to_local

UNSUBSCRIBE_SALT = "skedjit.unsubscribe"
CONFIRM_SALT = "skedjit.confirm"
STILL_COMING_SALT = "skedjit.still-coming"


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


def facts_of(
    event: Event | Tombstone, url: str | None = None, undecided: bool | None = None
) -> Facts:
    """The event's facts as emails show them, times in its own zone with their offset;
    while its date is polled (`undecided`, or as the event says), no day and no time
    (its times are a placeholder)."""
    if getattr(event, "date_undecided", False) if undecided is None else undecided:
        day, until = "", None
        when = span = _("Date not decided yet")
    else:
        day = format_day(to_local(event.starts_at, event.timezone))
        when = format_when(event.starts_at, event.timezone)
        until = (
            format_end(event.starts_at, event.ends_at, event.timezone) if event.ends_at else None
        )
        span = format_span(event.starts_at, event.ends_at, event.timezone)
    return Facts(
        title=event.title,
        day=day,
        when=when,
        until=until,
        span=span,
        location=getattr(event, "location", ""),
        description=getattr(event, "description", ""),
        url=url,
    )


def in_its_language(build):
    """Compose in the event's language (i18n.writing_in): the first argument's, or the
    batch's event's."""

    @functools.wraps(build)
    def composed(first, *args, **kwargs):
        event = first.event if isinstance(first, Batch) else first
        with writing_in(event.language):
            return build(first, *args, **kwargs)

    return composed


def _signer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def _ids_in(token: str, salt: str, count: int) -> list[int] | None:
    """The `count` ids a token of this kind (`salt`) holds, or None if it is not one."""
    try:
        ids = _signer(salt).loads(token)
    except BadSignature:
        return None
    ids = ids if type(ids) is list else [ids]
    valid = len(ids) == count and all(type(i) is int for i in ids)
    return ids if valid else None


def read_unsubscribe_token(token: str) -> int | None:
    """The id of the invitee an unsubscribe token was made for (it holds no address)."""
    ids = _ids_in(token, UNSUBSCRIBE_SALT, 1)
    return ids[0] if ids else None


def read_confirmation_token(token: str) -> tuple[int, int] | None:
    """The invitee and the answer a confirmation token was made for."""
    ids = _ids_in(token, CONFIRM_SALT, 2)
    return (ids[0], ids[1]) if ids else None


def _made(rsvp: Rsvp) -> int:
    """48 bits of the hash of the answer's own secret: with its id, they name that answer
    alone, even where a database gives a deleted answer's id to a new one."""
    return int(rsvp.token_hash[:12], 16)


def read_still_coming_token(token: str) -> tuple[int, str, int] | None:
    """The answer a "Still coming?" link was made for (its id and _made()), and the
    response it gives."""
    ids = _ids_in(token, STILL_COMING_SALT, 3)
    if ids is None or not 0 <= ids[1] < len(RESPONSES):
        return None
    return ids[0], RESPONSES[ids[1]], ids[2]


def still_coming_token_fits(rsvp: Rsvp, made: int) -> bool:
    return _made(rsvp) == made


def still_coming_links(event: Event, rsvp: Rsvp) -> list[tuple[str, str]]:
    """The one-tap "Still coming?" answers for an answer going or maybe: (label, link).
    Each link holds only the answer and the response it gives; its page asks first."""
    signer = _signer(STILL_COMING_SALT)
    return [
        (
            label,
            url_for(
                "rsvps.still_coming_form",
                slug=event.slug,
                token=signer.dumps([rsvp.id, RESPONSES.index(given), _made(rsvp)]),
                _external=True,
            ),
        )
        for given, label in choices(rsvp.response)
    ]


def unsubscribe_url(event: Event, invitee: Invitee) -> str:
    token = _signer(UNSUBSCRIBE_SALT).dumps(invitee.id)
    return url_for("invites.unsubscribe_form", slug=event.slug, token=token, _external=True)


@in_its_language
def confirmation(event: Event, invitee: Invitee) -> Message:
    """The one email a friend's own address gets before any other: a link that confirms
    it for the answer it was given with. It holds the title, but no other text of the
    owner's: anyone may have typed the address."""
    token = _signer(CONFIRM_SALT).dumps([invitee.id, invitee.rsvp_id])
    link = url_for("invites.confirm_form", slug=event.slug, token=token, _external=True)
    subject = _("Confirm the reminder: %(title)s", title=event.title)
    return compose(subject, invitee.address, "confirmation", title=event.title, link=link)


class Batch:
    """Emails about one event to many addresses, built from the same parts, in the
    event's language. While the event's date is polled they carry no calendar file."""

    def __init__(self, event: Event):
        self.event = event
        self.url = event_url(event.slug)
        with writing_in(event.language):
            self.facts = facts_of(event, self.url)
        self.ics = None if event.date_undecided else event_calendar(event, self.url).to_ical()

    @in_its_language
    def invitations(self, invitees: list[Invitee], note: str) -> list[Message]:
        """The owner's invitation; while the date is polled, to vote on it."""
        if self.event.date_undecided:
            subject = _("Help choose a date: %(title)s", title=self.facts.title)
            return [self._message(subject, i, "poll_invitation", note=note) for i in invitees]
        subject = _("Invitation: %(title)s, %(day)s", title=self.facts.title, day=self.facts.day)
        return [self._message(subject, i, "invitation", note=note) for i in invitees]

    @in_its_language
    def change_notices(
        self,
        invitees: list[Invitee],
        changes: list[tuple[str, str, str]],
        asked: dict[int, Rsvp],
    ):
        """`changes`: what changed ("title", "when" or "where"), as it was, as it is now;
        `asked`: the answer of each invitee asked "Still coming?", by invitee id."""
        subject = (
            _("Changed: %(title)s, %(day)s", title=self.facts.title, day=self.facts.day)
            if self.facts.day
            else _("Changed: %(title)s", title=self.facts.title)  # its date is not decided
        )
        labels = {"title": _("Title"), "when": _("When"), "where": _("Where")}
        nowhere = _("(no place given)")  # only the place may be empty
        shown = [(labels[what], old or nowhere, new or nowhere) for what, old, new in changes]
        return [
            self._message(
                subject,
                invitee,
                "change",
                changes=shown,
                still_coming=still_coming_links(self.event, asked[invitee.id])
                if invitee.id in asked
                else [],
            )
            for invitee in invitees
        ]

    @in_its_language
    def reminders(self, invitees: list[Invitee]) -> list[Message]:
        subject = _("Reminder: %(title)s, %(when)s", title=self.facts.title, when=self.facts.when)
        return [self._message(subject, i, "reminder") for i in invitees]

    @in_its_language
    def places(self, invitees: list[Invitee]) -> list[Message]:
        """To friends moved from the waitlist to going."""
        subject = _("You're going: %(title)s, %(day)s", title=self.facts.title, day=self.facts.day)
        return [self._message(subject, i, "place") for i in invitees]

    @in_its_language
    def picked(self, invitees: list[Invitee]) -> list[Message]:
        """The date a poll picked (compose once the event has it), with its calendar file."""
        subject = _("Date picked: %(title)s, %(day)s", title=self.facts.title, day=self.facts.day)
        return [self._message(subject, i, "picked") for i in invitees]

    @in_its_language
    def vote_reminders(self, invitees: list[Invitee]) -> list[Message]:
        """Before voting on the date ends (the poll has its closing time)."""
        subject = _("Vote on the date: %(title)s", title=self.facts.title)
        event = self.event
        deadline = format_when(event.poll_closes_at, event.timezone)
        return [self._message(subject, i, "vote_reminder", deadline=deadline) for i in invitees]

    def _message(self, subject: str, invitee: Invitee, template: str, **context) -> Message:
        unsubscribe = unsubscribe_url(self.event, invitee)
        message = compose(
            subject,
            invitee.address,
            template,
            facts=self.facts,
            unsubscribe=unsubscribe,
            invited=invitee.invited,
            attached=self.ics is not None,
            **context,
        )
        message.extra_headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if self.ics is not None:
            message.attach(ics_filename(self.event.title), "text/calendar", self.ics)
        return message


def cancellations(
    tombstone: Tombstone, addresses: list[str], language: str, undecided: bool = False
) -> list[Message]:
    """Tell invitees the event is cancelled, with a calendar cancellation (METHOD:CANCEL),
    in the language the event had; a poll deleted before its date was picked (`undecided`)
    was in no calendar, and its email names no date."""
    with writing_in(language):
        return _cancellations(tombstone, addresses, undecided)


def _cancellations(tombstone: Tombstone, addresses: list[str], undecided: bool) -> list[Message]:
    facts = facts_of(tombstone, undecided=undecided)
    ics = None if undecided else cancelled_calendar(tombstone, method="CANCEL").to_ical()
    subject = (
        _("Cancelled: %(title)s", title=facts.title)
        if undecided
        else _("Cancelled: %(title)s, %(day)s", title=facts.title, day=facts.day)
    )
    messages = []
    for address in addresses:
        message = compose(subject, address, "cancellation", facts=facts, undecided=undecided)
        if ics is not None:
            message.attach(ics_filename(tombstone.title), "text/calendar", ics)
        messages.append(message)
    return messages


@in_its_language
def receipt(event: Event, address: str) -> Message:
    """The owner's receipt: the link, and how to change the event (never the password)."""
    facts = facts_of(event, event_url(event.slug))
    links = {
        "edit": url_for("events.edit_form", slug=event.slug, _external=True),
        "delete": url_for("events.delete_form", slug=event.slug, _external=True),
        "invite": url_for("invites.invite_form", slug=event.slug, _external=True),
    }
    subject = _("Your event: %(title)s", title=facts.title)
    return compose(subject, address, "receipt", facts=facts, links=links)


def compose(subject: str, address: str, template: str, **context) -> Message:
    """A message with the template's plain-text and HTML parts."""
    return Message(
        subject=header_text(subject),
        recipients=[address],
        body=render_template(f"email/{template}.txt", **context),
        html=render_template(f"email/{template}.html", **context),
    )
