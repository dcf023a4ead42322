"""Event forms: field rules and the messages people see."""

from datetime import datetime

from flask import current_app
from flask_babel import gettext
from flask_babel import ngettext
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms import PasswordField
from wtforms import SelectField
from wtforms import StringField
from wtforms import TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf
from wtforms.validators import DataRequired
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from ..forms import Form
from ..forms import LocalDateField
from ..forms import LocalTimeField
from ..forms import NoControlCharacters
from ..forms import PasswordForm
from ..forms import email_field
from ..forms import new_password_length
from ..forms import normalize_newlines
from ..forms import plausible_year
from ..forms import skipped_time_message
from ..forms import strip
from ..i18n import offered_languages
from ..mail import mail_enabled
from ..models import DEFAULT_REMIND_HOURS
from ..models import LONGEST_EVENT
from ..models import REMIND_CHOICES
from ..text import lazy_gettext as _l
from ..timezones import CURRENT_ZONES
from ..timezones import LINKS
from ..timezones import NonexistentTimeError
from ..timezones import current_zone
from ..timezones import is_zone
from ..timezones import to_utc


def _zone_choice(zone: str, old_names: list[str]) -> SelectChoice:
    """A zone to choose, with its old names for the page's script to match the browser's.

    Its label is the IANA name (Europe/Paris), which is the same in every language."""
    return SelectChoice(zone, zone, {"data-links": " ".join(old_names)} if old_names else {})


ZONE_CHOICES = [
    _zone_choice(zone, sorted(old for old, new in LINKS.items() if new == zone))
    for zone in CURRENT_ZONES
]

REMIND_LABELS = {168: _l("1 week before"), 24: _l("1 day before"), 2: _l("2 hours before")}
REMIND_OFF = "off"


def remind_value(hours: int | None) -> str:
    """The reminder choice's value on the form for `hours` (None: off)."""
    return str(hours) if hours else REMIND_OFF


