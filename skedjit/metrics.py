"""Prometheus metrics at GET /metrics (prometheus-client), when METRICS_ENABLED is on.

What it exports:

- skedjit_requests_total{endpoint,method,status} and skedjit_request_seconds{endpoint}:
  every request but the health checks and the scrapes, timed until the app has answered.
  The endpoint is Flask's name for the view that answered (events.view), or "none" when
  no view matched: never the path, which carries slugs and secrets. Methods other than
  the usual seven count as "other", so no client can invent labels.
- skedjit_page_cache_total{result}: cookie-less event pages sent from memory ("hit") or
  made by Flask ("miss"), counted by event_page/shared.py.
- skedjit_emails{state} and skedjit_queue_pending: read when scraped, by one GROUP BY on
  the outbox and the queue's pending count, each given a second; one that does not
  answer leaves its samples out, and skedjit_dependency_up{dependency} says 0 for it.

Under gunicorn each process counts into files of its own in PROMETHEUS_MULTIPROC_DIR
(gunicorn.conf.py gives each master a fresh folder), and a scrape adds up all of them,
whichever process answers it. Elsewhere (flask run, the tests) an app counts in memory.

/metrics is answered outside Flask, before the host check, the limits and the request
log, and only to a socket peer whose address is in METRICS_ALLOW; forwarded headers are
never believed for it. Behind nginx the peer is nginx, so nginx must not pass /metrics
on (deploy/nginx.conf answers it 404). Anyone else, and everyone while metrics are off,
gets the app's own 404 page, as for any unknown address.
"""

import ipaddress
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask import request
from prometheus_client import CollectorRegistry
from prometheus_client import Counter
from prometheus_client import Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func
from sqlalchemy import select

from .database import read_engine
from .jobs import queue_of
from .models import EMAIL_STATES
from .models import Email

EXTENSION = "skedjit.metrics"
#: Where the endpoint that answered a request is noted in its WSGI environ.
ENDPOINT = "skedjit.endpoint"
NO_ENDPOINT = "none"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Seconds: pages from memory take well under a millisecond, a bcrypt check about 0.3 s.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
SCRAPE_SECONDS = 1.0

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Metrics:
    """One app's metrics: what its requests count, and the registry a scrape reads."""

    def __init__(self, app: Flask):
        self.multiprocess_dir = app.config["PROMETHEUS_MULTIPROC_DIR"]
        # Counted into files, a metric belongs to no registry: each scrape reads every
        # process's files. In memory, it belongs to this app's registry alone.
        self.registry = None if self.multiprocess_dir else CollectorRegistry()
        self.requests = Counter(
            "skedjit_requests",
            "Requests answered, by endpoint, method and status.",
            ["endpoint", "method", "status"],
            registry=self.registry,
        )
        self.seconds = Histogram(
            "skedjit_request_seconds",
            "Time to answer a request, by endpoint.",
            ["endpoint"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        page_cache = Counter(
            "skedjit_page_cache",
            "Cookie-less event pages sent from memory (hit) or made by Flask (miss).",
            ["result"],
            registry=self.registry,
        )
        self.page_cache = {result: page_cache.labels(result) for result in ("hit", "miss")}
        self.read_when_scraped = ReadWhenScraped(app)
        if self.registry is not None:
            self.registry.register(self.read_when_scraped)

    def count(self, environ: dict, status: str, seconds: float) -> None:
        """Count one answered request under its endpoint's name."""
        endpoint = environ.get(ENDPOINT) or NO_ENDPOINT
        method = environ.get("REQUEST_METHOD")
        self.requests.labels(endpoint, method if method in METHODS else "other", status).inc()
        self.seconds.labels(endpoint).observe(seconds)

    def scrape_registry(self) -> CollectorRegistry:
        """What a scrape reads: this app's registry, or every process's files."""
        if self.registry is not None:
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=self.multiprocess_dir)
        registry.register(self.read_when_scraped)
        return registry


class ReadWhenScraped:
    """A collector of the outbox's emails by state and the queue's pending jobs.

    They are the same whichever process asks, so they are read at each scrape rather than
    counted; each is given SCRAPE_SECONDS, as /readyz gives them.
    """

    def __init__(self, app: Flask):
        self.app = app
        # A read that hangs holds one of these threads until its own deadline.
        self.reads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="metrics")

    def collect(self):
        asked = {
            "database": self.reads.submit(self._emails_by_state),
            "queue": self.reads.submit(self._queue_pending),
        }
        deadline = time.monotonic() + SCRAPE_SECONDS
        answers = {}
        for name, answer in asked.items():
            try:
                answers[name] = answer.result(timeout=max(deadline - time.monotonic(), 0))
            except Exception:  # no answer in time, or an error: its samples are left out
                answers[name] = None
        up = GaugeMetricFamily(
            "skedjit_dependency_up",
            "1 if the dependency answered this scrape within a second, else 0.",
            labels=["dependency"],
        )
        for name, answer in answers.items():
            up.add_metric([name], 0 if answer is None else 1)
        yield up
        if (emails := answers["database"]) is not None:
            by_state = GaugeMetricFamily(
                "skedjit_emails", "Emails in the outbox, by state.", labels=["state"]
            )
            for state in EMAIL_STATES:
                by_state.add_metric([state], emails.get(state, 0))
            yield by_state
        if (pending := answers["queue"]) is not None:
            yield GaugeMetricFamily(
                "skedjit_queue_pending", "Jobs waiting on the queue to be run.", value=pending
            )

    def _emails_by_state(self) -> dict[str, int]:
        query = select(Email.state, func.count()).group_by(Email.state)
        with self.app.app_context(), read_engine().connect() as connection:
            return {state: count for state, count in connection.execute(query)}

    def _queue_pending(self) -> int:
        return queue_of(self.app).huey.pending_count()


