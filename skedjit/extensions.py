"""Extension objects, created once and bound to an app in create_app()."""

import sqlite3

from flask import Flask
from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
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
