"""Refusals: requests the rules turn down, answered with a status and a sentence saying why.

Domain code raises a subclass of Refused (EventFullError, PasswordLockedError,
LimitExceeded, …) with its status. A view that shows a form does its work inside
`showing_again(page, form=form)`, so a refusal brings that form back with the person's
input, the sentence beside its field (or above the form) and the status. Any other
refusal gets the error page with the sentence. One handler renders them all.
"""

from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from flask import Flask
from flask_babel import gettext

from .errors import HTTPS_NEEDED
from .errors import render_error
from .errors import secure_cookie_withheld


class Refused(Exception):  # noqa: N818 - a refusal is an answer, not a failure
    """A request the rules turn down; `status` is its HTTP status."""

    status = 400
    #: The form field the sentence is said beside, if any.
    field: str | None = None

    def __init__(self, sentence: str | None = None, headers: dict | None = None):
        super().__init__(sentence)
        self.sentence = sentence
        self.headers = dict(headers or {})
        #: How to show the page the request came from again (set by showing_again).
        self.page: Callable[..., str] | None = None


class FormInvalid(Refused):
    """A form with errors: they are on its fields already."""


class FormExpired(Refused):
    """The form's CSRF token is missing, wrong or too old: it is shown again as it was sent
    (passwords aside), to be checked and sent again."""

    def __init__(self):
        super().__init__(
            str(HTTPS_NEEDED)
            if secure_cookie_withheld()
            else gettext("This form expired: check it and send it again.")
        )


@contextmanager
def showing_again(page: Callable[..., str], form, **context) -> Iterator[None]:
    """Answer a refusal in the block with page(form=form, refusal=…, **context) and its status."""
    try:
        yield
    except Refused as refused:
        field = getattr(form, refused.field, None) if refused.field else None
        if field is not None:
            field.errors = [*field.errors, refused.sentence]
        shown = None if field is not None or isinstance(refused, FormInvalid) else refused
        refused.page = partial(page, form=form, refusal=shown, **context)
        raise


def check_form(form) -> None:
    """Validate a posted form; FormExpired for its token, FormInvalid when a field needs fixing."""
    if not form.validate():
        check_token(form)
        raise FormInvalid


def check_token(form) -> None:
    """After validating a form that checks its own CSRF token: FormExpired if it failed."""
    if form.errors.get("csrf_token"):
        raise FormExpired


def _respond(refused: Refused):
    if refused.page is not None:
        body = refused.page()
    else:
        body, _ = render_error(refused.status, message=refused.sentence)
    return body, refused.status, refused.headers


def init_app(app: Flask) -> None:
    """Render every refusal: its page again, or the error page."""
    app.register_error_handler(Refused, _respond)
