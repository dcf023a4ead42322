"""Error pages: one template for every status, never a traceback."""

import logging

from flask import Flask
from flask import current_app
from flask import render_template
from flask import request
from flask.globals import request_ctx
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import SecurityError

from .database import roll_back
from .text import lazy_gettext as _l

#: The database is unreachable, went away mid-request, or a statement ran out of time.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 5

log = logging.getLogger(__name__)

#: Each status's title and sentence (lazy: said in the request's language).
MESSAGES = {
    400: (_l("Something in that request was wrong"), _l("Go back, check the form and try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to do that.")),
    404: (
        _l("Page not found"),
        _l(
            "There is nothing at this address. If someone sent you an event link, "
            "check that it was copied whole; the event may also have been deleted."
        ),
    ),
    405: (_l("Not allowed here"), _l("That kind of request is not accepted at this address.")),
    413: (_l("Too much data"), _l("What you sent is too large. Shorten the text and try again.")),
    429: (_l("Too many requests"), _l("Please wait a little and try again.")),
    500: (
        _l("Something went wrong on our side"),
        _l("Nothing you did caused this. Please try again in a moment."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("Skedjit is briefly unavailable. Please try again soon."),
    ),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    """Render the error page for a status code."""
    if code in MESSAGES:
        default_title, default_message = (str(text) for text in MESSAGES[code])
    else:
        default_title, default_message = gettext("Error %(code)d", code=code), ""
    return (
        render_template(
            "errors/error.html",
            code=code,
            title=title or default_title,
            message=message or default_message,
        ),
        code,
    )


def _http_error(error: HTTPException):
    response = error.get_response()
    body, code = render_error(error.code)
    response.set_data(body)
    response.content_type = "text/html; charset=utf-8"
    return response


HTTPS_NEEDED = _l(
    "Skedjit keeps its cookie for HTTPS connections only, and this page came over plain "
    "HTTP, so your browser did not send it back. Open the site with https://, or ask its "
    "administrator to set SESSION_COOKIE_SECURE=0 for plain HTTP."
)


def _csrf_error(_error: CSRFError):
    if secure_cookie_withheld():
        return render_error(400, gettext("This site needs HTTPS"), str(HTTPS_NEEDED))
    return render_error(
        400,
        gettext("This form has expired"),
        gettext(
            "The page was open too long or your browser did not send its security token. "
            "Go back, reload the page and try again."
        ),
    )


def secure_cookie_withheld() -> bool:
    """A plain-HTTP request without the session cookie, which is set for HTTPS only."""
    return (
        current_app.config["SESSION_COOKIE_SECURE"]
        and not request.is_secure
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    )


def _server_error(_error: InternalServerError):
    roll_back()
    return render_error(500)


def _database_unavailable(error: Exception):
    """503 while the database cannot answer; the request's transaction is undone."""
    roll_back()
    cause = getattr(error, "orig", None) or error
    log.warning("database unavailable: %s: %s", type(cause).__name__, str(cause).split("\n")[0])
    body, code = render_error(
        503,
        message=gettext(
            "Skedjit cannot reach its database just now. "
            "Wait a few seconds and try again; nothing you did caused this."
        ),
    )
    return body, code, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _untrusted_host(_error: SecurityError):
    """400 for a Host the configuration does not trust: no link may be built on it."""
    # The request was never routed, so the page's links need an adapter: one on a trusted name.
    request_ctx.url_adapter = current_app.url_map.bind(
        current_app.config["TRUSTED_HOSTS"][0],
        script_name=request.root_path,
        url_scheme=request.scheme,
    )
    return render_error(
        400,
        gettext("Unknown host name"),
        gettext(
            "This site does not answer to the host name in the address you used. "
            "If you run it, add that name to the TRUSTED_HOSTS setting."
        ),
    )


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with the base layout."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    for failure in DATABASE_UNAVAILABLE:
        app.register_error_handler(failure, _database_unavailable)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
