"""The database stops, restarts or stalls: pages say so at once, and no write is half kept.

The stop and restart tests run on a PostgreSQL cluster of this module's own
(made by tests/postgres.sh), so stopping it leaves the other tests' server alone.
"""

import socket
import sqlite3
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from skedjit import database_waits
from skedjit.database import read_engine
from skedjit.database import roll_back
from skedjit.database import with_timeouts
from skedjit.event_page import rows as event_rows
from skedjit.extensions import db
from skedjit.models import Event
from tests.helpers.apps import close_app
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.postgres import Cluster
from tests.helpers.postgres import throwaway_cluster
from tests.helpers.served import Visitor
from tests.helpers.served import served
from tests.helpers.waiting import wait_until
from tests.helpers.waiting import watch_of

QUICKLY = 3.0  # seconds: "at once" for a person looking at a page
BACK_SECONDS = 15.0  # how long the listener may take to hear the database again
ANSWER = {"name": "Ana", "response": "yes", "guests": "0", "note": ""}


def timed(send: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    response = send()
    return response, time.monotonic() - started


def assert_unavailable(response, label: str = "") -> None:
    """A 503 page that tells the person to retry soon, with no internals."""
    html = response.get_data(as_text=True)
    assert response.status_code == 503, (label, response.status_code, html)
    assert 1 <= int(response.headers["Retry-After"]) <= 30, label
    assert "<h1>Temporarily unavailable</h1>" in html, label
    assert 'class="site-header"' in html, label
    for internal in ("Traceback", "psycopg2", "sqlalchemy", "SELECT", "UPDATE"):
        assert internal not in html, (label, internal)


def within(seconds: float, send: Callable[[], object]) -> tuple[object, float]:
    """Send from a thread and time the answer; fail, rather than hang, when none comes in time."""
    answers: list = []
    thread = threading.Thread(target=lambda: answers.append(timed(send)), daemon=True)
    thread.start()
    thread.join(seconds)
    assert answers, f"no answer within {seconds} s"
    return answers[0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    """This module's own PostgreSQL cluster, migrated."""
    with throwaway_cluster() as cluster:
        app = new_test_app(
            make_config(cluster.url), instance_path=str(tmp_path_factory.mktemp("instance"))
        )
        with app.app_context():
            upgrade()
        close_app(app)
        yield cluster


@pytest.fixture
def outage_app(cluster: Cluster, tmp_path: Path, monkeypatch) -> Iterator[Flask]:
    """The app on this module's cluster, its listener quick to try again."""
    monkeypatch.setattr(event_rows, "RECONNECT_SECONDS", (0.05, 0.5))
    app = new_test_app(make_config(cluster.url), instance_path=str(tmp_path / "instance"))
    yield app
    cluster.restart()  # running again for the next test, whatever this one left
    close_app(app)


def titles_stored(url: str, prefix: str) -> dict[str, str]:
    """The stored events whose title starts with the prefix, as {title: slug}."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(Event.title, Event.slug).where(Event.title.startswith(prefix))
            )
            return dict(rows.all())
    finally:
        engine.dispose()


def listener_of(app: Flask) -> event_rows.PostgresListener:
    return watch_of(app)


def test_pages_answer_503_at_once_while_the_database_is_down_and_work_when_it_is_back(
    cluster, outage_app
):
    owner = Browser(outage_app.test_client())
    response = owner.post("/create", data=event_form(title="Outage party"))
    slug = response.headers["Location"].rsplit("/", 1)[1]
    friend = Browser(outage_app.test_client())
    assert friend.get(f"/events/{slug}").status_code == 200
    assert listener_of(outage_app).connected.wait(BACK_SECONDS)
    requests = {
        "event page": lambda: friend.get(f"/events/{slug}"),
        "calendar": lambda: friend.get(f"/events/{slug}.ics"),
        "create": lambda: friend.post("/create", data=event_form(title="Outage create")),
        "edit": lambda: owner.post(f"/events/{slug}/edit", data=edit_fields(title="Outage edit")),
        "answer": lambda: friend.post(f"/events/{slug}/rsvp", data=ANSWER),
    }

    cluster.stop()
    for label, send in requests.items():
        response, seconds = timed(send)
        assert_unavailable(response, label)
        assert seconds < QUICKLY, label
    wait_until(lambda: not listener_of(outage_app).connected.is_set(), BACK_SECONDS)

    cluster.restart()
    # The first request back may still be told "unavailable" while it finds out, on a
    # loaded machine; within seconds the pages work again.
    wait_until(lambda: requests["event page"]().status_code == 200, BACK_SECONDS)
    expected = {"event page": 200, "calendar": 200, "create": 303, "edit": 303, "answer": 303}
    for label, send in requests.items():
        assert send().status_code == expected[label], label
    wait_until(listener_of(outage_app).connected.is_set, BACK_SECONDS)
    assert set(titles_stored(cluster.url, "Outage")) == {"Outage create", "Outage edit"}


def test_the_first_requests_after_a_restart_find_fresh_connections(cluster, outage_app):
    owner = Browser(outage_app.test_client())
    response = owner.post("/create", data=event_form(title="Restarted"))
    slug = response.headers["Location"].rsplit("/", 1)[1]
    friend = Browser(outage_app.test_client())
    assert friend.get(f"/events/{slug}").status_code == 200
    assert friend.get(f"/events/{slug}.ics").status_code == 200

    cluster.restart()  # every pooled connection is now dead
    assert friend.get(f"/events/{slug}").status_code == 200  # the read engine tries again
    assert friend.get(f"/events/{slug}.ics").status_code == 200  # the pool pings first
    wait_until(listener_of(outage_app).connected.is_set, BACK_SECONDS)


def test_every_create_during_a_restart_is_either_stored_or_refused(cluster, outage_app):
    """No third kind: a 303 is stored, a 503 stored nothing."""
    outcomes: list[tuple[str, int, str | None]] = []
    stop = threading.Event()

    def create_until_stopped(worker: int) -> None:
        browser = Browser(outage_app.test_client())
        number = 0
        while not stop.is_set():
            title = f"Restart {worker}-{number}"
            response = browser.post("/create", data=event_form(title=title))
            outcomes.append((title, response.status_code, response.headers.get("Location")))
            number += 1

    def created() -> int:
        return sum(status == 303 for _, status, _ in outcomes)

    with ThreadPoolExecutor(max_workers=4) as pool:
        workers = [pool.submit(create_until_stopped, worker) for worker in range(4)]
        try:
            wait_until(lambda: created() >= 8, BACK_SECONDS)
            cluster.restart()
            after_restart = created()
            wait_until(lambda: created() >= after_restart + 8, BACK_SECONDS)
        finally:
            stop.set()
        for worker in workers:
            worker.result()

    stored = titles_stored(cluster.url, "Restart ")
    kinds = {status for _, status, _ in outcomes}
    assert kinds == {303, 503}  # the restart refused some creates, and nothing else happened
    for title, status, location in outcomes:
        if status == 303:
            assert location.endswith(f"/events/{stored[title]}"), title
        else:
            assert title not in stored, f"{title} was refused but stored"
    assert len(stored) == created()


NO_DATABASE_NEEDED = ("/", "/create", "/robots.txt", "/static/skedjit.css")


@pytest.mark.slow
def test_a_frozen_database_is_a_503_in_time_while_other_pages_keep_answering(cluster):
    limits = {"DATABASE_CONNECT_TIMEOUT": "2", "DATABASE_STATEMENT_TIMEOUT": "2"}
    promised = 2 + 2 + 1  # seconds: connecting, the statement, and one more
    with served(cluster.url, **limits) as url:
        slug = Visitor(url).create_event("Frozen")
        needs_database = f"/events/{slug}/edit"
        assert Visitor(url).get(needs_database).status == 200
        quick: list[tuple[str, int, float]] = []
        with cluster.frozen(), ThreadPoolExecutor(8) as pool:
            for _wave in range(2):  # the second wave comes once the database counts as silent
                waiting = [pool.submit(timed_get, url, needs_database) for _ in range(6)]
                while not all(answer.done() for answer in waiting):
                    quick += [(path, *timed_get(url, path)) for path in NO_DATABASE_NEEDED]
                answers = [answer.result() for answer in waiting]
                assert all(status == 503 for status, _ in answers), answers
                assert max(seconds for _, seconds in answers) <= promised + 0.5, answers
        thawed = time.monotonic()
        status, _ = timed_get(url, needs_database)
        while status != 200 and time.monotonic() - thawed < 2:
            status, _ = timed_get(url, needs_database)
        back = time.monotonic() - thawed
    assert status == 200
    assert back <= 2, back
    assert len(quick) >= 8
    assert all(status == 200 for _, status, _ in quick), quick
    assert max(seconds for _, _, seconds in quick) < 1, quick


def timed_get(url: str, path: str) -> tuple[int, float]:
    """(status, seconds) of a GET by a new visitor."""
    started = time.monotonic()
    status = Visitor(url).get(path).status
    return status, time.monotonic() - started


def test_a_connections_deadlines_come_from_its_own_parameters():
    assert database_waits.limits(
        "host=/tmp dbname=x connect_timeout=3 options='-c statement_timeout=2500'"
    ) == (3.0, 3.5)
    assert database_waits.limits("host=/tmp dbname=x") == (None, None)


def test_a_database_host_that_never_answers_is_a_503_within_the_connect_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"postgresql+psycopg2://skedjit@127.0.0.1:{silent.getsockname()[1]}/skedjit"
        config = make_config(url, DATABASE_CONNECT_TIMEOUT=2)
        app = new_test_app(config, instance_path=str(tmp_path / "instance"))
        client = app.test_client()
        try:
            page = within(10, lambda: client.get("/events/Abcdef"))
            calendar = within(10, lambda: client.get("/events/Abcdef.ics"))
        finally:
            silent.close()  # also frees a request still waiting, should the test fail
            close_app(app)
    for label, (response, seconds) in (("event page", page), ("calendar", calendar)):
        assert_unavailable(response, label)
        assert seconds < 2 + 1, label


@pytest.fixture
def impatient_app(make_app) -> Flask:
    """Another app on the tests' database whose statements may wait 0.3 s."""
    return make_app(DATABASE_STATEMENT_TIMEOUT=0.3, DATABASE_CONNECT_TIMEOUT=4)


def hold_the_event(database_url: str, slug: str, lock: str):
    """Open a transaction elsewhere that holds the event's row (or table); close it to release."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        connection = sqlite3.connect(url.database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")  # the write lock: no other writer until it ends
        return connection
    connection = psycopg2.connect(dbname=url.database, user=url.username, host=url.query["host"])
    with connection.cursor() as cursor:
        if lock == "table":
            cursor.execute("LOCK TABLE events IN ACCESS EXCLUSIVE MODE")  # not even reads
        else:
            cursor.execute("SELECT id FROM events WHERE slug = %s FOR UPDATE", (slug,))
    return connection


def test_an_edit_waiting_too_long_for_a_lock_is_a_503_and_changes_nothing(
    impatient_app, database_url, make_event, load_event
):
    slug = make_event(title="Locked")
    owner = Browser(impatient_app.test_client())
    data = {**edit_fields(title="Waited"), "password": PASSWORD}
    holder = hold_the_event(database_url, slug, "row")
    try:
        response, seconds = timed(lambda: owner.post(f"/events/{slug}/edit", data=data))
    finally:
        holder.rollback()
        holder.close()
    assert_unavailable(response)
    assert 0.25 <= seconds < QUICKLY
    assert load_event(slug).title == "Locked"
    assert owner.post(f"/events/{slug}/edit", data=data).status_code == 303
    assert load_event(slug).title == "Waited"


def test_a_page_read_held_up_by_a_lock_is_cut_by_the_statement_timeout(
    impatient_app, database_url, backend, make_event
):
    if backend != "postgresql":
        pytest.skip("SQLite lets readers read beside a writer")
    slug = make_event(title="Locked")
    client = impatient_app.test_client()
    holder = hold_the_event(database_url, slug, "table")
    try:
        response, seconds = timed(lambda: client.get(f"/events/{slug}"))
    finally:
        holder.rollback()
        holder.close()
    assert_unavailable(response)
    assert 0.25 <= seconds < QUICKLY
    assert client.get(f"/events/{slug}").status_code == 200


def test_every_postgresql_connection_carries_the_time_limits(impatient_app, backend):
    if backend != "postgresql":
        pytest.skip("PostgreSQL settings")
    with impatient_app.app_context():
        with db.engine.connect() as connection:
            app_engine = connection.execute(text("SHOW statement_timeout")).scalar()
        with read_engine().connect() as connection:
            page_engine = connection.execute(text("SHOW statement_timeout")).scalar()
    listener = listener_of(impatient_app)._connect()
    try:
        with listener.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            listening = cursor.fetchone()[0]
        connect_timeout = listener.get_dsn_parameters()["connect_timeout"]
    finally:
        listener.close()
    assert (app_engine, page_engine, listening) == ("300ms", "300ms", "300ms")
    assert connect_timeout == "4"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg2://ana@/skedjit?host=/run/pg",
            "postgresql+psycopg2://ana@/skedjit?connect_timeout=5&host=%2Frun%2Fpg"
            "&options=-c+statement_timeout%3D2500",
        ),
        (
            "postgresql+psycopg2://ana@db/skedjit?connect_timeout=9&options=-c+search_path%3Dx",
            "postgresql+psycopg2://ana@db/skedjit?connect_timeout=9"
            "&options=-c+search_path%3Dx+-c+statement_timeout%3D2500",
        ),
        (
            "postgresql+psycopg2://ana@db/skedjit?options=-c+statement_timeout%3D0",
            "postgresql+psycopg2://ana@db/skedjit?connect_timeout=5"
            "&options=-c+statement_timeout%3D0",
        ),
        ("sqlite:////srv/skedjit.sqlite3", "sqlite:////srv/skedjit.sqlite3?timeout=2.5"),
        ("sqlite:///x.sqlite3?timeout=30", "sqlite:///x.sqlite3?timeout=30"),
    ],
)
def test_time_limits_go_into_the_url_unless_it_sets_its_own(url, expected):
    assert with_timeouts(url, 5, 2.5) == expected


def test_a_limit_of_zero_is_left_out():
    assert with_timeouts("postgresql+psycopg2://ana@db/skedjit", 0, 0) == (
        "postgresql+psycopg2://ana@db/skedjit"
    )
    assert with_timeouts("sqlite://", 0, 0) == "sqlite://"


def terminate_backend(database_url: str, pid: int) -> None:
    """End one server process, as a database restart or a network cut would."""
    url = make_url(database_url)
    admin = psycopg2.connect(dbname="postgres", user=url.username, host=url.query["host"])
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
    finally:
        admin.close()


def test_rolling_back_on_a_connection_that_died_drops_it_quietly(app, backend, database_url):
    if backend != "postgresql":
        pytest.skip("a SQLite connection does not die")
    with app.app_context():
        terminate_backend(database_url, db.session.scalar(text("SELECT pg_backend_pid()")))
        roll_back()
        assert db.session.scalar(text("SELECT 1")) == 1  # on a new connection


def test_a_connection_that_dies_after_the_answer_does_not_spoil_it(
    app, backend, database_url, make_event
):
    if backend != "postgresql":
        pytest.skip("a SQLite connection does not die")
    slug = make_event(title="Answered")

    @app.after_request
    def connection_dies(response):
        terminate_backend(database_url, db.session.scalar(text("SELECT pg_backend_pid()")))
        return response

    response = app.test_client().get(f"/events/{slug}.ics")
    assert response.status_code == 200
    assert b"SUMMARY:Answered" in response.data


@pytest.mark.parametrize(
    ("failure", "status", "heading"),
    [
        (
            OperationalError("COMMIT", {}, Exception("server closed the connection")),
            503,
            "Temporarily unavailable",
        ),
        (RuntimeError("disk on fire"), 500, "Something went wrong on our side"),
    ],
)
def test_a_failure_after_the_update_is_flushed_keeps_the_old_event(
    app, browser, create_event_as, load_event, failure, status, heading
):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    slug = create_event_as(browser, title="Kept as it was")
    assert b"Kept as it was" in browser.get(f"/events/{slug}").data
    seen_in_transaction: list[str] = []

    def fail_after_flush(session, _flush_context) -> None:
        query = select(Event.title).where(Event.slug == slug)
        seen_in_transaction.append(session.connection().execute(query).scalar_one())
        raise failure

    sa_event.listen(db.session, "after_flush", fail_after_flush)
    try:
        response = browser.post(f"/events/{slug}/edit", data=edit_fields(title="Half saved"))
    finally:
        sa_event.remove(db.session, "after_flush", fail_after_flush)

    html = response.get_data(as_text=True)
    assert seen_in_transaction == ["Half saved"]  # the UPDATE had reached the database
    assert response.status_code == status
    assert f"<h1>{heading}</h1>" in html
    assert "Traceback" not in html
    assert str(failure.orig if status == 503 else failure) not in html
    event = load_event(slug)
    assert (event.title, event.version) == ("Kept as it was", 1)
    page = browser.get(f"/events/{slug}").get_data(as_text=True)
    assert "Kept as it was" in page
    assert "Half saved" not in page
