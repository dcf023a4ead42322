"""Date poll forms: the poll's options, a friend's votes, and the owner's controls."""

import re
from datetime import datetime
from datetime import timedelta

from flask import request
from flask_babel import gettext
from wtforms import BooleanField
from wtforms import HiddenField
from wtforms.validators import Optional

from .. import models
from ..events.forms import CreateEventForm
from ..events.forms import EventForm
from ..events.forms import TellInviteesForm
from ..forms import Form
from ..forms import LocalDateField
from ..forms import LocalTimeField
from ..forms import plausible_year
from ..forms import skipped_time_message
from ..refusals import FormInvalid
from ..refusals import check_token
from ..text import lazy_gettext as _l
from ..timezones import NonexistentTimeError
from ..timezones import event_end
from ..timezones import has_passed
from ..timezones import to_utc

#: The fewest and most options a poll offers.
FEWEST_OPTIONS = 2
MOST_OPTIONS = 10
#: Options shown open on the create form; the rest are behind "More dates".
SHOWN_OPTIONS = 3


def _day(label) -> LocalDateField:
    return LocalDateField(
        label,
        validators=[Optional(), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-12."),
    )


START_EXAMPLE = _l("Enter the time as HH:MM on a 24-hour clock, e.g. 19:30.")
END_EXAMPLE = _l("Enter the time as HH:MM on a 24-hour clock, e.g. 23:00.")


def _clock(label, invalid_value_message) -> LocalTimeField:
    return LocalTimeField(
        label, validators=[Optional()], invalid_value_message=invalid_value_message
    )


def option_instants(date, time, end_time, zone: str) -> tuple[datetime, datetime | None] | None:
    """An option's fields as UTC instants; None, with the errors on its fields, if it has
    any, or if it has passed. An end at or before the start is on the next day (an
    evening past midnight)."""
    if date.errors or time.errors or end_time.errors:
        return None
    if date.data is None:
        date.errors.append(gettext("Choose the date."))
        return None
    if time.data is None:
        time.errors.append(gettext("Choose the start time."))
        return None
    try:
        start = to_utc(date.data, time.data, zone)
    except NonexistentTimeError:
        time.errors.append(skipped_time_message(time.data, zone))
        return None
    end = None
    if end_time.data is not None:
        day = date.data + timedelta(days=1) if end_time.data <= time.data else date.data
        try:
            end = to_utc(day, end_time.data, zone)
        except NonexistentTimeError:
            end_time.errors.append(skipped_time_message(end_time.data, zone))
            return None
    if has_passed(start, end, models.utcnow()):
        date.errors.append(gettext("This date has passed: choose one still to come."))
        return None
    return start, end


class AddOptionForm(Form):
    """One more option, added by the owner while voting is open."""

    date = _day(_l("Date"))
    time = _clock(_l("Start time"), START_EXAMPLE)
    end_time = _clock(_l("End time (optional)"), END_EXAMPLE)

    def option(self, zone: str) -> tuple[datetime, datetime | None]:
        """The option's instants; FormExpired for its token, FormInvalid if it is not a
        whole, real date and time."""
        valid = self.validate()
        check_token(self)
        instants = option_instants(self.date, self.time, self.end_time, zone)
        if not valid or instants is None:
            raise FormInvalid
        return instants


class CreatePollForm(CreateEventForm):
    """A new event whose date friends vote on: its options instead of its date and time.
    Option N is posted as option_N_date, option_N_time and option_N_end_time."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.date, self.time, self.end_date, self.end_time
        #: The options as UTC instants, in the order given, set by validate().
        self.options: list[tuple[datetime, datetime | None]] = []

    def option_rows(self) -> list[tuple[int, list]]:
        """Each option's number and fields (date, time, end time), as the form shows them."""
        return [
            (n, [self[f"option_{n}_{name}"] for name in ("date", "time", "end_time")])
            for n in range(1, MOST_OPTIONS + 1)
        ]

    def given_past(self, shown: int) -> bool:
        """An option past the first `shown` holds input or an error: its rows stay open."""
        return any(
            field.raw_data or field.errors
            for _number, fields in self.option_rows()[shown:]
            for field in fields
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super(EventForm, self).validate(extra_validators)  # no date of its own
        if self.timezone.errors:
            return False
        given, seen = [], {}
        for number, fields in self.option_rows():
            if not any(field.raw_data for field in fields):
                continue
            instants = option_instants(*fields, self.timezone.data)
            if instants is None:
                valid = False
            elif instants in seen:
                fields[1].errors.append(
                    gettext(
                        "Option %(num)d is the same as option %(first)d.",
                        num=number,
                        first=seen[instants],
                    )
                )
                valid = False
            else:
                seen[instants] = number
                given.append(instants)
        if _past_the_last(request.form):
            self[f"option_{MOST_OPTIONS}_date"].errors.append(
                gettext("A poll offers at most %(num)d dates.", num=MOST_OPTIONS)
            )
            valid = False
        elif valid and len(given) < FEWEST_OPTIONS:
            empty = next(fields[0] for _n, fields in self.option_rows() if not fields[0].data)
            empty.errors.append(
                gettext("Give at least %(num)d dates to vote on.", num=FEWEST_OPTIONS)
            )
            valid = False
        if valid:
            self.options = given
            self.starts_at, self.ends_at = max(given, key=lambda option: event_end(*option))
        return valid

    def event_fields(self) -> dict:
        return super().event_fields() | {"poll": "open"}


def _past_the_last(form) -> bool:
    """A posted option numbered past MOST_OPTIONS holds a value (no page offers one)."""
    numbered = (re.fullmatch(r"option_(\d{1,6})_(date|time|end_time)", key) for key in form)
    return any(
        match and int(match[1]) > MOST_OPTIONS and form.get(match[0], "").strip()
        for match in numbered
    )


for _n in range(1, MOST_OPTIONS + 1):
    #: Translators: the fields of one option on the poll's create form, e.g. "Option 2: start time".
    setattr(CreatePollForm, f"option_{_n}_date", _day(_l("Option %(num)d: date", num=_n)))
    setattr(
        CreatePollForm,
        f"option_{_n}_time",
        _clock(_l("Option %(num)d: start time", num=_n), START_EXAMPLE),
    )
    setattr(
        CreatePollForm,
        f"option_{_n}_end_time",
        _clock(_l("Option %(num)d: end time (optional)", num=_n), END_EXAMPLE),
    )


class PickForm(TellInviteesForm):
    """The owner picks an option (with owner access or the password)."""

    option = HiddenField()

    def option_id(self) -> int | None:
        text = (self.option.data or "").strip()
        return int(text) if text.isascii() and text.isdigit() and len(text) < 19 else None


class PollSettingsForm(Form):
    """When voting ends, whether the best option is picked then, and closing it now."""

    closes_date = LocalDateField(
        _l("Voting ends on"),
        validators=[Optional(), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-01."),
    )
    closes_time = LocalTimeField(
        _l("Voting ends at"),
        validators=[Optional()],
        invalid_value_message=_l("Enter the time as HH:MM on a 24-hour clock, e.g. 18:00."),
    )
    auto_pick = BooleanField(_l("Pick the best option automatically when voting ends"))
    closed = BooleanField(_l("Close voting now"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and (self.closes_date.data is None) != (self.closes_time.data is None):
            self.closes_time.errors.append(gettext("Give both the date and the time, or neither."))
            valid = False
        if valid and self.auto_pick.data and self.closes_date.data is None:
            self.closes_date.errors.append(
                gettext("Give the time voting ends, so that the best option can be picked then.")
            )
            valid = False
        return valid

    def settings(self, zone: str) -> dict:
        """The validated settings, the end of voting in UTC; FormInvalid if that time
        does not exist."""
        closes_at = None
        if self.closes_date.data:
            try:
                closes_at = to_utc(self.closes_date.data, self.closes_time.data, zone)
            except NonexistentTimeError:
                self.closes_time.errors.append(skipped_time_message(self.closes_time.data, zone))
                raise FormInvalid from None
        return {
            "closes_at": closes_at,
            "auto_pick": bool(self.auto_pick.data),
            "closed": bool(self.closed.data),
        }
