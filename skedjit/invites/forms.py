"""The invitation form: addresses to send the event to, and an optional personal note."""

from flask_babel import gettext
from flask_babel import ngettext
from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from ..addresses import check_addresses
from ..forms import NoControlCharacters
from ..forms import PasswordForm
from ..forms import normalize_newlines
from ..text import lazy_gettext as _l
from ..text import lazy_ngettext

#: Most addresses one invitation form sends to.
PER_REQUEST = 20


class InviteForm(PasswordForm):
    """Up to PER_REQUEST addresses, each checked, and a plain-text note."""

    addresses = TextAreaField(
        _l("Email addresses"),
        filters=[normalize_newlines],
        validators=[
            DataRequired(_l("Enter at least one email address.")),
            NoControlCharacters(allow="\n\t"),
            Length(
                max=10_000,
                message=lazy_ngettext(
                    "That is more than %(num)d address.",
                    "That is more than %(num)d addresses.",
                    PER_REQUEST,
                ),
            ),
        ],
    )
    note = TextAreaField(
        _l("Personal message (optional)"),
        filters=[normalize_newlines],
        validators=[
            Optional(),
            NoControlCharacters(allow="\n\t"),
            Length(max=500, message=_l("Keep the message to 500 characters or fewer.")),
        ],
    )

    #: The distinct addresses, in order, once the form is valid.
    checked: list[str] = []

    def validate_addresses(self, field):
        addresses, errors = check_addresses(field.data)
        if errors:
            # Translators: %(problems)s is a sentence for each address refused.
            raise ValidationError(
                gettext("%(problems)s Nothing was sent.", problems=" ".join(errors))
            )
        if not addresses:
            raise ValidationError(gettext("Enter at least one email address."))
        if len(addresses) > PER_REQUEST:
            raise ValidationError(
                ngettext(
                    "Send to at most %(num)d address at once; this has %(given)d. "
                    "Send the rest in a second go.",
                    "Send to at most %(num)d addresses at once; this has %(given)d. "
                    "Send the rest in a second go.",
                    PER_REQUEST,
                    given=len(addresses),
                )
            )
        self.checked = addresses
