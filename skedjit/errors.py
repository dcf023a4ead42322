"""Error pages: one template for every status, never a traceback."""

from flask import Flask
from flask import current_app
from flask import render_template
from flask import request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError

from .extensions import db

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


def _csrf_error(_error: CSRFError):
    if _secure_cookie_withheld():
        return render_error(
            400,
            "This site needs HTTPS",
            "Skedjit keeps its cookie for HTTPS connections only, and this page came over plain "
            "HTTP, so your browser did not send it back. Open the site with https://, or ask its "
            "administrator to set SESSION_COOKIE_SECURE=0 for plain HTTP.",
        )
    return render_error(
        400,
        "This form has expired",
        "The page was open too long or your browser did not send its security token. "
        "Go back, reload the page and try again.",
    )


def _secure_cookie_withheld() -> bool:
    """A plain-HTTP request without the session cookie, which is set for HTTPS only."""
    return (
        current_app.config["SESSION_COOKIE_SECURE"]
        and not request.is_secure
        and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies
    )


def _server_error(_error: InternalServerError):
    db.session.rollback()
    return render_error(500)


def register_error_handlers(app: Flask) -> None:
    """Render every HTTP error with the base layout."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(InternalServerError, _server_error)
    app.register_error_handler(HTTPException, _http_error)
