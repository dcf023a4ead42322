"""The forms of owner recovery."""

from wtforms import PasswordField
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired

from ..forms import Form
from ..forms import NoControlCharacters
from ..forms import new_password_length
from ..text import lazy_gettext as _l


class AskForLinkForm(Form):
    """Nothing to type: the link goes to the address given when the event was created."""


class NewPasswordForm(Form):
    """The new password a recovery link sets."""

    new_password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Choose a new password.")),
            NoControlCharacters(shown=False),
            new_password_length,
        ],
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[
            InputRequired(_l("Type the new password again.")),
            EqualTo("new_password", _l("The two new passwords differ. Type them again.")),
        ],
    )
