"""What a request's body may be: a web form, whole, of at most MAX_CONTENT_LENGTH.

Every unsafe request Skedjit takes comes from one of its own forms, so a body that
is JSON, XML or plain text is a 415 whatever it holds (no view ever sees a field that
is a number, a list or an object). A request without a body passes: it has no fields.

A chunked body (no Content-Length) is read here first, up to one byte past the
limit: over it, the request is a 413 like any other too large, never a cut-down form.
"""

import io

from flask import Flask
from flask import request
from flask_babel import gettext
from werkzeug.exceptions import RequestEntityTooLarge

from .refusals import Refused

TOO_LARGE = "skedjit.body_too_large"

FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAFormError(Refused):
    status = 415

    def __init__(self):
        super().__init__(
            gettext(
                "Skedjit takes web forms only (application/x-www-form-urlencoded or "
                "multipart/form-data). Send the form from its page."
            )
        )


class WholeBodies:
    """WSGI middleware: read a chunked body whole (or find it too large) before the app."""

    def __init__(self, wsgi_app, limit: int):
        self.wsgi_app, self.limit = wsgi_app, limit

    def __call__(self, environ, start_response):
        if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                environ[TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            del environ["HTTP_TRANSFER_ENCODING"]
        return self.wsgi_app(environ, start_response)


def refuse_what_is_not_a_form() -> None:
    if TOO_LARGE in request.environ:
        raise RequestEntityTooLarge
    if request.method in SAFE_METHODS or request.mimetype in FORM_TYPES:
        return
    if request.content_length:
        raise NotAFormError


def init_app(app: Flask) -> None:
    app.before_request(refuse_what_is_not_a_form)
    app.wsgi_app = WholeBodies(app.wsgi_app, app.config["MAX_CONTENT_LENGTH"])
