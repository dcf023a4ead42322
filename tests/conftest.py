"""Fixtures: every test that takes `app` runs on SQLite and on PostgreSQL."""

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from functools import partial
from pathlib import Path

import hypothesis
import psycopg2
import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event as sa_event
from sqlalchemy.engine import make_url

from config import normalize_database_url
from skedjit import models
from skedjit.answers import service as answers
from skedjit.database import read_engine
from skedjit.event_page import data as event_page_data
from skedjit.events import service
from skedjit.extensions import db
from skedjit.models import Event
from tests.helpers.apps import BACKENDS
from tests.helpers.apps import close_app
from tests.helpers.apps import empty_database
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.browser import Browser
from tests.helpers.browser import browser_of
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import event_form
from tests.helpers.mail import mail_settings
from tests.helpers.ports import free_port
from tests.helpers.processes import terminate
from tests.helpers.smtp import MailServer
from tests.helpers.worker import SettlingClient
from tests.helpers.worker import running_worker

# Property tests: few examples by default (they run on both databases in every build);
# `pytest --hypothesis-profile=thorough` tries many more. Each example posts real
# requests, so there is no deadline, and the function-scoped `app` is shared by the
# examples of a test on purpose: the tests empty the database per example themselves.
hypothesis.settings.register_profile(
    "skedjit",
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)
hypothesis.settings.register_profile(
    "thorough", hypothesis.settings.get_profile("skedjit"), max_examples=500
)
hypothesis.settings.load_profile("skedjit")


