"""Answer forms: a friend's answer (or votes on a date poll), and the owner's answer settings."""

import re

from flask import request
from flask_babel import gettext
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import RadioField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional

from ..forms import CountBetween
from ..forms import Form
from ..forms import LocalDateField
from ..forms import LocalTimeField
from ..forms import NoControlCharacters
from ..forms import WholeNumberField
from ..forms import email_field
from ..forms import normalize_newlines
from ..forms import plausible_year
from ..forms import skipped_time_message
from ..forms import strip
from ..mail import mail_enabled
from ..models import RESPONSES
from ..models import VOTED
from ..models import WAITING
from ..refusals import FormInvalid
from ..text import lazy_gettext as _l
from ..timezones import NonexistentTimeError
from ..timezones import to_utc

#: Each answer as friends read it: the keys are data (models.RESPONSES and WAITING).
RESPONSE_LABELS = {
    "yes": _l("Going"),
    "maybe": _l("Maybe"),
    "no": _l("Can't go"),
    WAITING: _l("On the waitlist"),
    VOTED: _l("Voted on the date"),
}
#: The answers a friend chooses from: waiting is what a full event gives "going".
RESPONSE_CHOICES = [SelectChoice(response, RESPONSE_LABELS[response]) for response in RESPONSES]


def response_label(response: str) -> str:
    """The answer as the reader says it: "Going", "On the waitlist"…"""
    return str(RESPONSE_LABELS[response])


def form_response(response: str) -> str:
    """The choice the answer form shows for an answer: a friend waiting would go."""
    return "yes" if response == WAITING else response


class RsvpForm(Form):
    """A friend's answer: no CSRF token, since the page is the same for every friend."""

    class Meta:
        csrf = False

    name = StringField(
        _l("Your name"),
        filters=[strip],
        validators=[
            DataRequired(_l("Tell your friends who you are.")),
            NoControlCharacters(),
            Length(max=80, message=_l("Keep your name to 80 characters or fewer.")),
        ],
    )
    response = RadioField(
        _l("Are you coming?"),
        choices=RESPONSE_CHOICES,
        validators=[InputRequired(_l("Choose going, maybe or can't go."))],
    )
    guests = WholeNumberField(
        _l("Extra people you bring"),
        default=0,
        validators=[CountBetween(0, 10, _l("Bring between 0 and 10 extra people."))],
    )
    note = TextAreaField(
        _l("Note (optional)"),
        filters=[normalize_newlines],
        validators=[
            Optional(),
            NoControlCharacters(allow="\n\t"),
            Length(max=300, message=_l("Keep the note to 300 characters or fewer.")),
        ],
    )
    #: Sent by the "Join the waitlist" button, which a full event offers.
    waitlist = BooleanField(_l("Join the waitlist"))
    remind = BooleanField(_l("Email me a reminder and any change"))
    email = email_field(_l("Your email"))
    #: The change-your-answer link's secret, when answering from that link.
    token = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not mail_enabled():
            del self.remind, self.email  # no emails without a mail server

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.remind and self.remind.data and not self.email.data:
            self.email.errors.append(gettext("Give your email address, or untick the reminder."))
            valid = False
        return valid

    def reminder_address(self) -> str | None:
        """Where the friend wants the reminder and changes: an address, "" for nowhere, or
        None when the form did not ask (no mail server, or the event page's form for a
        friend who answered: their answer's own page asks)."""
        if not self.remind or not self.email.raw_data:
            return None
        return self.email.data if self.remind.data else ""

    def answer_fields(self) -> dict:
        return {
            "name": self.name.data,
            "response": self.response.data,
            "guests": self.guests.data or 0,
            "note": self.note.data or "",
            "waitlist": bool(self.waitlist.data),
        }


#: Each vote on a date poll's option as friends read it: the keys are data (models.CHOICES).
CHOICE_LABELS = {"yes": _l("Yes"), "maybe": _l("If need be"), "no": _l("No")}
#: The name of the vote on the option with this id, in a posted vote form.
VOTE_FIELD = re.compile(r"vote-(\d{1,18})")


def choice_label(choice: str) -> str:
    """A vote as the reader says it: "Yes", "If need be", "No"."""
    return str(CHOICE_LABELS[choice])


class VoteForm(Form):
    """A friend's votes: no CSRF token, since the page is the same for every friend (see
    answers.forms.RsvpForm). Each option's vote is posted as vote-<option id>."""

    class Meta:
        csrf = False

    name = RsvpForm.name
    #: Translators: a checkbox on the poll's vote form; "any change" includes the date once picked.
    remind = BooleanField(_l("Email me the date once it is picked, and a reminder"))
    email = RsvpForm.email
    #: The change-your-answer link's secret, when voting from that link.
    token = RsvpForm.token

    def __init__(self, *args, votes: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not mail_enabled():
            del self.remind, self.email
        #: The votes given, by option id: posted, or the voter's own when shown again.
        self.votes = dict(votes or {})
        if kwargs.get("formdata", True) is not None and self.is_submitted():
            self.votes = {}
            for key, value in request.form.items():
                if match := VOTE_FIELD.fullmatch(key):
                    self.votes[int(match[1])] = value

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.remind and self.remind.data and not self.email.data:
            self.email.errors.append(gettext("Give your email address, or untick the reminder."))
            valid = False
        return valid

    reminder_address = RsvpForm.reminder_address


class AnswerSettingsForm(Form):
    """The owner's choices about answers."""

    capacity = WholeNumberField(
        _l("Most people going (leave empty for no limit)"),
        validators=[CountBetween(1, 100000, _l("Enter a number from 1 up."))],
    )
    deadline_date = LocalDateField(
        _l("Answers close on"),
        validators=[Optional(), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-01."),
    )
    deadline_time = LocalTimeField(
        _l("Answers close at"),  # said alone by screen readers and in the error summary
        validators=[Optional()],
        invalid_value_message=_l("Enter the time as HH:MM on a 24-hour clock, e.g. 18:00."),
    )
    rsvps_closed = BooleanField(_l("Close answers now"))
    guest_list_hidden = BooleanField(_l("Show friends only the counts, not who answered"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.deadline_date.data is None) != (self.deadline_time.data is None):
            self.deadline_time.errors.append(
                gettext("Give both the date and the time, or neither.")
            )
            valid = False
        return valid

    def settings(self, zone: str) -> dict:
        """The validated settings, the deadline in UTC; FormInvalid if that time does not exist."""
        deadline = None
        if self.deadline_date.data:
            try:
                deadline = to_utc(self.deadline_date.data, self.deadline_time.data, zone)
            except NonexistentTimeError:
                self.deadline_time.errors.append(
                    skipped_time_message(self.deadline_time.data, zone)
                )
                raise FormInvalid from None
        return {
            "capacity": self.capacity.data,
            "rsvp_deadline": deadline,
            "rsvps_closed": bool(self.rsvps_closed.data),
            "guest_list_hidden": bool(self.guest_list_hidden.data),
        }
