"""The database going away: sessions that end cleanly when their connection has died."""

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db


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
    """End every request's session cleanly, even when the database went away."""
    app.teardown_request(_end_session)  # request teardowns run before app context ones
