"""Flask's signed-cookie sessions, with the signer made once instead of on every request.

Flask builds a new serializer (and its HMAC) for each request, even one with no
cookie at all, such as a friend opening an event link: on the event page that was
a tenth of the work (bench/analysis.md).
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's default, signed by a serializer kept per set of keys."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]
