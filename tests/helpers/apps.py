"""Test apps: their configuration, and how they are emptied and closed."""

import secrets

from flask import Flask
from jinja2 import BytecodeCache
from sqlalchemy import func
from sqlalchemy import select

from config import TestingConfig
from config import config_from_environment
from skedjit import create_app
from skedjit.database import read_engine
from skedjit.event_page import rows as event_rows
from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp

BACKENDS = ["sqlite", "postgresql"]


def make_config(database_url: str, **settings) -> type[TestingConfig]:
    """A TestingConfig subclass for one database, with a random secret key."""
    attributes = {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": secrets.token_hex(16),
        **settings,
    }
    return type("TestConfig", (TestingConfig,), attributes)


class CompiledTemplates(BytecodeCache):
    """Templates compiled once for the whole test run, though every test makes its own app."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def new_test_app(config_class: type[TestingConfig], instance_path: str) -> Flask:
    """create_app() for a test, sharing the run's compiled templates."""
    app = create_app(config_class, instance_path=instance_path)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


def close_app(app: Flask) -> None:
    """Stop an app's listener and close its database connections."""
    event_rows.close(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        read_engine().dispose()


def empty_database(app: Flask) -> None:
    """Delete every row the app's tables hold (the schema stays)."""
    with app.app_context():
        db.session.remove()
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
        db.session.commit()


def setting_from_environment(name: str, **environ: str):
    """A setting as config_from_environment() makes it from exactly these variables."""
    return getattr(config_from_environment(environ), name)


def count_rows(app: Flask, model) -> int:
    """How many rows the model's table holds."""
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def answers_of(app, slug: str) -> list[tuple]:
    """The event's stored answers as (name, response, guests, note), oldest first."""
    columns = (Rsvp.name, Rsvp.response, Rsvp.guests, Rsvp.note)
    with app.app_context():
        query = select(*columns).join(Event).where(Event.slug == slug).order_by(Rsvp.id)
        return [tuple(row) for row in db.session.execute(query)]
