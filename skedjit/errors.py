"""Error pages: one template for every status, never a traceback."""

import logging

from flask import Flask
from flask import current_app
from flask import render_template
from flask import request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.exc import InterfaceError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.exceptions import SecurityError

from .database import roll_back

#: The database is unreachable, went away mid-request, or a statement ran out of time.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
RETRY_AFTER_SECONDS = 5

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Something in that request was wrong", "Go back, check the form and try again."),
    403: ("Not allowed", "You do not have permission to do that."),
    404: (
        "Page not found",
        "There is nothing at this address. If someone sent you an event link, "
        "check that it was copied whole; the event may also have been deleted.",
    ),
    405: ("Not allowed here", "That kind of request is not accepted at this address."),
    413: ("Too much data", "What you sent is too large. Shorten the text and try again."),
    429: ("Too many requests", "Please wait a little and try again."),
    500: (
        "Something went wrong on our side",
        "Nothing you did caused this. Please try again in a moment.",
    ),
    503: ("Temporarily unavailable", "Skedjit is briefly unavailable. Please try again soon."),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    """Render the error page for a status code."""
    default_title, default_message = MESSAGES.get(code, (f"Error {code}", ""))
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


HTTPS_NEEDED = (
    "Skedjit keeps its cookie for HTTPS connections only, and this page came over plain "
    "HTTP, so your browser did not send it back. Open the site with https://, or ask its "
    "administrator to set SESSION_COOKIE_SECURE=0 for plain HTTP."
)


def _csrf_error(_error: CSRFError):
    if secure_cookie_withheld():
        return render_error(400, "This site needs HTTPS", HTTPS_NEEDED)
    return render_error(
        400,
        "This form has expired",
        "The page was open too long or your browser did not send its security token. "
        "Go back, reload the page and try again.",
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
        message="Skedjit cannot reach its database just now. "
        "Wait a few seconds and try again; nothing you did caused this.",
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
        "Unknown host name",
        "This site does not answer to the host name in the address you used. "
        "If you run it, add that name to the TRUSTED_HOSTS setting.",
    )


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with the base layout."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    for failure in DATABASE_UNAVAILABLE:
        app.register_error_handler(failure, _database_unavailable)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
