"""The invitation form: addresses to send the event to, and an optional personal note."""

from wtforms import TextAreaField
from wtforms.validators import DataRequired
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import ValidationError

from ..addresses import check_addresses
from ..forms import NoControlCharacters
from ..forms import PasswordForm
from ..forms import normalize_newlines

#: Most addresses one invitation form sends to.
PER_REQUEST = 20


class InviteForm(PasswordForm):
    """Up to PER_REQUEST addresses, each checked, and a plain-text note."""

    addresses = TextAreaField(
        "Email addresses",
        filters=[normalize_newlines],
        validators=[
            DataRequired("Enter at least one email address."),
            NoControlCharacters(allow="\n\t"),
            Length(max=10_000, message=f"That is more than {PER_REQUEST} addresses."),
        ],
    )
    note = TextAreaField(
        "Personal message (optional)",
        filters=[normalize_newlines],
        validators=[
            Optional(),
            NoControlCharacters(allow="\n\t"),
            Length(max=500, message="Keep the message to 500 characters or fewer."),
        ],
    )

    #: The distinct addresses, in order, once the form is valid.
    checked: list[str] = []

    def validate_addresses(self, field):
        addresses, errors = check_addresses(field.data)
        if errors:
            raise ValidationError(" ".join(errors) + " Nothing was sent.")
        if not addresses:
            raise ValidationError("Enter at least one email address.")
        if len(addresses) > PER_REQUEST:
            raise ValidationError(
                f"Send to at most {PER_REQUEST} addresses at once; this has {len(addresses)}. "
                "Send the rest in a second go."
            )
        self.checked = addresses
