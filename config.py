"""Configuration classes, and the one place that reads the environment.

The classes hold defaults only. config_from_environment() reads the environment
when it is called (by create_app), so importing this module reads nothing and
the tests' configuration never depends on what the caller exported.
"""

import os
from collections.abc import Callable
from collections.abc import Mapping
from datetime import timedelta


def normalize_database_url(url: str | None) -> str | None:
    """Return the URL with PostgreSQL schemes pointed at psycopg2."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def parse_flag(value: str, name: str) -> bool:
    """A yes/no setting: 1/true/yes/on or 0/false/no/off."""
    value = value.lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name}={value!r} is not one of 1/true/yes/on or 0/false/no/off")


def parse_number(kind: type) -> Callable[[str, str], int | float]:
    def parse(value: str, name: str):
        try:
            return kind(value)
        except ValueError:
            raise RuntimeError(f"{name}={value!r} is not a number") from None

    return parse


def parse_text(value: str, _name: str) -> str:
    return value


def parse_names(value: str, _name: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


# What `./build.sh serve` is reached at, and what a proxy on the same machine sends unless
# told otherwise; no one can point a link at someone else's site with them. Werkzeug
# cannot match an IPv6 literal such as [::1] against a list, so it is not offered.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(names: str | None, server_name: str | None) -> list[str]:
    """The listed host names; else SERVER_NAME (if set) and this machine's own names."""
    listed = parse_names(names or "", "TRUSTED_HOSTS")
    if listed:
        return listed
    return [server_name, *LOCAL_HOSTS] if server_name else list(LOCAL_HOSTS)


class Config:
    """Defaults shared by every environment."""

    # None: a key generated once and kept in the instance folder.
    SECRET_KEY = None
    # None: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds to wait for a new PostgreSQL connection (0: no limit).
    DATABASE_CONNECT_TIMEOUT = 5
    # Seconds one statement may run or wait for a lock (PostgreSQL; 0: no limit); on SQLite,
    # how long a write waits for another's lock.
    DATABASE_STATEMENT_TIMEOUT = 5.0
    BCRYPT_ROUNDS = 12
    MAX_CONTENT_LENGTH = 64 * 1024
    OWNER_ACCESS_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = OWNER_ACCESS_LIFETIME
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # Static URLs carry a content hash, so browsers may keep the files a year.
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)
    # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
    TRUSTED_PROXIES = 0
    # Fixed host name and scheme for absolute links, e.g. behind a proxy that rewrites Host.
    SERVER_NAME = None
    # Host names requests may be addressed to (".example.org" takes its subdomains too).
    # Any other Host is refused, so no link is built on a forged one.
    TRUSTED_HOSTS = list(LOCAL_HOSTS)
    PREFERRED_URL_SCHEME = "http"
    # Domain in calendar UIDs; by default the host the request came to.
    CALENDAR_DOMAIN = None
    # Event rows and rendered event pages kept per process (a page is about 8 KB).
    EVENT_PAGE_CACHE_SIZE = 512
    # Abuse limits per client address (README: "Abuse limits").
    RATELIMIT_ENABLED = True
    # memory:// counts in each process; redis://host:6379/0 shares counts between them.
    RATELIMIT_STORAGE_URI = "memory://"
    # limits' notation ("10 per hour", "20/minute;200/hour"); empty: no such limit.
    RATELIMIT_CREATES = "10 per hour"
    RATELIMIT_WRONG_PASSWORDS = "20 per hour"
    RATELIMIT_RSVPS = "30 per hour"
    RATELIMIT_UNKNOWN_EVENTS = "20 per minute"
    RATELIMIT_RECOVERIES = "5 per hour"
    RATELIMIT_RECOVERIES_PER_EVENT = "3 per hour"
    RATELIMIT_EMAILS = "100 per day"
    # Email (README: "Email"): off unless MAIL_SERVER names an SMTP server.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS, usually on port 587
    MAIL_USE_SSL = False  # TLS from the start, port 465
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    # The From of every email, e.g. "Skedjit <events@example.org>".
    MAIL_DEFAULT_SENDER = None
    # Seconds to wait for the mail server to connect or answer one command.
    MAIL_TIMEOUT = 10.0
    # Emails this instance sends in a UTC day at most, all kinds together (0: no limit).
    MAIL_DAILY_LIMIT = 2000
    # Flask-Mail would send nothing when TESTING is on; the tests run a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    # The job queue (README: "Email, reminders and the worker"): None, a SQLite file in the
    # instance folder; redis://host:6379/1 for several machines.
    QUEUE_URL = None
    # Days after its end that an event is deleted, with its answers (README: "Data that expires").
    EVENT_RETENTION_DAYS = 60
    # Threads of one worker process (`flask --app wsgi worker`).
    QUEUE_WORKERS = 4
    # Prometheus metrics at /metrics (README: "Metrics"), for these socket peers only
    # (addresses or networks); anyone else gets a 404.
    METRICS_ENABLED = False
    METRICS_ALLOW = ["127.0.0.1", "::1"]
    # Where gunicorn's processes count their metrics, for a scrape to add them up
    # (gunicorn.conf.py sets it); None: each app counts in memory.
    PROMETHEUS_MULTIPROC_DIR = None
    # Seconds before an email the mail server did not take is tried again: the first
    # delay, doubled each time up to the second (README: "Email, reminders and the worker").
    MAIL_RETRY_SECONDS = (15, 60)
    # Seconds an email waits past its time, or stays taken by a worker that may have died,
    # before the worker's sweep queues it again. Keep it well above what one send can take
    # (MAIL_TIMEOUT for each SMTP command), or a slow send could go twice.
    MAIL_STALE_SECONDS = 300
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """Local development with the Flask debugger."""

    DEBUG = True


