"""The email a called-off event sends its invitees, in the event's language."""

from flask_babel import gettext as _

from ..calendar import event_calendar
from ..i18n import writing_in
from ..invites import emails
from ..mail import Message
from ..models import Event
from ..models import Invitee
from .state import quorum_of


class CalledOff(emails.Batch):
    """The news that the event is called off, with its calendar cancellation (METHOD:CANCEL)."""

    def __init__(self, event: Event):
        super().__init__(event)
        self.ics = event_calendar(event, self.url, method="CANCEL").to_ical()

    def notices(self, invitees: list[Invitee]) -> list[Message]:
        with writing_in(self.event.language):
            quorum = quorum_of(self.event)
            subject = _(
                "Called off: %(title)s, %(day)s", title=self.facts.title, day=self.facts.day
            )
            return [
                self._message(subject, invitee, "called_off", quorum=quorum) for invitee in invitees
            ]