class EventForm(Form):
    """The fields of an event, shared by the create and edit forms."""

    title = StringField(
        _l("Title"),
        filters=[strip],
        validators=[
            DataRequired(_l("Give the event a title.")),
            NoControlCharacters(),
            Length(max=120, message=_l("Keep the title to 120 characters or fewer.")),
        ],
    )
    date = LocalDateField(
        _l("Date"),
        validators=[InputRequired(_l("Choose the date.")), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-12."),
    )
    time = LocalTimeField(
        _l("Start time"),
        validators=[InputRequired(_l("Choose the start time."))],
        invalid_value_message=_l("Enter the time as HH:MM on a 24-hour clock, e.g. 19:30."),
    )
    end_date = LocalDateField(
        _l("End date"),
        validators=[Optional(), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-12."),
    )
    end_time = LocalTimeField(
        _l("End time"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the time as HH:MM on a 24-hour clock, e.g. 23:00."),
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=ZONE_CHOICES,
        default="UTC",
        filters=[current_zone],  # an event stored under an old name is shown under its new one
        validate_choice=False,
        validators=[InputRequired(_l("Choose a time zone."))],
    )
    location = StringField(
        _l("Place"),
        filters=[strip],
        validators=[
            Optional(),
            NoControlCharacters(),
            Length(max=200, message=_l("Keep the place to 200 characters or fewer.")),
        ],
    )
    hide_preview = BooleanField(_l("Keep details out of link previews"))
    remind = SelectField(
        _l("Remind friends by email"),
        choices=[SelectChoice(remind_value(h), REMIND_LABELS[h]) for h in REMIND_CHOICES]
        + [SelectChoice(REMIND_OFF, _l("No reminder"))],
        default=remind_value(DEFAULT_REMIND_HOURS),
        validate_choice=False,
        validators=[
            AnyOf(
                [remind_value(h) for h in (*REMIND_CHOICES, None)],
                message=_l("Choose when friends are reminded from the list."),
            )
        ],
    )
    description = TextAreaField(
        _l("Description"),
        filters=[normalize_newlines],
        validators=[
            Optional(),
            NoControlCharacters(allow="\n\t"),
            Length(max=5000, message=_l("Keep the description to 5000 characters or fewer.")),
        ],
    )

    #: The start and end as UTC instants, set by validate().
    starts_at: datetime | None = None
    ends_at: datetime | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not mail_enabled():
            del self.remind  # no reminders without a mail server

    def validate_timezone(self, field):
        if not is_zone(field.data):
            raise ValidationError(gettext("Choose a time zone from the list."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.date.errors or self.time.errors or self.timezone.errors):
            try:
                self.starts_at = to_utc(self.date.data, self.time.data, self.timezone.data)
            except NonexistentTimeError:
                self.time.errors.append(skipped_time_message(self.time.data, self.timezone.data))
                valid = False
        if self.starts_at and not (self.end_date.errors or self.end_time.errors):
            valid = self._validate_end() and valid
        return valid

    def _validate_end(self) -> bool:
        """The optional end: same zone, on the start's day unless a date is given, after it."""
        if self.end_date.data and not self.end_time.data:
            self.end_time.errors.append(gettext("Add the end time, or clear the end date."))
            return False
        if not self.end_time.data:
            return True
        day = self.end_date.data or self.date.data
        try:
            self.ends_at = to_utc(day, self.end_time.data, self.timezone.data)
        except NonexistentTimeError:
            self.end_time.errors.append(
                skipped_time_message(self.end_time.data, self.timezone.data)
            )
            return False
        if self.ends_at <= self.starts_at:
            self.ends_at = None
            self.end_time.errors.append(
                gettext("The end must be after the start.")
                if self.end_date.data
                else gettext(
                    "The end must be after the start. For an event past midnight, set the end date."
                )
            )
            return False
        if self.ends_at - self.starts_at > LONGEST_EVENT:
            self.ends_at = None
            self.end_date.errors.append(
                ngettext(
                    "An event can last at most %(num)d day. Choose an earlier end.",
                    "An event can last at most %(num)d days. Choose an earlier end.",
                    LONGEST_EVENT.days,
                )
            )
            return False
        return True

    def when_fields(self) -> dict:
        """The validated start, end and zone."""
        return {
            "starts_at": self.starts_at,
            "timezone": self.timezone.data,
            "ends_at": self.ends_at,
        }

    def event_fields(self) -> dict:
        """The validated values, ready for the service layer."""
        return (
            self.when_fields()
            | {
                "title": self.title.data,
                "location": self.location.data or "",
                "description": self.description.data or "",
                "hide_preview": bool(self.hide_preview.data),
            }
            | ({"remind_hours": _hours(self.remind.data)} if self.remind else {})
        )


def _hours(value: str) -> int | None:
    return None if value == REMIND_OFF else int(value)


class CreateEventForm(EventForm):
    """A new event, the password that will guard it, and where to send the owner's receipt."""

    #: One use per form opened: the same form sent twice makes one event (events/service.py).
    nonce = HiddenField(filters=[strip], validators=[Optional(), Length(max=64)])

    password = PasswordField(
        _l("Edit password"),
        validators=[
            InputRequired(_l("Choose a password to edit or delete the event later.")),
            NoControlCharacters(shown=False),
            new_password_length,
        ],
    )
    password_confirm = PasswordField(
        _l("Edit password again"),
        validators=[
            InputRequired(_l("Type the password again.")),
            EqualTo("password", _l("The two passwords differ. Type them again.")),
        ],
    )
    owner_email = email_field(_l("Your email (optional)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not mail_enabled():
            del self.owner_email  # no receipt to send, so no address to ask for

    def event_fields(self) -> dict:
        owner_email = self.owner_email.data if self.owner_email else None
        return super().event_fields() | {"owner_email": owner_email or None}


class TellInviteesForm(PasswordForm):
    """Whether a change is emailed to the event's invitees (the page shows it when there are)."""

    notify = BooleanField(_l("Tell invited friends"), default=True)


class DeleteEventForm(TellInviteesForm):
    """The password, and whether invitees hear the event is cancelled."""


class VersionField(HiddenField):
    """The event's version when its form was opened: a whole number, or nothing."""

    def process_formdata(self, valuelist):
        text = valuelist[0].strip() if valuelist else ""
        self.data = int(text) if text.isascii() and text.isdigit() else None


class EditEventForm(EventForm, TellInviteesForm):
    """Changes to an event, and optionally a new password."""

    #: The event's version when the form was opened: a newer one means someone else saved.
    version = VersionField(
        _l("Version of the event"),
        validators=[DataRequired(_l("This form is incomplete. Reload the page and try again."))],
    )

    new_password = PasswordField(
        _l("New password (optional)"),
        validators=[Optional(), NoControlCharacters(shown=False), new_password_length],
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", _l("The two new passwords differ. Type them again."))],
    )

    language = SelectField(
        _l("Language of its emails and calendar file"),
        validate_choice=False,
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = offered_languages(current_app)
        if len(offered) < 2:
            del self.language  # English alone: nothing to choose
        else:
            self.language.choices = [SelectChoice(code, name) for code, name in offered.items()]

    def validate_language(self, field):
        if field.data and field.data not in offered_languages(current_app):
            raise ValidationError(_l("Choose a language from the list."))

    def edit(self) -> tuple[dict, int, str | None]:
        """What the edit asks for: the new details, the version they change, a new password."""
        fields = self.event_fields()
        if self.language and self.language.data:
            fields["language"] = self.language.data
        if self.remind and not self.remind.raw_data:  # not asked (a form from before it was)
            fields.pop("remind_hours")
        return fields, self.version.data, self.new_password.data or None


class EditPollForm(EditEventForm):
    """Changes to an event whose date is still polled: its times and zone are the poll's."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.date, self.time, self.end_date, self.end_time, self.timezone

    def validate(self, extra_validators=None) -> bool:
        return super(EventForm, self).validate(extra_validators)  # no time of its own

    def when_fields(self) -> dict:
        return {}
