"""The database: time limits in its URL, the event page's read engine, and transactions.

committed() is the one way code outside a test writes: one transaction, committed
when the block ends and rolled back if it raises.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from . import database_waits
from .extensions import db

READ_ENGINE = "skedjit.read_engine"


def with_timeouts(url: str, connect_seconds: int, statement_seconds: float) -> str:
    """The URL with connect and statement time limits as driver options, unless it sets its own.

    PostgreSQL gets libpq's `connect_timeout` and a session `statement_timeout`
    (lock waits included); SQLite gets the time a write waits for another's lock.
    0 leaves a limit out.
    """
    parsed = make_url(url)
    query = dict(parsed.query)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        if connect_seconds:
            query.setdefault("connect_timeout", str(connect_seconds))
        options = query.get("options", "")
        if statement_seconds and "statement_timeout" not in options:
            limit = f"-c statement_timeout={round(statement_seconds * 1000)}"
            query["options"] = f"{options} {limit}".strip()
    elif backend == "sqlite" and statement_seconds:
        query.setdefault("timeout", str(statement_seconds))
    return parsed.set(query=query).render_as_string(hide_password=False)


@contextmanager
def committed() -> Iterator[None]:
    """One transaction: committed when the block ends, rolled back if it raises."""
    try:
        yield
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def insert_new(table, rows: list[dict]):
    """An INSERT of the rows that leaves out those whose key is taken (on either database)."""
    dialect = db.session.get_bind().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    return insert(table).values(rows).on_conflict_do_nothing()


def roll_back() -> None:
    """Undo the request's transaction; if its connection has died, just let the connection go."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session().invalidate()


def _end_session(_error: BaseException | None) -> None:
    """Close the request's session, before Flask-SQLAlchemy's teardown would.

    Closing rolls back an open transaction; when the database went away after
    the answer was made, that fails, and the answer must still go out.
    """
    try:
        db.session.remove()
    except SQLAlchemyError:
        db.session().invalidate()
        db.session.remove()


def read_engine() -> Engine:
    """The app's second engine, for the event page's reads.

    Autocommit (no BEGIN and ROLLBACK round trips around a single SELECT) and no
    ping before each checkout: a connection found dead is retried by the caller.
    """
    return current_app.extensions[READ_ENGINE]


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """Make SQLite enforce foreign keys and let readers run beside a writer."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        # How long a write waits for another's lock is in the URL (with_timeouts).
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def init_app(app: Flask) -> None:
    """Bind the database with the configured time limits, its read engine, and clean teardown.

    Every connection is made from that URL: the app's engine, the event page's
    read engine and the change listener's own connection; on PostgreSQL each of
    their waits has a deadline from it (database_waits.py). Parameters never reach
    a log: an error message must not carry what a person typed or a hash.
    """
    app.config["SQLALCHEMY_DATABASE_URI"] = with_timeouts(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["DATABASE_CONNECT_TIMEOUT"],
        app.config["DATABASE_STATEMENT_TIMEOUT"],
    )
    options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "hide_parameters": True}
    postgresql = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "postgresql"
    if postgresql:
        # A request waits for a pooled connection no longer than for a new one.
        options.setdefault("pool_timeout", app.config["DATABASE_CONNECT_TIMEOUT"] or 30)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    app.teardown_request(_end_session)  # request teardowns run before app context ones
    with app.app_context():
        url = db.engine.url
        if postgresql:
            database_waits.init(db.engine)
    app.extensions[READ_ENGINE] = create_engine(
        url, isolation_level="AUTOCOMMIT", pool_reset_on_return=None, hide_parameters=True
    )
