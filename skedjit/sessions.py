"""Flask's signed-cookie sessions, without repeating work on every request.

The signer is built once per set of keys, and a cookie string this process
has already verified is not verified again: the same bytes give the same
result, and its age is still checked against the session lifetime.
"""

import copy
import threading
import time
from collections import OrderedDict

from flask import Flask
from flask import Request
from flask.sessions import SecureCookieSession
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature
from itsdangerous import URLSafeTimedSerializer

VERIFIED_COOKIES = 1024


class CookieSessionInterface(SecureCookieSessionInterface):
    """The same cookies as Flask's default, verified once per process."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}
        self._verified: OrderedDict[tuple, tuple[dict, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (tuple(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = app.permanent_session_lifetime.total_seconds()
        key = (value, app.secret_key)
        with self._lock:
            known = self._verified.get(key)
        if known is None:
            try:
                data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            known = (data, signed_at.timestamp())
            with self._lock:
                self._verified[key] = known
                while len(self._verified) > VERIFIED_COOKIES:
                    self._verified.popitem(last=False)
        data, signed_at = known
        if time.time() - signed_at > max_age:
            return self.session_class()
        return self.session_class(copy.deepcopy(data))  # the session may be changed in place
