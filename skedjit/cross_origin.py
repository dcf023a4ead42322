"""Protection from cross-site requests by what browsers say of a request's origin.

Every unsafe request (not GET, HEAD or OPTIONS) is checked before its view runs:

1. `Sec-Fetch-Site`, which every current browser sends, must be `same-origin` or
   `none` (typed in, or a bookmark) when it is present;
2. without it, `Origin`, when present, must be this request's own scheme and host;
3. with neither header the request did not come from a browser's cross-site page
   (a script, a mail provider's one-click unsubscribe), and it goes through.

This is the algorithm of Go's net/http.CrossOriginProtection and of the Fetch
Metadata defence in OWASP's CSRF cheat sheet. It is the first layer for every form;
owner forms also carry Flask-WTF's token. The answer form needs no token: an answer
is anonymous, and the cookie that names a friend's own answer is SameSite=Lax, so no
cross-site POST carries it.
"""

from flask import Flask
from flask import request
from flask_babel import gettext

from .refusals import Refused

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_SITE = frozenset({"same-origin", "none"})


class CrossOriginRequest(Refused):
    status = 403

    def __init__(self):
        super().__init__(
            gettext(
                "This form was sent from another site, so nothing was done. "
                "Open the page on this site and send it from there."
            )
        )


def is_cross_origin() -> bool:
    """Tell whether the request came from another site's page, as its browser says."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in SAME_SITE
    origin = request.headers.get("Origin")
    return origin is not None and origin.lower() != f"{request.scheme}://{request.host}".lower()


def refuse_cross_origin() -> None:
    """Before every unsafe request: 403 when it came from another site."""
    if request.method not in SAFE_METHODS and is_cross_origin():
        raise CrossOriginRequest


def init_app(app: Flask) -> None:
    app.before_request(refuse_cross_origin)
