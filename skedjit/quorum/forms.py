"""The owner's form for a minimum going and when it is decided."""

from wtforms.validators import InputRequired

from ..forms import CountBetween
from ..forms import Form
from ..forms import LocalDateField
from ..forms import LocalTimeField
from ..forms import WholeNumberField
from ..forms import plausible_year
from ..forms import skipped_time_message
from ..models import Event
from ..refusals import FormInvalid
from ..text import lazy_gettext as _l
from ..timezones import NonexistentTimeError
from ..timezones import to_local
from ..timezones import to_utc


class MinimumForm(Form):
    """The fewest people going for the event to happen, and when that is decided."""

    min_going = WholeNumberField(
        _l("Fewest people going"),
        validators=[
            InputRequired(_l("Say how many people must be going.")),
            CountBetween(1, 100000, _l("Enter a number from 1 up.")),
        ],
    )
    decide_date = LocalDateField(
        _l("Decided on"),
        validators=[InputRequired(_l("Give the day it is decided.")), plausible_year],
        invalid_value_message=_l("Enter a real date as YYYY-MM-DD, e.g. 2026-12-01."),
    )
    decide_time = LocalTimeField(
        _l("Decided at"),
        validators=[InputRequired(_l("Give the time it is decided."))],
        invalid_value_message=_l("Enter the time as HH:MM on a 24-hour clock, e.g. 18:00."),
    )

    def decide_at(self, zone: str):
        """The decision time in UTC; FormInvalid if that time does not exist in the zone."""
        try:
            return to_utc(self.decide_date.data, self.decide_time.data, zone)
        except NonexistentTimeError:
            self.decide_time.errors.append(skipped_time_message(self.decide_time.data, zone))
            raise FormInvalid from None


def minimum_data(event: Event) -> dict:
    """The event's minimum as the form shows it, in the event's zone."""
    local = to_local(event.decide_at, event.timezone) if event.decide_at else None
    return {
        "min_going": event.min_going,
        "decide_date": local.date() if local else None,
        "decide_time": local.time() if local else None,
    }
