"""Security headers on every response, error pages and files included; no-store and
noindex where a page says nothing of its own."""

from flask import Flask
from flask import Response
from flask import request

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    # Event links must not leak to other sites; not no-referrer, because Flask-WTF
    # refuses HTTPS form posts that carry no Referer.
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    # The share button uses the Web Share API; nothing else is needed.
    (
        "Permissions-Policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "display-capture=(), web-share=(self)",
    ),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def set_security_headers(response: Response) -> Response:
    # No view sets these headers itself, so they are added without looking first.
    response.headers.extend(HEADERS)
    if request.is_secure:
        response.headers.add(*HSTS)
    # A page made for one request (its forms carry the session's token, its answers the
    # person's input) is kept by no cache; the event page says what it may keep.
    if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    # Every page about an event is as unlisted as the event page.
    if request.path.startswith("/events/") and "X-Robots-Tag" not in response.headers:
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response the app makes."""
    app.after_request(set_security_headers)
