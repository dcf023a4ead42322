"""One log line per request: method, path, status and duration, and never a secret.

The line names the path only: no query string, no cookie, no form field, no
client address. A path that carries a secret (the private link that changes an
RSVP, /events/<slug>/rsvp/<token>, the one that changes a friend's date-poll votes,
/events/<slug>/vote/<token>, the one that stops an invitee's emails,
/events/<slug>/unsubscribe/<token>, the one that confirms a friend's address,
/events/<slug>/reminders/<token>, a friend's "Still coming?" answer by email,
/events/<slug>/still-coming/<token>, a co-host link, /events/<slug>/host/<token>,
and the owner's recovery link, /events/<slug>/recover/<token>) is shown with "…"
in the secret's place, in this line and in Flask's own "Exception on <path>" error
line.
"""

import logging
import re
import time
from urllib.parse import quote

from flask import Flask

logger = logging.getLogger("skedjit.requests")

FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"  # as gunicorn's error log writes it
REDACTED = "…"
# Whatever follows /rsvp/ may hold an answer's secret (with extra slashes, too), unless
# it is just the withdraw action's name; whatever follows /vote/, /unsubscribe/,
# /reminders/, /still-coming/, /host/ or /recover/ is a secret.
_SECRET_SEGMENT = re.compile(
    r"(?<=/rsvp/)(?!withdraw(?:\s|$))\S+|(?<=/vote/)\S+|(?<=/unsubscribe/)\S+"
    r"|(?<=/reminders/)\S+|(?<=/still-coming/)\S+|(?<=/host/)\S+|(?<=/recover/)\S+",
    re.IGNORECASE,
)
# What a browser sends unescaped in a path; everything else (control characters,
# spaces, non-ASCII) is percent-encoded, so no path can forge or garble a log line.
_PATH_SAFE = "/-._~!$&'()*+,;=:@"


def loggable_path(path: str) -> str:
    """The path with every secret it carries replaced by '…'."""
    return _SECRET_SEGMENT.sub(REDACTED, path)


def _request_path(environ: dict) -> str:
    """The request's path as sent (percent-encoded ASCII), its secrets replaced."""
    # WSGI gives the path's bytes as a latin-1 string, whatever they were.
    raw = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    return loggable_path(quote(raw, safe=_PATH_SAFE))


class RequestLog:
    """WSGI middleware that logs each request once the app has answered it."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status = 500  # what the server answers if the app raises

        def start_and_note_status(status_line, headers, exc_info=None):
            nonlocal status
            status = int(status_line[:3])
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_and_note_status)
        finally:
            _log_request(environ, status, (time.perf_counter() - started) * 1000)


def _log_request(environ: dict, status: int, duration_ms: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    method = quote(environ.get("REQUEST_METHOD", ""), safe="")
    path = _request_path(environ)
    logger.info(
        "%s %s %d %.1fms",
        method,
        path,
        status,
        duration_ms,
        extra={"method": method, "path": path, "status": status, "duration_ms": duration_ms},
    )


def _redact_message(record: logging.LogRecord) -> bool:
    """Hide secrets in the paths a log message names (Flask's 'Exception on <path>')."""
    message = record.getMessage()
    redacted = loggable_path(message)
    if redacted != message:
        record.msg, record.args = redacted, ()
    return True


def init_app(app: Flask) -> None:
    """Log every request of the app; without any logging set up, to standard error."""
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        # Nobody configured logging (gunicorn does not): write the lines beside
        # gunicorn's error log, and not a second time through the app's logger.
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
        logger.addHandler(handler)
        logger.propagate = False
    app.logger.addFilter(_redact_message)
    app.wsgi_app = RequestLog(app.wsgi_app)
