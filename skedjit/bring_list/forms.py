"""Bring list forms: the owner's item, and a friend's claim."""

from wtforms import HiddenField
from wtforms import StringField
from wtforms.validators import DataRequired
from wtforms.validators import Length

from ..forms import CountBetween
from ..forms import Form
from ..forms import NoControlCharacters
from ..forms import WholeNumberField
from ..forms import strip
from ..models import MOST_OF_ONE
from ..text import lazy_gettext as _l


def _quantity(label) -> WholeNumberField:
    return WholeNumberField(
        label,
        validators=[
            CountBetween(
                1, MOST_OF_ONE, _l("Enter a whole number from 1 to 99, or leave it empty for 1.")
            )
        ],
    )


class ItemForm(Form):
    """A thing the owner asks friends to bring, and how many."""

    text = StringField(
        _l("What to bring"),
        filters=[strip],
        validators=[
            DataRequired(_l("Say what friends should bring.")),
            NoControlCharacters(),
            Length(max=120, message=_l("Keep it to 120 characters or fewer.")),
        ],
    )
    quantity = _quantity(_l("How many (optional)"))

    def fields_given(self) -> tuple[str, int]:
        return self.text.data, self.quantity.data or 1


class ClaimForm(Form):
    """How many of one item a friend brings: no CSRF token, like the answer form (the
    event page is the same for every friend; cross_origin.py guards it)."""

    class Meta:
        csrf = False

    quantity = _quantity(_l("How many you bring"))
    #: The answer's private link secret, when claiming from that link's page.
    token = HiddenField()

    @property
    def amount(self) -> int:
        return self.quantity.data or 1
