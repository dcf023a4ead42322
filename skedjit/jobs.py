"""The job queue (Huey): work done off the request path, inside the app's context.

Each app has one queue: a SQLite file in the instance folder by default (one machine),
or Redis when QUEUE_URL=redis://… (several machines). A job's payload is ids only, never
an address, a token or a text someone typed. What a job is about lives in the database,
so a job lost with its queue is found again by the sweeps that run every minute.

The worker is `flask --app wsgi worker` (the Procfile's `worker`): QUEUE_WORKERS threads
and the scheduler of the periodic jobs (the outbox's sweep, the reminders and the decisions
of minimums going every minute, and the hourly pruning of expired data).
"""

import logging
from collections.abc import Callable
from pathlib import Path

import click
import redis
from flask import Flask
from flask import current_app
from flask.cli import with_appcontext
from huey import RedisHuey
from huey import SqliteHuey
from huey import crontab

log = logging.getLogger(__name__)
EXTENSION = "skedjit.jobs"
NAME = "skedjit"


class Jobs:
    """An app's queue, and the jobs it knows by name."""

    def __init__(self, app: Flask):
        self.app = app
        url = app.config["QUEUE_URL"]
        if url and url.startswith(("redis://", "rediss://", "unix://")):
            # Time limits, so a Redis that stops answering fails a request instead of holding it.
            pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=1, socket_timeout=5)
            self.huey = RedisHuey(NAME, connection_pool=pool, results=False)
        else:
            path = Path(url.removeprefix("sqlite:///")) if url else None
            path = path or Path(app.instance_path) / "queue.sqlite3"
            self.huey = SqliteHuey(NAME, filename=str(path), results=False)
        self.tasks: dict[str, object] = {}

    def add(self, job: Callable, every=None) -> None:
        """Know `job` by its name; run it on the `every` schedule (a crontab) too, if given."""
        app, name = self.app, job.__name__

        def run(*ids):
            with app.app_context():
                return job(*ids)

        run.__name__ = name
        if every is not None:
            task = self.huey.periodic_task(every, name=name)(run)
        else:
            task = self.huey.task(name=name)(run)
        self.tasks[name] = task

    def enqueue(self, name: str, *ids: int, delay: float | None = None) -> bool:
        """Put the job on the queue; False (logged) when the queue cannot take it now."""
        task = self.tasks[name]
        try:
            if delay:
                task.schedule(ids, delay=delay)
            else:
                task(*ids)
        except Exception:  # Redis or the queue file away: the sweep finds the work again
            log.warning("queue: %s not queued", name, exc_info=True)
            return False
        return True

    def consumer(self, workers: int | None = None):
        """A consumer of the queue with its threads and the periodic scheduler."""
        workers = workers or self.app.config["QUEUE_WORKERS"]
        # An idle SQLite queue is polled at least every second (Redis answers at once).
        return self.huey.create_consumer(
            workers=workers, worker_type="thread", periodic=True, max_delay=1.0
        )


#: The schedules of periodic jobs.
EVERY_MINUTE = crontab()
EVERY_HOUR = crontab(minute="7")


def init_app(app: Flask, jobs: list[Callable], periodic: dict[Callable, object]) -> None:
    """Give the app its queue, these jobs and periodic jobs, and the `worker` command."""
    queue = app.extensions[EXTENSION] = Jobs(app)
    for job in jobs:
        queue.add(job)
    for job, every in periodic.items():
        queue.add(job, every)
    app.cli.add_command(worker_command)


def enqueue(name: str, *ids: int, delay: float | None = None) -> bool:
    """Put a job on this app's queue (see Jobs.enqueue)."""
    return current_app.extensions[EXTENSION].enqueue(name, *ids, delay=delay)


def queue_of(app: Flask) -> Jobs:
    return app.extensions[EXTENSION]


@click.command("worker")
@with_appcontext
@click.option("--workers", type=int, help="Threads (QUEUE_WORKERS by default).")
def worker_command(workers: int | None) -> None:
    """Run the queue's jobs and the periodic ones until stopped (Ctrl+C or SIGTERM)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    for name in ("huey", "skedjit"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.INFO)
    queue_of(current_app._get_current_object()).consumer(workers).run()
