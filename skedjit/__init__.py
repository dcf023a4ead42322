"""Skedjit: share an event with friends by one short link."""

from pathlib import Path

from flask import Flask

from config import Config
from config import config_from_environment

from . import assets
from . import cross_origin
from . import database
from . import event_page
from . import expiry
from . import health
from . import i18n
from . import jobs
from . import mail
from . import metrics
from . import origin
from . import outbox
from . import quorum
from . import rate_limits
from . import refusals
from . import request_bodies
from . import request_log
from . import security
from .errors import register_error_handlers
from .extensions import csrf
from .extensions import db
from .extensions import migrate
from .instance_files import load_or_create_secret_key
from .invites import reminders
from .polls import service as poll_service
from .quorum import service as quorum_service
from .routing import SlugConverter
from .text import linkify

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config_class: type[Config] | None = None, instance_path: str | None = None) -> Flask:
    """Create and configure an instance of the Skedjit application."""
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    configure(app, config_class or config_from_environment())
    # Hooks run in the order they are added: the request checks come before
    # Flask-WTF's token check, which the extensions add.
    register_request_checks(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    refusals.init_app(app)
    register_wsgi_middleware(app)
    app.shell_context_processor(_shell_context)
    return app


def configure(app: Flask, config_class: type[Config]) -> None:
    """Settings, with the database and the secret key in the instance folder unless set."""
    app.config.from_object(config_class)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        database_file = Path(app.instance_path) / "skedjit.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database_file}"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_or_create_secret_key(app.instance_path)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.filters["linkify"] = linkify
    app.url_map.converters["slug"] = SlugConverter


def register_extensions(app: Flask) -> None:
    """The database (with its time limits) first: the others may need its engine."""
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    csrf.init_app(app)
    mail.mailer.init_app(app)
    jobs.init_app(
        app,
        jobs=[outbox.send_email],
        periodic={
            outbox.sweep_emails: jobs.EVERY_MINUTE,
            reminders.send_reminders: jobs.EVERY_MINUTE,
            quorum_service.decide_due: jobs.EVERY_MINUTE,
            poll_service.pick_due: jobs.EVERY_MINUTE,
            poll_service.remind_due: jobs.EVERY_MINUTE,
            expiry.prune: jobs.EVERY_HOUR,
        },
    )
    expiry.init_app(app)
    quorum.init_app(app)
    assets.init_app(app)
    event_page.init_app(app)
    i18n.init_app(app)


def register_blueprints(app: Flask) -> None:
    from .bring import bp as bring_bp
    from .calendars import bp as calendars_bp
    from .events import bp as events_bp
    from .hosting import bp as hosting_bp
    from .invites.routes import bp as invites_bp
    from .polls import bp as polls_bp
    from .recovery import bp as recovery_bp
    from .rsvps import bp as rsvps_bp
    from .sharing import bp as sharing_bp

    blueprints = (
        *(events_bp, calendars_bp, sharing_bp, rsvps_bp, invites_bp, recovery_bp, hosting_bp),
        i18n.bp,
        bring_bp,
        polls_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)


def register_request_checks(app: Flask) -> None:
    """Checks before every view, in this order; then the headers every answer gets."""
    cross_origin.init_app(app)  # a cross-site form is refused before anything else looks at it
    request_bodies.init_app(app)  # then a body that is not a form
    rate_limits.init_app(app)
    security.init_app(app)


def register_wsgi_middleware(app: Flask) -> None:
    """Proxies' headers are read first, then the request log times everything, and the
    metrics count it, but the scrapes and the health checks, answered before them."""
    origin.init_app(app)
    request_log.init_app(app)
    metrics.init_app(app)  # /metrics to its addresses: no host check, no limit, no log line
    health.init_app(app)  # outermost: no host check, no limit, no log line, not counted


def _shell_context() -> dict:
    from .models import Event

    return {"db": db, "Event": Event}