class MetricsMiddleware:
    """WSGI middleware that counts and times every request, and answers allowed scrapes."""

    def __init__(self, wsgi_app, metrics: Metrics, allowed: list[Network]):
        self.wsgi_app = wsgi_app
        self.metrics = metrics
        self.allowed = allowed

    def __call__(self, environ, start_response):
        if (
            environ.get("PATH_INFO") == "/metrics"
            and environ.get("REQUEST_METHOD") in ("GET", "HEAD")
            and self.allows(environ.get("REMOTE_ADDR"))
        ):
            return self.scrape(environ, start_response)
        started = time.perf_counter()
        status = "500"  # what the server answers if the app raises

        def start_and_note_status(status_line, headers, exc_info=None):
            nonlocal status
            status = status_line[:3]
            return start_response(status_line, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_and_note_status)
        finally:
            self.metrics.count(environ, status, time.perf_counter() - started)

    def allows(self, peer: str | None) -> bool:
        """Whether the socket's peer is one of METRICS_ALLOW's addresses."""
        try:
            address = ipaddress.ip_address(peer or "")
        except ValueError:  # no address: a Unix socket, say
            return False
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped  # a dual-stack socket's IPv4 client
        return any(address in network for network in self.allowed)

    def scrape(self, environ, start_response):
        """The metrics in the format the scraper asks for (Prometheus text by default)."""
        encode, content_type = choose_encoder(environ.get("HTTP_ACCEPT"))
        body = encode(self.metrics.scrape_registry())
        headers = [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
        ]
        start_response("200 OK", headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def allowed_networks(entries: list[str]) -> list[Network]:
    """METRICS_ALLOW's addresses (or networks, such as 10.0.0.0/8)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise RuntimeError(f"METRICS_ALLOW: {entry!r} is not an IP address") from None
    return networks


def page_sent_from_memory(app: Flask, environ: dict, endpoint: str) -> None:
    """Count a page cache hit, and its request as one to the endpoint Flask would have run."""
    metrics = app.extensions.get(EXTENSION)
    if metrics is not None:
        metrics.page_cache["hit"].inc()
        environ[ENDPOINT] = endpoint


def page_not_in_memory(app: Flask) -> None:
    """Count a page cache miss: the page is asked of Flask."""
    metrics = app.extensions.get(EXTENSION)
    if metrics is not None:
        metrics.page_cache["miss"].inc()


def _note_endpoint(endpoint: str | None, _values) -> None:
    # Runs before every before_request hook, so even a refused request has its endpoint.
    request.environ[ENDPOINT] = endpoint


def init_app(app: Flask) -> None:
    """With METRICS_ENABLED, count the requests of everything inside, and serve /metrics."""
    if not app.config["METRICS_ENABLED"]:
        return
    allowed = allowed_networks(app.config["METRICS_ALLOW"])
    metrics = app.extensions[EXTENSION] = Metrics(app)
    app.url_value_preprocessor(_note_endpoint)
    app.wsgi_app = MetricsMiddleware(app.wsgi_app, metrics, allowed)
