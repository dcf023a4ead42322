"""Configuration classes; the only place that reads the environment."""

import os
from datetime import timedelta

OFF = ("0", "false", "no", "off")


def normalize_database_url(url: str | None) -> str | None:
    """Return the URL with PostgreSQL schemes pointed at psycopg2."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def environment_flag(name: str, default: bool) -> bool:
    """Read a yes/no setting: 1/true/yes/on or 0/false/no/off."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise RuntimeError(f"{name}={value!r} is not one of 1/true/yes/on or 0/false/no/off")


# What `./build.sh serve` is reached at, and what a proxy on the same machine sends unless
# told otherwise; no one can point a link at someone else's site with them. Werkzeug
# cannot match an IPv6 literal such as [::1] against a list, so it is not offered.
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(names: str | None, server_name: str | None) -> list[str]:
    """The listed host names; else SERVER_NAME (if set) and this machine's own names."""
    listed = [name.strip() for name in (names or "").split(",") if name.strip()]
    if listed:
        return listed
    return [server_name, *LOCAL_HOSTS] if server_name else list(LOCAL_HOSTS)


class Config:
    """Settings shared by every environment."""

    # None: a key generated once and kept in the instance folder.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # None: a SQLite file in the instance folder.
    SQLALCHEMY_DATABASE_URI = normalize_database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    # Seconds to wait for a new PostgreSQL connection (0: no limit).
    DATABASE_CONNECT_TIMEOUT = int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5"))
    # Seconds one statement may run or wait for a lock (PostgreSQL; 0: no limit); on SQLite,
    # how long a write waits for another's lock.
    DATABASE_STATEMENT_TIMEOUT = float(os.environ.get("DATABASE_STATEMENT_TIMEOUT", "5"))
    BCRYPT_ROUNDS = int(os.environ.get("BCRYPT_ROUNDS", "12"))
    MAX_CONTENT_LENGTH = 64 * 1024
    OWNER_ACCESS_LIFETIME = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = OWNER_ACCESS_LIFETIME
    SESSION_REFRESH_EACH_REQUEST = False
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = environment_flag("SESSION_COOKIE_SECURE", False)
    WTF_CSRF_TIME_LIMIT = 6 * 3600
    # Static URLs carry a content hash, so browsers may keep the files a year.
    SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=365)
    # How many reverse proxies in front set X-Forwarded-For/-Proto/-Host (0: trust none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    # Fixed host name and scheme for absolute links, e.g. behind a proxy that rewrites Host.
    SERVER_NAME = os.environ.get("SERVER_NAME") or None
    # Host names requests may be addressed to (comma-separated; ".example.org" takes its
    # subdomains too). Any other Host is refused, so no link is built on a forged one.
    TRUSTED_HOSTS = trusted_hosts(os.environ.get("TRUSTED_HOSTS"), SERVER_NAME)
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # Domain in calendar UIDs; by default the host the request came to.
    CALENDAR_DOMAIN = os.environ.get("CALENDAR_DOMAIN") or None
    # Rendered event pages kept per process (about 6 KB each).
    EVENT_PAGE_CACHE_SIZE = int(os.environ.get("EVENT_PAGE_CACHE_SIZE", "512"))
    # Abuse limits per client address (README: "Abuse limits"); off only when asked.
    RATELIMIT_ENABLED = os.environ.get("RATELIMIT_ENABLED", "1").lower() not in OFF
    # memory:// counts in each process; redis://host:6379/0 shares counts between them.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # A Redis that hangs must not hold every request: give up after half a second.
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    # Flask-Limiter notation ("10 per hour", "20/minute;200/hour"); empty: no such limit.
    RATELIMIT_CREATES = os.environ.get("RATELIMIT_CREATES", "10 per hour")
    RATELIMIT_WRONG_PASSWORDS = os.environ.get("RATELIMIT_WRONG_PASSWORDS", "20 per hour")
    RATELIMIT_RSVPS = os.environ.get("RATELIMIT_RSVPS", "30 per hour")
    RATELIMIT_UNKNOWN_EVENTS = os.environ.get("RATELIMIT_UNKNOWN_EVENTS", "20 per minute")
    # Email (README: "Email"): off unless MAIL_SERVER names an SMTP server.
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = environment_flag("MAIL_USE_TLS", False)  # STARTTLS, usually on port 587
    MAIL_USE_SSL = environment_flag("MAIL_USE_SSL", False)  # TLS from the start, port 465
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    # The From of every email, e.g. "Skedjit <events@example.org>".
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER") or None
    # Seconds to wait for the mail server to connect or answer one command.
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    # Flask-Mail would send nothing when TESTING is on; the tests run a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    TESTING = False
    DEBUG = False


class DevelopmentConfig(Config):
    """Local development with the Flask debugger."""

    DEBUG = True


class TestingConfig(Config):
    """The test suite: cheap bcrypt; tests set the database and the key."""

    TESTING = True
    BCRYPT_ROUNDS = 4
    # Tests make many requests from one address; tests/test_rate_limits.py turns limits on.
    RATELIMIT_ENABLED = False
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    # The test client's host, and the reserved example domains the tests send requests to.
    TRUSTED_HOSTS = [*LOCAL_HOSTS, ".example", ".example.org"]


class ProductionConfig(Config):
    """Serving real people."""

    # Browsers keep Secure cookies over plain HTTP only for localhost; set 0 to serve
    # plain HTTP to other machines.
    SESSION_COOKIE_SECURE = environment_flag("SESSION_COOKIE_SECURE", True)


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_from_environment() -> type[Config]:
    """Pick the config class named by SKEDJIT_ENV (production by default)."""
    name = os.environ.get("SKEDJIT_ENV", "production")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"SKEDJIT_ENV={name!r} is not one of {', '.join(CONFIGS)}") from None
