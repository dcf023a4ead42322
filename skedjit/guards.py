"""Guards for the views of one event: load it or 404, and check who may change it."""

from flask_babel import gettext
from sqlalchemy import select
from wtforms import Field

from . import lockout
from . import rate_limits
from .extensions import db
from .models import Event
from .owner_access import grant_owner_access
from .owner_access import has_owner_access
from .owner_access import is_cohost
from .refusals import FormInvalid
from .refusals import Refused
from .refusals import check_token


class PasswordMissingError(Refused):
    field = "password"

    def __init__(self):
        super().__init__(gettext("Enter the event's password."))


class WrongPasswordError(Refused):
    status = 403
    field = "password"

    def __init__(self):
        super().__init__(gettext("That is not this event's password. Check it and try again."))


class OwnerAccessNeededError(Refused):
    status = 403

    def __init__(self):
        super().__init__(
            gettext("Only a browser with owner access can do that. Give the password first.")
        )


class CreatorOnlyError(Refused):
    status = 403

    def __init__(self):
        super().__init__(
            gettext("Only the event's creator can do that: a co-host link does not give it.")
        )


def get_event_or_404(slug: str) -> Event:
    """Load an event by its slug, or answer 404."""
    return db.first_or_404(select(Event).where(Event.slug == slug))


def authorize(event: Event, form) -> None:
    """Check a posted owner form: this browser's owner access or the typed password.

    A form whose CSRF token failed is FormExpired. A right password grants owner access,
    even when another field needs fixing (FormInvalid). A missing or wrong password, a
    locked address or one out of wrong guesses is Refused (400, 403, 429), without
    running bcrypt when locked.
    """
    valid = form.validate()
    check_token(form)  # an expired form is shown again before any password is checked
    if not has_owner_access(event):
        check_password(event, form.password)
    if not valid:
        raise FormInvalid


def check_password(event: Event, password: Field) -> None:
    """Grant owner access for the event's password; Refused for anything else."""
    if password.errors:
        raise FormInvalid
    if not password.data:
        raise PasswordMissingError
    rate_limits.wrong_passwords.take()  # before bcrypt: a burst gets no more than the limit
    try:
        right = lockout.check_password(event, password.data)
    except lockout.PasswordLockedError:
        rate_limits.wrong_passwords.give_back()
        raise
    if not right:
        raise WrongPasswordError
    rate_limits.wrong_passwords.give_back()
    grant_owner_access(event)


def require_owner_access(event: Event) -> None:
    """Refuse (403) a browser without owner access to the event."""
    if not has_owner_access(event):
        raise OwnerAccessNeededError


def refuse_cohost(event: Event) -> None:
    """Refuse (403) a co-host: the password and the co-host links stay the creator's."""
    if is_cohost(event):
        raise CreatorOnlyError
