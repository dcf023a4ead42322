"""Event rows kept by each process, and knowing at once when they change.

The event page reuses the rows it has read while the database says nothing
changed: on SQLite by `PRAGMA data_version` (it moves whenever another
connection commits), checked on every request; on PostgreSQL by LISTEN/NOTIFY:
triggers on the tables the page shows notify the event's slug on every insert,
update and delete, whoever writes, and one thread per process hears them. While
that thread has no live connection, nothing is reused. A commit made by this
process drops its rows at once.
"""

import logging
import os
import select
import sqlite3
import threading

from cachetools import LRUCache
from flask import Flask
from flask import current_app
from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from ..database import read_engine
from .data import EventPage
from .data import read_event_page

#: The channel the triggers notify (migration "notify every change to an event").
CHANNEL = "skedjit_events"
HEARTBEAT_SECONDS = 5.0
RECONNECT_SECONDS = (0.2, 30.0)  # first wait, longest wait
KEY = "skedjit.event_rows"

log = logging.getLogger(__name__)


class EventRows:
    """Rows cached by slug; every invalidation moves `generation` so late puts are refused."""

    def __init__(self, size: int):
        self.generation = 0
        self.enabled = False
        self._rows: LRUCache[str, EventPage] = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, slug: str) -> EventPage | None:
        with self._lock:
            return self._rows.get(slug)

    def put(self, slug: str, row: EventPage, generation: int) -> None:
        """Keep a row read while `generation` was current, unless something changed since."""
        with self._lock:
            if self.enabled and generation == self.generation:
                self._rows[slug] = row

    def forget(self, slug: str) -> None:
        with self._lock:
            self.generation += 1
            self._rows.pop(slug, None)

    def forget_all(self, enabled: bool | None = None) -> None:
        with self._lock:
            self.generation += 1
            self._rows.clear()
            if enabled is not None:
                self.enabled = enabled


class SQLiteWatch:
    """Drops every cached row when another connection has committed to the database file."""

    def __init__(self, path: str, rows: EventRows):
        self.path = path
        self.rows = rows
        self._pid: int | None = None
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._version = None

    def check(self) -> None:
        with self._lock:
            if self._pid != os.getpid():  # opened lazily, and anew after a fork
                self._pid = os.getpid()
                self._connection = sqlite3.connect(self.path, check_same_thread=False)
                self._version = None
                self.rows.forget_all(enabled=True)
            version = self._connection.execute("PRAGMA data_version").fetchone()[0]
            if version != self._version:
                self._version = version
                self.rows.forget_all()

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None
            self._pid = None


class PostgresListener:
    """A thread that LISTENs for changed slugs; started lazily in each (forked) process."""

    def __init__(self, engine: Engine, rows: EventRows):
        self.engine = engine
        self.rows = rows
        self._pid: int | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_read, self._wake_write = -1, -1
        self.connected = threading.Event()
        self.backend_pid: int | None = None

    def check(self) -> None:
        if self._pid != os.getpid():  # first use, or a fork copied a dead thread
            with self._start_lock:  # the request threads of a new worker all get here at once
                if self._pid != os.getpid():
                    self._start()

    def _start(self) -> None:
        self._stop.clear()
        self._wake_read, self._wake_write = os.pipe()
        self._thread = threading.Thread(target=self._run, name="skedjit-listen", daemon=True)
        self._thread.start()
        self._pid = os.getpid()

    def _connect(self):
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        connection = self.engine.dialect.dbapi.connect(*args, **kwargs)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        self.backend_pid = connection.info.backend_pid
        return connection

    def _run(self) -> None:
        wait = RECONNECT_SECONDS[0]
        while not self._stop.is_set():
            connection = None
            try:
                connection = self._connect()
                self.rows.forget_all(enabled=True)
                self.connected.set()
                wait = RECONNECT_SECONDS[0]
                self._listen(connection)
            except Exception as error:  # noqa: BLE001 - any failure means: reconnect
                log.warning("event change listener lost its connection: %s", error)
            finally:
                self.connected.clear()
                self.rows.forget_all(enabled=False)
                if connection is not None:
                    connection.close()
            if self._stop.wait(wait):
                break
            wait = min(wait * 2, RECONNECT_SECONDS[1])

    def _listen(self, connection) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([connection, self._wake_read], [], [], HEARTBEAT_SECONDS)
            if not ready:
                with connection.cursor() as cursor:  # a dead connection raises here
                    cursor.execute("SELECT 1")
            connection.poll()
            while connection.notifies:
                self.rows.forget(connection.notifies.pop(0).payload)

    def close(self) -> None:
        if self._thread is not None and self._pid == os.getpid():
            self._stop.set()
            os.write(self._wake_write, b"x")
            self._thread.join(timeout=5)
            os.close(self._wake_read)
            os.close(self._wake_write)
        self._thread = None
        self._pid = None


def init_app(app: Flask) -> None:
    """Give the app its row cache and the watch that keeps it fresh."""
    rows = EventRows(max(app.config["EVENT_PAGE_CACHE_SIZE"], 1))
    with app.app_context():
        engine = read_engine()
    watch = None
    if app.config["EVENT_PAGE_CACHE_SIZE"] > 0:
        if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
            watch = SQLiteWatch(engine.url.database, rows)
        elif engine.dialect.name == "postgresql":
            watch = PostgresListener(engine, rows)
    app.extensions[KEY] = (rows, watch)


def find_event_page(slug: str, cached: bool = True) -> EventPage | None:
    """The event's page data, from this process's fresh rows or a SELECT per table; None if
    unknown."""
    rows, watch = current_app.extensions[KEY]
    if watch is None or not cached:
        return read_event_page(slug)
    watch.check()
    row = rows.get(slug)
    if row is None:
        generation = rows.generation  # taken before the read: a change during it wins
        row = read_event_page(slug)
        if row is not None:
            rows.put(slug, row, generation)
    return row


def kept_row(app: Flask, slug: str) -> EventPage | None:
    """The event's row as this process keeps it, if it is kept and nothing has changed since."""
    rows, watch = app.extensions[KEY]
    if watch is None:
        return None
    watch.check()
    return rows.get(slug)


@event.listens_for(Session, "after_commit")
def _forget_after_commit(_session) -> None:
    """This process's own commits drop its rows at once, before any notification arrives."""
    if has_app_context() and KEY in current_app.extensions:
        current_app.extensions[KEY][0].forget_all()


def close(app: Flask) -> None:
    """Stop the app's watch (tests create many apps)."""
    _rows, watch = app.extensions[KEY]
    if watch is not None:
        watch.close()
