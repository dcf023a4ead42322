"""Security headers on every response, error pages and files included."""

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
    return response


def init_app(app: Flask) -> None:
    """Add the security headers to every response the app makes."""
    app.after_request(set_security_headers)
