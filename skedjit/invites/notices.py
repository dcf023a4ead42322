"""Sending the emails about an event and keeping the invite list up to date.

Each function sends one batch over one connection, after the change it reports
is committed, and returns a Report: whom it reached, and why the others failed.
"""

from dataclasses import dataclass
from dataclasses import field

from .. import mail_limits
from ..addresses import address_key
from ..mail import mail_enabled
from ..mail import send_each
from ..models import Event
from ..models import Tombstone
from ..refusals import Refused
from . import emails
from . import service

#: Seconds after which a failed send may be tried again.
RETRY_AFTER = 60


@dataclass
class Report:
    """How a batch of emails went."""

    sent: list[str] = field(default_factory=list)
    #: Address -> why it was not sent.
    failed: dict[str, str] = field(default_factory=dict)
    #: Addresses that asked for no more emails about the event.
    unsubscribed: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, addresses: list[str], failures: dict[str, str], unsubscribed=()) -> "Report":
        sent = [address for address in addresses if address not in failures]
        return cls(sent, failures, list(unsubscribed))

    def summary(self, what: str) -> list[str]:
        """Sentences for the page: what was sent, and what was not and why."""
        sentences = []
        if self.sent:
            count = len(self.sent)
            sentences.append(f"{what} sent to {count} address{'es' if count != 1 else ''}.")
        sentences += [
            f"Not sent to {address}: they asked for no more emails about this event."
            for address in self.unsubscribed
        ]
        sentences += [f"Not sent to {address}: {why}" for address, why in self.failed.items()]
        return sentences


class NotAllSentError(Refused):
    """Some invitations could not be sent; the report says which and why."""

    status = 503

    def __init__(self, report: "Report"):
        super().__init__(None, {"Retry-After": str(RETRY_AFTER)})
        self.report = report


def invite(event: Event, addresses: list[str], note: str) -> Report:
    """Email the event to the addresses and keep them on its invite list.

    Raises service.AllowanceError, sending nothing, when the day's allowance is short,
    and NotAllSentError when some were not sent.
    """
    unsubscribed = service.unsubscribed_keys(event.id, addresses)
    skipped = [address for address in addresses if address_key(address) in unsubscribed]
    wanted = [address for address in addresses if address_key(address) not in unsubscribed]
    if not wanted:
        return Report(unsubscribed=skipped)
    mail_limits.reserve(len(wanted))  # refused past a limit before anything is kept
    service.take_allowance(event.id, len(wanted))
    service.add_invitees(event.id, wanted)
    invitees = service.invitees_of(event.id, wanted)
    failures = send_each(emails.Batch(event).invitations(invitees, note))
    addresses = [invitee.address for invitee in invitees]  # as first kept
    service.record_sending(event.id, addresses, failures, invited=True)
    service.give_back_allowance(event.id, len(failures))
    report = Report.of(addresses, failures, skipped)
    if failures:
        raise NotAllSentError(report)
    return report


def invitee_count(event: Event) -> int:
    """How many invitees would hear of a change (none when email is off)."""
    return len(service.reachable_invitees(event.id)) if mail_enabled() else 0


def what_invitees_see(event: Event) -> emails.Facts:
    """The facts change notices compare: take them before the change."""
    return emails.facts_of(event)


def tell_changed(event: Event, before: emails.Facts) -> list[str]:
    """Email invitees what changed, if the title, the time or the place did; what was sent."""
    invitees = service.reachable_invitees(event.id) if mail_enabled() else []
    after = emails.facts_of(event)
    changes = [
        (label, old, new)
        for label, old, new in (
            ("Title", before.title, after.title),
            ("When", before.span, after.span),
            ("Where", before.location or "(no place given)", after.location or "(no place given)"),
        )
        if old != new
    ]
    if not (invitees and changes):
        return []
    addresses = [invitee.address for invitee in invitees]
    try:
        failures = send_each(emails.Batch(event).change_notices(invitees, changes))
    except Refused as refused:
        return [f"The invited friends were not told of the change: {refused.sentence}"]
    service.record_sending(event.id, addresses, failures, invited=False)
    return Report.of(addresses, failures).summary("The change was")


def reachable_addresses(event: Event) -> list[str]:
    """The invitees to tell of a cancellation (none when email is off): take them first."""
    if not mail_enabled():
        return []
    return [invitee.address for invitee in service.reachable_invitees(event.id)]


def tell_cancelled(tombstone: Tombstone, addresses: list[str]) -> list[str]:
    """Email the invitees of a deleted event that it is cancelled; what was sent."""
    if not addresses:
        return []
    try:
        failures = send_each(emails.cancellations(tombstone, addresses))
    except Refused as refused:
        return [f"The invited friends were not told of the cancellation: {refused.sentence}"]
    return Report.of(addresses, failures).summary("The cancellation was")


def send_receipt(event: Event) -> str | None:
    """Email the owner, if they gave an address, the link and how to change the event."""
    if not event.owner_email:
        return None
    try:
        failure = send_each([emails.receipt(event, event.owner_email)]).get(event.owner_email)
    except Refused as refused:
        return f"No receipt was emailed: {refused.sentence}"
    if failure:
        return f"The receipt could not be emailed to {event.owner_email}: {failure}"
    return f"A receipt with the link is on its way to {event.owner_email}."