def pytest_collection_modifyitems(config, items) -> None:
    """Run the tests marked one_backend on SQLite only."""
    twice = [
        item
        for item in items
        if item.get_closest_marker("one_backend")
        and getattr(item, "callspec", None)
        and "postgresql" in item.callspec.params.values()
    ]
    if twice:
        config.hook.pytest_deselected(items=twice)
        items[:] = [item for item in items if item not in twice]


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The URL of the PostgreSQL database tests may fill and empty."""
    url = normalize_database_url(os.environ.get("TEST_DATABASE_URL"))
    if not url:
        message = "no PostgreSQL for the tests: run ./build.sh or set TEST_DATABASE_URL"
        if os.environ.get("SKEDJIT_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def new_database_url(request, tmp_path_factory) -> Iterator[Callable[[str], str]]:
    """Return a callable that makes an empty database of a backend and gives its URL."""
    created: list[tuple[str, str]] = []

    def make(backend: str) -> str:
        name = f"skedjit_{uuid.uuid4().hex[:12]}"
        if backend == "sqlite":
            return f"sqlite:///{tmp_path_factory.mktemp('db') / name}.sqlite3"
        postgres_url = request.getfixturevalue("postgres_url")
        _run_admin_sql(postgres_url, f'CREATE DATABASE "{name}"')
        created.append((postgres_url, name))
        return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)

    yield make
    for postgres_url, name in created:
        _run_admin_sql(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, new_database_url) -> str:
    """An empty database (no schema yet) of each backend."""
    return new_database_url(request.param)


def _run_admin_sql(postgres_url: str, statement: str) -> None:
    """Run one statement outside a transaction in the server's postgres database."""
    url = make_url(postgres_url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=url.username,
        password=url.password,
        host=url.host or url.query.get("host"),
        port=url.port,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(statement)
    finally:
        connection.close()


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request, new_database_url, tmp_path_factory) -> str:
    """A database of each backend with the schema made by the migrations, for this run alone.

    Each pytest-xdist worker gets its own, so parallel workers never share rows.
    """
    url = new_database_url(request.param)
    app = new_test_app(make_config(url), instance_path=str(tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture
def backend(database_url: str) -> str:
    """'sqlite' or 'postgresql': the backend of this test run."""
    return make_url(database_url).get_backend_name()


@pytest.fixture
def app(database_url: str, tmp_path: Path) -> Iterator[Flask]:
    """The app on a migrated database that is emptied after each test."""
    app = new_test_app(make_config(database_url), instance_path=str(tmp_path / "instance"))
    yield app
    empty_database(app)
    close_app(app)


@pytest.fixture
def make_app(app: Flask, database_url: str, tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Return a callable that makes another app (another process, as it were) on the
    database; `app` empties the database after the test."""
    apps: list[Flask] = []

    def make(**settings) -> Flask:
        instance = tmp_path / f"instance-{len(apps)}"
        # The apps of one test share one queue, as the processes of one machine do.
        settings.setdefault("QUEUE_URL", f"sqlite:///{tmp_path / 'queue.sqlite3'}")
        apps.append(
            new_test_app(make_config(database_url, **settings), instance_path=str(instance))
        )
        return apps[-1]

    yield make
    for other in apps:
        close_app(other)


@pytest.fixture
def make_limited_app(make_app) -> Callable[..., Flask]:
    """Return a callable that makes an app with the abuse limits on."""
    return lambda **settings: make_app(RATELIMIT_ENABLED=True, **settings)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 that keeps nothing on disk; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        message = "no redis-server on PATH (apt-get install redis-server) to test shared limits"
        if os.environ.get("SKEDJIT_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    directory = tmp_path_factory.mktemp("redis")
    for _attempt in range(3):  # another process may take the free port first
        port = free_port()
        command = [binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", str(directory)]
        command += ["--save", "", "--appendonly", "no"]
        with (directory / "redis.log").open("wb") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            if _redis_answers(url, process):
                yield url
                return
        finally:
            terminate(process)
    pytest.fail(f"redis-server did not start:\n{(directory / 'redis.log').read_text()}")


def _redis_answers(url: str, process: subprocess.Popen) -> bool:
    """Wait until the server answers a PING; False if it exits or takes 20 s."""
    deadline = time.monotonic() + 20
    with redis.Redis.from_url(url) as client:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                return client.ping()
            except redis.ConnectionError:
                time.sleep(0.05)
    return False


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """The throwaway Redis, emptied for this test."""
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


@pytest.fixture(scope="session")
def mail_server_session() -> Iterator[MailServer]:
    """One real SMTP server on 127.0.0.1 for the whole run; tests take `mail_server`."""
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_server(mail_server_session: MailServer) -> MailServer:
    """The test SMTP server with no messages, sessions or refusals yet."""
    mail_server_session.reset()
    return mail_server_session


@pytest.fixture
def closed_mail_port() -> int:
    """A port on 127.0.0.1 where no mail server listens: connecting there is refused."""
    return free_port()


@pytest.fixture
def mail_app(app: Flask, make_app, mail_server: MailServer) -> Iterator[Flask]:
    """The app (on the database `app` empties) sending email to the test SMTP server,
    with its worker running. Its test clients' requests return once the worker has
    handled the emails they owed (tests/helpers/worker.py)."""
    mailing = make_app(**mail_settings(mail_server), MAIL_RETRY_SECONDS=(0.2, 0.5))
    mailing.test_client_class = SettlingClient
    with running_worker(mailing):
        yield mailing


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A browser with no cookies yet."""
    return app.test_client()


@pytest.fixture
def make_browser(app: Flask) -> Callable[..., Browser]:
    """Return a callable that opens a new browser (its own cookies), from an address."""
    return partial(browser_of, app)


@pytest.fixture
def browser(make_browser) -> Browser:
    """A browser with no owner access to anything yet."""
    return make_browser()


@pytest.fixture
def create_event_as(app: Flask) -> Callable[..., str]:
    """Return a callable that creates an event through the form in a browser; gives its slug."""

    def create(browser: Browser, **overrides) -> str:
        response = browser.post("/create", data=event_form(**overrides))
        assert response.status_code == 303, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[1]

    return create


@pytest.fixture
def make_event(app: Flask) -> Callable[..., str]:
    """Return a callable that stores an event directly (no browser gets owner access)."""

    def make(password: str = PASSWORD, **fields) -> str:
        values = {
            "title": "Picnic",
            "starts_at": datetime(2054, 7, 10, 10, 0, tzinfo=UTC),
            "timezone": "Europe/Paris",
            "location": "Parc",
            "description": "",
        }
        values.update(fields)
        with app.app_context():
            return service.create_event(values, password)[0].slug

    return make


@pytest.fixture
def clock(monkeypatch) -> Callable[[datetime], None]:
    """Return a callable that sets the time answers are taken and shown at."""

    def set_to(instant: datetime) -> None:
        for module in (answers, event_page_data, models):
            monkeypatch.setattr(module, "utcnow", lambda: instant)

    return set_to


@pytest.fixture
def load_event(app: Flask) -> Callable[[str], Event | None]:
    """Return a callable that reads an event from the database, detached."""

    def load(slug: str) -> Event | None:
        with app.app_context():
            event = service.find_event(slug)
            if event is not None:
                db.session.expunge(event)
            return event

    return load


@pytest.fixture
def count_queries(app: Flask):
    """Return a context manager that counts the SQL statements sent while it is open."""

    @contextmanager
    def counting(target: Flask | None = None):
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            statements.append(statement)

        with (target or app).app_context():
            engines = (db.engine, read_engine())
        for engine in engines:
            sa_event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            for engine in engines:
                sa_event.remove(engine, "before_cursor_execute", record)

    return counting
