"""Waiting for what happens in the background: a process's listener, a change reaching it."""

import threading
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


def all_at_once(send, each: list) -> list:
    """Call send(x) for each x from threads released together; the results, in no order."""
    ready = threading.Barrier(len(each))
    results: list = []

    def run(item) -> None:
        ready.wait(timeout=30)
        results.append(send(item))

    threads = [threading.Thread(target=run, args=(item,)) for item in each]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
