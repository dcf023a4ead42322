"""Extension objects, created once and bound to an app in create_app()."""

import functools
import ipaddress
import smtplib
import sqlite3
import ssl

from flask import Flask
from flask import after_this_request
from flask import current_app
from flask import request
from flask.wrappers import Response
from flask_limiter import Limiter
from flask_mail import Connection
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from limits.storage import Storage
from limits.strategies import RateLimiter
from sqlalchemy import MetaData
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base whose constraints have predictable names."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# After a commit, objects keep the values just written: a view answers from them without
# asking again, so a connection lost after the commit cannot turn a saved change into an
# error page. (A Core UPDATE, like the answers' lock, does not change loaded objects.)
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True, compare_type=True)
csrf = CSRFProtect()


def client_address() -> str:
    """The address limits count by: the client's IP, or an IPv6 client's whole /64.

    request.remote_addr is the peer, or what trusted proxies (TRUSTED_PROXIES) said.
    One IPv6 subscriber usually holds a whole /64, so its addresses count as one.
    """
    address = request.remote_addr or ""
    return address if ":" not in address else _ipv6_key(address)


@functools.lru_cache(maxsize=4096)
def _ipv6_key(address: str) -> str:
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped:  # an IPv4 client of a dual-stack socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False))


class AppLimiter(Limiter):
    """Flask-Limiter with each app's own counts, and nothing to pay where no limit applies.

    Flask-Limiter keeps one storage on the extension object, so the app bound last
    would count for every app of the process; here each app keeps its own in
    app.extensions, like the read engine. Its hooks would also run around every
    request (about 75 µs on the event page, half a returning browser's whole 304);
    Skedjit declares every limit on its views, so only those views pay.
    """

    key = "skedjit.limiter"

    def init_app(self, app: Flask) -> None:
        if not app.config.setdefault("RATELIMIT_ENABLED", True):
            return  # no storage and no hooks
        app.extensions.setdefault("limiter", set()).add(self)  # Flask-Limiter then adds no hooks
        super().init_app(app)
        app.extensions[self.key] = (self._storage, self._limiter)

    @property
    def storage(self) -> Storage:
        return current_app.extensions[self.key][0]

    @property
    def limiter(self) -> RateLimiter:
        return current_app.extensions[self.key][1]

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        """Check a limited view's limits; only its decorator calls this now."""
        if self.key in current_app.extensions:
            after_this_request(self._after_limited_view)
            super()._check_request_limit(callable_name, in_middleware)

    def _after_limited_view(self, response: Response) -> Response:
        """Count the limits that count by the response (their deduct_when)."""
        return self._Limiter__inject_headers(response)  # Flask-Limiter's own after_request


limiter = AppLimiter(client_address, strategy="fixed-window", swallow_errors=True)


class TimedConnection(Connection):
    """Flask-Mail's SMTP connection, with a timeout and TLS that checks the server's certificate.

    Flask-Mail connects without a timeout, and smtplib's TLS trusts any certificate.
    """

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config["MAIL_TIMEOUT"]
        context = ssl.create_default_context()
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(
                self.mail.server, self.mail.port, timeout=timeout, context=context
            )
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        try:
            if self.mail.use_tls:
                host.starttls(context=context)
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host


class Mailer(Mail):
    """Flask-Mail, bound only when MAIL_SERVER is set: email is optional."""

    def init_app(self, app: Flask) -> None:
        if not app.config.get("MAIL_SERVER"):
            return
        if not app.config.get("MAIL_DEFAULT_SENDER"):
            raise RuntimeError("MAIL_SERVER is set but MAIL_DEFAULT_SENDER (the From) is not")
        if app.config.get("MAIL_USE_TLS") and app.config.get("MAIL_USE_SSL"):
            raise RuntimeError("Set MAIL_USE_TLS (STARTTLS) or MAIL_USE_SSL, not both")
        super().init_app(app)

    def connect(self) -> TimedConnection:
        return TimedConnection(current_app.extensions["mail"])


mailer = Mailer()


class ReadEngine:
    """A second engine for the event page's one read.

    Autocommit (no BEGIN and ROLLBACK round trips around a single SELECT) and no
    ping before each checkout: a connection found dead is retried by the caller.
    """

    key = "skedjit.read_engine"

    def init_app(self, app: Flask) -> None:
        with app.app_context():
            url = db.engine.url
        app.extensions[self.key] = create_engine(
            url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None
        )

    @property
    def engine(self) -> Engine:
        return current_app.extensions[self.key]


read_engine = ReadEngine()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys and let readers run beside a writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # How long a write waits for another's lock is in the URL (skedjit/database.py).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
