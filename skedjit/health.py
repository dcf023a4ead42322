"""Health checks for load balancers and supervisors, answered before the rest of the app.

- GET /healthz: 200 while the process serves; it asks nothing of the database.
- GET /readyz: 200 when the database and the job queue both answer within a second,
  else 503 naming what did not.

Both are answered outside Flask: whatever the Host (a load balancer probes by address),
with no rate limit and no line in the request log, however often they are asked.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import text

from .database import read_engine
from .jobs import queue_of

READY_SECONDS = 1.0
HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]


class HealthChecks:
    """WSGI middleware that answers /healthz and /readyz, and passes everything else on."""

    def __init__(self, app: Flask):
        self.app = app
        self.wsgi_app = app.wsgi_app
        # A check that hangs holds one of these threads until its own deadline.
        self.checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO")
        if path not in ("/healthz", "/readyz"):
            return self.wsgi_app(environ, start_response)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            start_response("405 METHOD NOT ALLOWED", [*HEADERS, ("Allow", "GET, HEAD")])
            return [b"Only GET and HEAD.\n"]
        if path == "/healthz":
            status, body = "200 OK", "ok\n"
        else:
            failing = self.failing()
            status = "503 SERVICE UNAVAILABLE" if failing else "200 OK"
            body = "".join(f"{name}: no answer within 1 s\n" for name in failing) or "ready\n"
        start_response(status, HEADERS)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body.encode()]

    def failing(self) -> list[str]:
        """What did not answer within READY_SECONDS: the database, the queue, both, neither."""
        asked = {
            "database": self.checks.submit(self._database),
            "queue": self.checks.submit(self._queue),
        }
        deadline = time.monotonic() + READY_SECONDS
        failing = []
        for name, answer in asked.items():
            try:
                answer.result(timeout=max(deadline - time.monotonic(), 0))
            except Exception:  # no answer in time, or an error: not ready either way
                failing.append(name)
        return failing

    def _database(self) -> None:
        with self.app.app_context(), read_engine().connect() as connection:
            connection.execute(text("SELECT 1"))

    def _queue(self) -> None:
        queue_of(self.app).huey.pending_count()


def init_app(app: Flask) -> None:
    """Answer the health checks outside every other middleware."""
    app.wsgi_app = HealthChecks(app)
