"""Form primitives every blueprint uses: fields, filters, checks and the password form."""

import re
import unicodedata

from flask import request
from flask_babel import gettext
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from werkzeug.datastructures import CombinedMultiDict
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms.fields import DateField
from wtforms.fields import EmailField
from wtforms.fields import TimeField
from wtforms.validators import Length
from wtforms.validators import Optional
from wtforms.validators import StopValidation
from wtforms.validators import ValidationError

from .addresses import AddressError
from .addresses import check_address
from .passwords import MAX_BYTES
from .passwords import MIN_CHARACTERS
from .passwords import normalized
from .text import is_noncharacter
from .text import lazy_gettext as _l
from .text import shown_in_html

MIN_YEAR, MAX_YEAR = 1900, 2999


#: Spaces, and the zero-width characters that show nothing at either end of a text.
_EDGES = re.compile(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$")


def strip(value):
    """The text without spaces or invisible characters at its ends: one of those alone
    is no name or title."""
    return _EDGES.sub("", value) if isinstance(value, str) else value


def normalize_newlines(value):
    return value.replace("\r\n", "\n").replace("\r", "\n").strip() if value else value


class Form(FlaskForm):
    """A form whose fields show typed text back without a code point HTML forbids.

    A refused control character comes back as a visible U+FFFD (what browsers make
    of NUL anyway), so the person can see where it was.
    """

    class Meta:
        def wrap_formdata(self, form, formdata):
            """The request's text fields only: no form here takes a file, and a file
            part sent for a field is no text (the field is then missing)."""
            formdata = super().wrap_formdata(form, formdata)
            return request.form if isinstance(formdata, CombinedMultiDict) else formdata

        def render_field(self, field, render_kw):
            html = super().render_field(field, render_kw)
            return Markup(shown_in_html(html))  # noqa: S704 (escaped HTML, code points swapped)


class NoControlCharacters:
    """Refuse NUL, other control characters and noncharacters; newline and tab if allowed.

    Noncharacters are refused only in text that pages show (HTML may not carry them),
    not in passwords: one chosen with them must still open its event.
    """

    def __init__(self, allow: str = "", shown: bool = True):
        self.allow = set(allow)
        self.shown = shown

    def __call__(self, form, field):
        value = field.data or ""
        for char in value:
            if char in self.allow:
                continue
            if unicodedata.category(char) in ("Cc", "Cs"):
                raise StopValidation(
                    gettext(
                        "This contains an invisible control character (%(code_point)s). "
                        "Remove it and try again.",
                        code_point=code_point(char),
                    )
                )
            if self.shown and is_noncharacter(char):
                raise StopValidation(
                    gettext(
                        "This contains %(code_point)s, which is not a character. "
                        "Remove it and try again.",
                        code_point=code_point(char),
                    )
                )


class _BlankIsMissing:
    """Treat an empty input as missing, so only 'required' is said of it."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            self.raw_data = []  # so InputRequired, which looks at raw input, sees none
            return
        super().process_formdata(valuelist)


class LocalDateField(_BlankIsMissing, DateField):
    """A calendar date, <input type="date">."""


class LocalTimeField(_BlankIsMissing, TimeField):
    """A wall-clock time to the minute, <input type="time">: 19:30, or 19:30:00 as some
    browsers send it. Seconds are refused: events, ends and deadlines have none."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and self.data.second:
            self.data = None
            raise ValueError(self.invalid_value_message)


class WholeNumberField(IntegerField):
    """An integer input that says plainly when it is not a whole number."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0])
        except ValueError:
            self.data = None
            raise ValueError(gettext("Enter a whole number, e.g. 2.")) from None


class CountBetween:
    """A whole number within bounds; says nothing more when it is not a number at all.

    The message is a lazy_gettext sentence, said in the request's language."""

    def __init__(self, low: int, high: int, message):
        self.low, self.high, self.message = low, high, message

    def __call__(self, form, field):
        if field.data is not None and not self.low <= field.data <= self.high:
            raise ValidationError(str(self.message))


def plausible_year(form, field):
    if field.data and not MIN_YEAR <= field.data.year <= MAX_YEAR:
        raise ValidationError(
            gettext(
                "Choose a date between the years %(first)d and %(last)d.",
                first=MIN_YEAR,
                last=MAX_YEAR,
            )
        )


def code_point(char: str) -> str:
    """'U+0007': how a character is named when it is refused."""
    return f"U+{ord(char):04X}"


def skipped_time_message(clock, zone: str) -> str:
    shown = f"{clock:%H:%M}"
    return gettext(
        "%(time)s does not exist on that day in %(zone)s: "
        "the clocks go forward then. Choose another time.",
        time=shown,
        zone=zone,
    )


def password_length(form, field):
    """Refuse passwords bcrypt cannot take whole (it looks only at 72 bytes)."""
    size = len(normalized(field.data or "").encode())
    if field.data and size > MAX_BYTES:
        raise ValidationError(
            ngettext(
                "Passwords can be at most %(num)d byte (%(given)d given): "
                "that is %(num)d plain letter, fewer with accents or emoji.",
                "Passwords can be at most %(num)d bytes (%(given)d given): "
                "that is %(num)d plain letters, fewer with accents or emoji.",
                MAX_BYTES,
                given=size,
            )
        )


def new_password_length(form, field):
    password_length(form, field)
    if field.data and len(normalized(field.data)) < MIN_CHARACTERS:
        raise ValidationError(
            ngettext(
                "Use at least %(num)d character.",
                "Use at least %(num)d characters.",
                MIN_CHARACTERS,
            )
        )


def email_field(label) -> EmailField:
    """An optional email address field, checked and kept in its checked form."""
    return EmailField(
        label,
        filters=[strip],
        validators=[
            Optional(),
            NoControlCharacters(),
            Length(max=254, message=_l("Email addresses are at most 254 characters long.")),
            email_address,
        ],
    )


def email_address(form, field):
    """Check an optional address, keeping it in its checked form."""
    if field.data:
        try:
            field.data = check_address(field.data)
        except AddressError as error:
            raise ValidationError(str(error)) from None


class PasswordForm(Form):
    """The event's current password (not needed with owner access)."""

    password = PasswordField(
        _l("Event password"),
        validators=[Optional(), NoControlCharacters(shown=False), password_length],
    )
