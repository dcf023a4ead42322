"""The emails an event owes: invitations, change and cancellation notices, the receipt.

Each is owed in the transaction of what it tells (outbox.owe), so a change and its
emails are committed together, and the worker sends them: no request waits for SMTP.
Every email is counted against the limits on email (mail_limits.py) when it is owed.
What these tell the owner is in the page's language; the emails write their own words
as they are composed (emails.py).
"""

from dataclasses import dataclass
from dataclasses import field

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from .. import changes as plan_changes
from .. import mail_limits
from .. import outbox
from ..addresses import address_key
from ..database import committed
from ..extensions import db
from ..i18n import writing_in
from ..mail import mail_enabled
from ..models import Event
from ..models import Invitee
from ..models import Rsvp
from ..models import Tombstone
from ..refusals import Refused
from . import emails
from . import service


@dataclass
class Report:
    """What became of a batch of invitations."""

    #: Addresses whose invitation is on its way.
    queued: list[str] = field(default_factory=list)
    #: Addresses that asked for no more emails about the event.
    unsubscribed: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        """Sentences for the page: what is on its way, and what was left out and why."""
        sentences = []
        if self.queued:
            count = len(self.queued)
            sentences.append(
                ngettext(
                    "Invitation on its way to %(count)s address.",
                    "Invitation on its way to %(count)s addresses.",
                    count,
                    count=count,
                )
            )
        sentences += [
            _(
                "Not sent to %(address)s: they asked for no more emails about this event.",
                address=address,
            )
            for address in self.unsubscribed
        ]
        return sentences


class CalledOffError(Refused):
    """A called-off event invites no one more."""

    status = 409

    def __init__(self):
        super().__init__(_("This event was called off, so it sends no more invitations."))


def invite(event: Event, addresses: list[str], note: str) -> Report:
    """Owe each address an invitation and keep it on the event's invite list.

    Raises CalledOffError, service.AllowanceError or a mail limit's refusal, owing
    nothing, when it cannot.
    """
    if event.decision == "off":
        raise CalledOffError
    unsubscribed = service.unsubscribed_keys(event.id, addresses)
    skipped = [address for address in addresses if address_key(address) in unsubscribed]
    wanted = [address for address in addresses if address_key(address) not in unsubscribed]
    if not wanted:
        return Report(unsubscribed=skipped)
    mail_limits.reserve(len(wanted))  # refused past a limit before anything is kept
    service.take_allowance(event.id, len(wanted))
    with committed():
        invitees = service.add_invitees(event.id, wanted)
        for invitee, message in zip(
            invitees, emails.Batch(event).invitations(invitees, note), strict=True
        ):
            outbox.owe("invitation", message, event.id, invitee.id)
    return Report([invitee.address for invitee in invitees], skipped)


def _told_of_changes(event: Event) -> list[Invitee]:
    """The invitees who hear of a change: none when email is off or the event is called off."""
    if not mail_enabled() or event.decision == "off":
        return []
    return service.reachable_invitees(event.id)


def invitee_count(event: Event) -> int:
    """How many invitees would hear of a change."""
    return len(_told_of_changes(event))


def what_invitees_see(event: Event) -> emails.Facts:
    """The facts change notices compare, in the event's language: take them before the change."""
    with writing_in(event.language):
        return emails.facts_of(event)


def owe_change_notices(event: Event, before: emails.Facts) -> list[str]:
    """In the change's transaction: owe invitees what changed, if the title, the time or
    the place did; what to tell the owner."""
    invitees = _told_of_changes(event)
    with writing_in(event.language):
        after = emails.facts_of(event)
    changes = [
        (what, old, new)
        for what, old, new in (
            ("title", before.title, after.title),
            ("when", before.span, after.span),
            ("where", before.location, after.location),
        )
        if old != new
    ]
    if not (invitees and changes):
        return []
    try:
        mail_limits.reserve(len(invitees), commit=False)
    except Refused as refused:
        return [
            _(
                "The invited friends were not told of the change: %(reason)s",
                reason=refused.sentence,
            )
        ]
    moved = any(what in ("when", "where") for what, _old, _new in changes)
    asked = _asked_again(invitees) if moved else {}
    for invitee, message in zip(
        invitees, emails.Batch(event).change_notices(invitees, changes, asked), strict=True
    ):
        outbox.owe("change", message, event.id, invitee.id)
    count = len(invitees)
    return [
        ngettext(
            "The change is on its way to %(count)s address.",
            "The change is on its way to %(count)s addresses.",
            count,
            count=count,
        )
    ]


def _asked_again(invitees) -> dict[int, Rsvp]:
    """Friends' own confirmed addresses whose answer is going or maybe: their answer, by
    invitee id. After a move of the time or the place they are asked "Still coming?"."""
    linked = {i.rsvp_id: i.id for i in invitees if i.rsvp_id and i.confirmed_at is not None}
    if not linked:
        return {}
    query = select(Rsvp).where(Rsvp.id.in_(linked), Rsvp.response.in_(plan_changes.ASKED))
    return {linked[rsvp.id]: rsvp for rsvp in db.session.scalars(query)}


def owe_places(event: Event, moved: list[Rsvp]) -> None:
    """In the transaction that moved them up: owe each friend moved from the waitlist to
    going, at their own confirmed address, the news. Past a limit on email their page
    alone tells them."""
    ids = {rsvp.id for rsvp in moved}
    if not (ids and mail_enabled()):
        return
    invitees = [
        invitee
        for invitee in service.reachable_invitees(event.id)
        if invitee.rsvp_id in ids and invitee.confirmed_at is not None
    ]
    if not invitees:
        return
    try:  # not against the limit of whoever freed the place
        mail_limits.reserve_for_instance(len(invitees))
    except Refused:
        return
    for invitee, message in zip(invitees, emails.Batch(event).places(invitees), strict=True):
        outbox.owe("place", message, event.id, invitee.id)


def reachable_addresses(event: Event) -> list[str]:
    """The invitees to tell of a cancellation (none when email is off): take them first."""
    if not mail_enabled():
        return []
    return [invitee.address for invitee in service.reachable_invitees(event.id)]


def owe_cancellations(
    tombstone: Tombstone, addresses: list[str], language: str, undecided: bool = False
) -> list[str]:
    """In the deletion's transaction: owe the invitees the cancellation, in the event's
    language (of a poll whose date was not picked, if `undecided`); what to tell."""
    if not addresses:
        return []
    try:
        mail_limits.reserve(len(addresses), commit=False)
    except Refused as refused:
        return [
            _(
                "The invited friends were not told of the cancellation: %(reason)s",
                reason=refused.sentence,
            )
        ]
    for message in emails.cancellations(tombstone, addresses, language, undecided):
        outbox.owe("cancellation", message, None)
    count = len(addresses)
    return [
        ngettext(
            "The cancellation is on its way to %(count)s address.",
            "The cancellation is on its way to %(count)s addresses.",
            count,
            count=count,
        )
    ]


def owe_receipt(event: Event) -> str | None:
    """In the creation's transaction: owe the owner, if they gave an address, the link and
    how to change the event; what to tell them."""
    if not event.owner_email:
        return None
    try:
        mail_limits.reserve(1, commit=False)
    except Refused as refused:
        return _("No receipt was emailed: %(reason)s", reason=refused.sentence)
    outbox.owe("receipt", emails.receipt(event, event.owner_email), event.id)
    return _("A receipt with the link is on its way to %(address)s.", address=event.owner_email)
