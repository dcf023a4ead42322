"""Waiting for what happens in the background: a process's listener, a change reaching it."""

import time

from skedjit.event_page import rows as event_rows


def wait_until(condition, seconds: float = 5.0) -> None:
    """Poll the condition until it holds; fail after the given time."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


def watch_of(app):
    """The app's watch on changes: SQLite's data version, or PostgreSQL's listener."""
    return app.extensions[event_rows.KEY][1]


def warm(client, slug: str):
    """View the page once and, on PostgreSQL, again once the process listens for changes."""
    response = client.get(f"/events/{slug}")
    watch = watch_of(client.application)
    if isinstance(watch, event_rows.PostgresListener):
        wait_until(watch.connected.is_set)
        response = client.get(f"/events/{slug}")
    return response
