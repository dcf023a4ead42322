"""The secret that identifies one friend's answer, and the signed cookie a browser keeps it in.

The secret is stored only as its hash. The cookie is sent only to that event's pages,
and never on a cross-site POST (SameSite=Lax), so the answer form needs no CSRF token.
"""

import hashlib
import secrets

from flask import current_app
from flask import request
from itsdangerous import BadSignature
from itsdangerous import URLSafeSerializer

COOKIE_DAYS = 180


def new_token() -> str:
    """A secret that lets one browser (or its link) change one answer."""
    return secrets.token_urlsafe(24)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cookie_name(slug: str) -> str:
    return f"rsvp-{slug}"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="skedjit.rsvp")


def answer_token(slug: str) -> str | None:
    """The answer secret this browser keeps for the event, if its signature holds."""
    value = request.cookies.get(cookie_name(slug))
    if not value:
        return None
    try:
        return _signer().loads(value)
    except BadSignature:
        return None


def remember_answer(response, slug: str, token: str):
    """Keep the answer's secret in this browser, sent only to that event's pages."""
    response.set_cookie(
        cookie_name(slug),
        _signer().dumps(token),
        max_age=COOKIE_DAYS * 24 * 3600,
        path=f"/events/{slug}",
        httponly=True,
        samesite="Lax",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
    )
    return response


def forget_answer(response, slug: str):
    response.delete_cookie(cookie_name(slug), path=f"/events/{slug}")
    return response