class TestingConfig(Config):
    """The test suite: cheap bcrypt; tests set the database and the key."""

    TESTING = True
    BCRYPT_ROUNDS = 4
    # Tests make many requests from one address; the tests of limits turn them on.
    RATELIMIT_ENABLED = False
    # The test client's host, and the reserved example domains the tests send requests to.
    TRUSTED_HOSTS = [*LOCAL_HOSTS, ".example", ".example.org"]


class ProductionConfig(Config):
    """Serving real people."""

    # Browsers keep Secure cookies over plain HTTP only for localhost; set
    # SESSION_COOKIE_SECURE=0 to serve plain HTTP to other machines.
    SESSION_COOKIE_SECURE = True


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

#: Setting -> (environment variable, how its text is read). An empty variable is unset.
ENVIRONMENT: dict[str, tuple[str, Callable]] = {
    "SECRET_KEY": ("SECRET_KEY", parse_text),
    "SQLALCHEMY_DATABASE_URI": ("DATABASE_URL", lambda value, _: normalize_database_url(value)),
    "DATABASE_CONNECT_TIMEOUT": ("DATABASE_CONNECT_TIMEOUT", parse_number(int)),
    "DATABASE_STATEMENT_TIMEOUT": ("DATABASE_STATEMENT_TIMEOUT", parse_number(float)),
    "BCRYPT_ROUNDS": ("BCRYPT_ROUNDS", parse_number(int)),
    "SESSION_COOKIE_SECURE": ("SESSION_COOKIE_SECURE", parse_flag),
    "TRUSTED_PROXIES": ("TRUSTED_PROXIES", parse_number(int)),
    "SERVER_NAME": ("SERVER_NAME", parse_text),
    "TRUSTED_HOSTS": ("TRUSTED_HOSTS", parse_names),
    "PREFERRED_URL_SCHEME": ("PREFERRED_URL_SCHEME", parse_text),
    "CALENDAR_DOMAIN": ("CALENDAR_DOMAIN", parse_text),
    "EVENT_PAGE_CACHE_SIZE": ("EVENT_PAGE_CACHE_SIZE", parse_number(int)),
    "RATELIMIT_ENABLED": ("RATELIMIT_ENABLED", parse_flag),
    "RATELIMIT_STORAGE_URI": ("RATELIMIT_STORAGE_URI", parse_text),
    "MAIL_SERVER": ("MAIL_SERVER", parse_text),
    "MAIL_PORT": ("MAIL_PORT", parse_number(int)),
    "MAIL_USE_TLS": ("MAIL_USE_TLS", parse_flag),
    "MAIL_USE_SSL": ("MAIL_USE_SSL", parse_flag),
    "MAIL_USERNAME": ("MAIL_USERNAME", parse_text),
    "MAIL_PASSWORD": ("MAIL_PASSWORD", parse_text),
    "MAIL_DEFAULT_SENDER": ("MAIL_DEFAULT_SENDER", parse_text),
    "MAIL_TIMEOUT": ("MAIL_TIMEOUT", parse_number(float)),
    "MAIL_DAILY_LIMIT": ("MAIL_DAILY_LIMIT", parse_number(int)),
    "QUEUE_URL": ("QUEUE_URL", parse_text),
    "EVENT_RETENTION_DAYS": ("EVENT_RETENTION_DAYS", parse_number(int)),
    "QUEUE_WORKERS": ("QUEUE_WORKERS", parse_number(int)),
    "METRICS_ENABLED": ("METRICS_ENABLED", parse_flag),
    "METRICS_ALLOW": ("METRICS_ALLOW", parse_names),
    "PROMETHEUS_MULTIPROC_DIR": ("PROMETHEUS_MULTIPROC_DIR", parse_text),
    "MAIL_STALE_SECONDS": ("MAIL_STALE_SECONDS", parse_number(int)),
}
#: Limits may be set empty on purpose (no such limit), so an empty variable counts.
LIMITS = [
    f"RATELIMIT_{name}"
    for name in (
        "CREATES",
        "WRONG_PASSWORDS",
        "RSVPS",
        "UNKNOWN_EVENTS",
        "RECOVERIES",
        "RECOVERIES_PER_EVENT",
        "EMAILS",
    )
]


def config_from_environment(environ: Mapping[str, str] | None = None) -> type[Config]:
    """The class SKEDJIT_ENV names (production by default), with the environment's settings."""
    environ = os.environ if environ is None else environ
    name = environ.get("SKEDJIT_ENV", "production")
    try:
        base = CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SKEDJIT_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
    settings = {}
    for setting, (variable, parse) in ENVIRONMENT.items():
        value = environ.get(variable, "").strip()
        if value:
            settings[setting] = parse(value, variable)
    settings.update((name, environ[name].strip()) for name in LIMITS if name in environ)
    if "TRUSTED_HOSTS" not in settings and settings.get("SERVER_NAME"):
        settings["TRUSTED_HOSTS"] = trusted_hosts(None, settings["SERVER_NAME"])
    return type(base.__name__, (base,), settings)
