"""Skedjit: share an event with friends by one short link."""

from pathlib import Path

from flask import Flask

from config import Config
from config import config_from_environment

from . import assets
from . import database
from . import origin
from . import rate_limits
from . import request_log
from . import security
from .errors import register_error_handlers
from .extensions import csrf
from .extensions import db
from .extensions import limiter
from .extensions import mailer
from .extensions import migrate
from .extensions import read_engine
from .instance_files import load_or_create_secret_key
from .mail import mail_enabled
from .routing import SlugConverter
from .sessions import CookieSessionInterface
from .text import linkify

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config_class: type[Config] | None = None, instance_path: str | None = None) -> Flask:
    """Create and configure an instance of the Skedjit application."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(config_class or config_from_environment())
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["linkify"] = linkify
    app.add_template_global(mail_enabled)
    _fill_instance_defaults(app)
    database.init_app(app)
    app.url_map.converters["slug"] = SlugConverter
    app.session_interface = CookieSessionInterface()
    origin.init_app(app)

    db.init_app(app)
    read_engine.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    mailer.init_app(app)
    assets.init_app(app)

    from .calendars import bp as calendars_bp
    from .events import bp as events_bp
    from .events import freshness
    from .invites.routes import bp as invites_bp
    from .rsvps.routes import bp as rsvps_bp
    from .sharing import bp as sharing_bp

    freshness.init_app(app)
    app.register_blueprint(events_bp)
    app.register_blueprint(calendars_bp)
    app.register_blueprint(sharing_bp)
    app.register_blueprint(rsvps_bp)
    app.register_blueprint(invites_bp)
    register_error_handlers(app)
    rate_limits.init_app(app)
    security.init_app(app)
    request_log.init_app(app)
    app.shell_context_processor(_shell_context)
    return app


def _fill_instance_defaults(app: Flask) -> None:
    """Keep the database and the secret key in the instance folder unless configured."""
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database = Path(app.instance_path) / "skedjit.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)


def _shell_context() -> dict:
    from .models import Event

    return {"db": db, "Event": Event}
