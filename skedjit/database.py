"""The database going away: time limits on every connection, and sessions that end cleanly."""

from flask import Flask
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db


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


def init_app(app: Flask) -> None:
    """Put the configured time limits into the database URL, and end sessions cleanly.

    Every connection is made from that URL: the app's engine, the event page's
    read engine and the change listener's own connection.
    """
    app.config["SQLALCHEMY_DATABASE_URI"] = with_timeouts(
        app.config["SQLALCHEMY_DATABASE_URI"],
        app.config["DATABASE_CONNECT_TIMEOUT"],
        app.config["DATABASE_STATEMENT_TIMEOUT"],
    )
    app.teardown_request(_end_session)  # request teardowns run before app context ones
