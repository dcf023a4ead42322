"""The job queue's real consumer, run in the test process, and waiting for it to settle."""

import signal
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.jobs import queue_of
from skedjit.models import Email

SETTLE_SECONDS = 15
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextmanager
def running_worker(app: Flask, workers: int = 2) -> Iterator[None]:
    """The app's queue consumed by Huey's consumer (threads), as `flask worker` runs it."""
    handlers = {signum: signal.getsignal(signum) for signum in SIGNALS}
    consumer = queue_of(app).consumer(workers)
    consumer.start()
    for signum, handler in handlers.items():  # the consumer's are for its own process
        signal.signal(signum, handler)
    try:
        yield
    finally:
        consumer.stop(graceful=True)


def unsettled(app: Flask) -> int:
    """Emails the worker still has to take or is sending."""
    with app.app_context():
        query = select(func.count()).where(Email.state.in_(("queued", "sending")))
        count = db.session.scalar(query)
        db.session.remove()
    return count


def settle(app: Flask, seconds: float = SETTLE_SECONDS) -> None:
    """Wait until the worker has handled every email owed so far (sent, failed, retrying)."""
    deadline = time.monotonic() + seconds
    while unsettled(app):
        if time.monotonic() > deadline:
            raise AssertionError(f"emails still unsent after {seconds} s")
        time.sleep(0.02)


def emails_of(app: Flask, kind: str | None = None) -> list[tuple[str, str, str]]:
    """The outbox as (address, state, last reply), oldest first; of one kind if given."""
    query = select(Email.address, Email.state, Email.last_reply).order_by(Email.id)
    if kind:
        query = query.where(Email.kind == kind)
    with app.app_context():
        rows = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
    return rows


class SettlingClient(FlaskClient):
    """A test client whose every request returns once the worker has handled the emails it
    owed: a test then reads the mail server as the friends will. (The request itself does
    not wait for them; test_outbox.py shows it.)"""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        settle(self.application)
        return response


def at_once(app, job: Callable[..., int], *args, runs: int = 2) -> list[int]:
    """Run a periodic job in `runs` threads released together, as workers would; what each
    returned."""
    results: list[int] = []
    start = threading.Barrier(runs)

    def work():
        with app.app_context():
            start.wait()
            results.append(job(*args))
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results
