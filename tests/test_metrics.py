"""Prometheus metrics at /metrics: for the allowed addresses only, counted by endpoint,
read from the database and the queue when scraped, and added up across gunicorn's
processes."""

import logging
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert
from werkzeug.serving import make_server

from skedjit import jobs
from skedjit.extensions import db
from skedjit.models import Email
from tests.helpers.apps import setting_from_environment
from tests.helpers.nginx import PROXY_ADDRESS
from tests.helpers.nginx import nginx_in_front
from tests.helpers.ports import free_port
from tests.helpers.served import Visitor
from tests.helpers.served import served
from tests.helpers.waiting import warm

UNKNOWN_PAGE = "/no-such-page"
OK = ("events.index", "GET", "200")


def scrape(client, **environ) -> dict[tuple, float]:
    """The samples /metrics answers, by (name, labels as sorted pairs)."""
    response = client.get("/metrics", environ_base=environ)
    assert response.status_code == 200, response.text
    return samples_in(response.text)


def samples_in(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests(samples: dict, endpoint: str, method: str, status: str) -> float:
    labels = (("endpoint", endpoint), ("method", method), ("status", status))
    return samples.get(("skedjit_requests_total", labels), 0)


def named(samples: dict, name: str) -> dict[tuple, float]:
    return {labels: value for (sample, labels), value in samples.items() if sample == name}


def test_metrics_are_the_unknown_page_while_they_are_off(client):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert response.text == client.get(UNKNOWN_PAGE).text


@pytest.mark.parametrize(
    ("settings", "environ", "headers"),
    [
        ({}, {"REMOTE_ADDR": "192.0.2.7"}, {}),
        ({}, {"REMOTE_ADDR": "2001:db8::7"}, {}),
        ({}, {"REMOTE_ADDR": ""}, {}),  # a Unix socket's peer has no address
        ({"METRICS_ALLOW": ["10.0.0.0/8"]}, {"REMOTE_ADDR": "127.0.0.1"}, {}),
        # A proxy believed for the limits is not believed for the metrics.
        ({"TRUSTED_PROXIES": 1}, {"REMOTE_ADDR": "192.0.2.7"}, {"X-Forwarded-For": "127.0.0.1"}),
    ],
    ids=["ipv4", "ipv6", "no-address", "not-listed", "forwarded"],
)
def test_metrics_are_the_unknown_page_to_an_address_not_allowed(
    make_app, app, settings, environ, headers
):
    client = make_app(METRICS_ENABLED=True, **settings).test_client()
    response = client.get("/metrics", environ_base=environ, headers=headers)
    assert response.status_code == 404
    assert response.text == client.get(UNKNOWN_PAGE, environ_base=environ).text


@pytest.mark.parametrize(
    ("allow", "peer"),
    [
        (["127.0.0.1", "::1"], "127.0.0.1"),
        (["127.0.0.1", "::1"], "::1"),
        (["127.0.0.1", "::1"], "::ffff:127.0.0.1"),  # IPv4 on a dual-stack socket
        (["10.0.0.0/8"], "10.20.30.40"),
    ],
)
def test_metrics_answer_an_allowed_address_in_the_prometheus_text_format(
    make_app, app, allow, peer
):
    client = make_app(METRICS_ENABLED=True, METRICS_ALLOW=allow).test_client()
    # A scraper names the server by its address, which is not a trusted host.
    response = client.get(
        "/metrics", environ_base={"REMOTE_ADDR": peer}, headers={"Host": "10.0.0.5:8000"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "# TYPE skedjit_requests_total counter" in response.text
    assert client.head("/metrics").text == ""


def test_an_event_page_counts_under_its_endpoint_and_status(make_app, app, make_event):
    client = make_app(METRICS_ENABLED=True).test_client()
    slug = make_event()
    assert client.get(f"/events/{slug}").status_code == 200
    assert client.get("/events/Nop3zz").status_code == 404
    assert client.get(UNKNOWN_PAGE).status_code == 404
    response = client.get("/metrics")
    samples = samples_in(response.text)
    assert requests(samples, "events.view", "GET", "200") == 1
    assert requests(samples, "events.view", "GET", "404") == 1
    assert requests(samples, "none", "GET", "404") == 1
    seconds = named(samples, "skedjit_request_seconds_count")
    assert seconds == {(("endpoint", "events.view"),): 2, (("endpoint", "none"),): 1}
    assert slug not in response.text  # labels name views, never paths


def test_a_request_refused_before_its_view_counts_under_that_view(make_app, app):
    client = make_app(METRICS_ENABLED=True).test_client()
    refused = client.post("/create", headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403
    assert requests(scrape(client), "events.create", "POST", "403") == 1


def test_an_unusual_method_counts_as_other(make_app, app):
    client = make_app(METRICS_ENABLED=True).test_client()
    assert client.open("/", method="BREW").status_code == 405
    assert requests(scrape(client), "none", "other", "405") == 1


def test_a_page_sent_from_memory_counts_as_a_page_cache_hit(make_app, app, make_event):
    client = make_app(METRICS_ENABLED=True).test_client()
    slug = make_event()
    assert warm(client, slug).status_code == 200
    before = scrape(client)
    assert client.get(f"/events/{slug}").status_code == 200
    after = scrape(client)
    cache = ("skedjit_page_cache_total", (("result", "hit"),))
    missed = ("skedjit_page_cache_total", (("result", "miss"),))
    assert before[missed] >= 1
    assert (after[cache] - before[cache], after[missed] - before[missed]) == (1, 0)
    # Flask never saw it, and it still counts as a request to the event page.
    viewed = requests(after, "events.view", "GET", "200")
    assert viewed - requests(before, "events.view", "GET", "200") == 1


def test_emails_count_by_the_state_of_their_rows(make_app, app):
    client = make_app(METRICS_ENABLED=True).test_client()
    states = ["queued", "queued", "failed", "sent", "queued"]
    with app.app_context():
        rows = [{"kind": "invitation", "address": "ana@example.org", "state": s} for s in states]
        db.session.execute(insert(Email.__table__), rows)  # not through the outbox: no jobs
        db.session.commit()
    emails = named(scrape(client), "skedjit_emails")
    assert emails == {
        (("state", "queued"),): 3,
        (("state", "sending"),): 0,
        (("state", "retrying"),): 0,
        (("state", "sent"),): 1,
        (("state", "failed"),): 1,
    }


def test_queue_depth_counts_the_jobs_waiting(make_app, app):
    metered = make_app(METRICS_ENABLED=True)
    client = metered.test_client()
    assert scrape(client)[("skedjit_queue_pending", ())] == 0
    with metered.app_context():
        for email_id in (1, 2, 3):
            assert jobs.enqueue("send_email", email_id)
    samples = scrape(client)
    assert samples[("skedjit_queue_pending", ())] == 3
    assert named(samples, "skedjit_dependency_up") == {
        (("dependency", "database"),): 1,
        (("dependency", "queue"),): 1,
    }


@pytest.mark.one_backend
def test_a_database_that_does_not_answer_leaves_its_samples_out(make_app, app):
    down = make_app(
        METRICS_ENABLED=True,
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg2://skedjit@127.0.0.1:{free_port()}/gone",
    )
    samples = scrape(down.test_client())
    assert named(samples, "skedjit_emails") == {}
    assert samples[("skedjit_dependency_up", (("dependency", "database"),))] == 0
    assert samples[("skedjit_queue_pending", ())] == 0


@pytest.mark.one_backend
def test_a_silent_queue_leaves_its_samples_out_within_a_second(make_app, app):
    with socket.socket() as silent:  # takes the connection (the backlog), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        stuck = make_app(
            METRICS_ENABLED=True, QUEUE_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        )
        started = time.monotonic()
        samples = scrape(stuck.test_client())
        elapsed = time.monotonic() - started
    assert ("skedjit_queue_pending", ()) not in samples
    assert samples[("skedjit_dependency_up", (("dependency", "queue"),))] == 0
    assert named(samples, "skedjit_emails")[(("state", "queued"),)] == 0
    assert elapsed < 1.5


def test_scrapes_and_health_checks_are_neither_counted_nor_logged(make_app, app, caplog):
    client = make_app(METRICS_ENABLED=True).test_client()
    with caplog.at_level(logging.INFO, logger="skedjit.requests"):
        for path in ["/metrics", "/healthz", "/readyz"] * 3:
            assert client.get(path).status_code == 200
        samples = scrape(client)
    assert named(samples, "skedjit_requests_total") == {}
    assert [r for r in caplog.records if r.name == "skedjit.requests"] == []


@pytest.mark.one_backend
def test_metrics_allow_takes_only_addresses_and_networks(make_app, app):
    with pytest.raises(RuntimeError, match="METRICS_ALLOW: 'localhost' is not an IP address"):
        make_app(METRICS_ENABLED=True, METRICS_ALLOW=["127.0.0.1", "localhost"])


def test_metrics_settings_come_from_the_environment():
    assert setting_from_environment("METRICS_ENABLED") is False
    assert setting_from_environment("METRICS_ENABLED", METRICS_ENABLED="1") is True
    assert setting_from_environment("METRICS_ALLOW") == ["127.0.0.1", "::1"]
    allow = setting_from_environment("METRICS_ALLOW", METRICS_ALLOW="10.0.0.9, 192.0.2.0/24")
    assert allow == ["10.0.0.9", "192.0.2.0/24"]
    assert setting_from_environment("PROMETHEUS_MULTIPROC_DIR") is None


@pytest.mark.one_backend
def test_nginx_in_front_never_passes_metrics_on(make_app, app, tmp_path):
    # The app would answer nginx's own address, as it would on one machine.
    metered = make_app(METRICS_ENABLED=True, METRICS_ALLOW=[PROXY_ADDRESS], TRUSTED_PROXIES=1)
    server = make_server("127.0.0.1", 0, metered, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with nginx_in_front(server.server_port, tmp_path / "nginx") as front:
            visitor = Visitor(front)
            assert visitor.get("/").status == 200
            for path in ("/metrics", "/metrics?x=1", "//metrics", "/%6Detrics", "/./metrics"):
                assert visitor.get(path).status == 404, path
    finally:
        server.shutdown()
        server.server_close()
    # Only the page reached the app: nginx itself refused every /metrics.
    counted = named(
        scrape(metered.test_client(), REMOTE_ADDR=PROXY_ADDRESS), "skedjit_requests_total"
    )
    assert counted == {(("endpoint", "events.index"), ("method", "GET"), ("status", "200")): 1}


def count_in_another_process(folder, requests: int) -> None:
    """Count GET / answered 200 into the folder, as a gunicorn worker would."""
    script = (
        "import sys\n"
        "from prometheus_client import Counter\n"
        "Counter('skedjit_requests', '', ['endpoint', 'method', 'status'])"
        ".labels(*sys.argv[1:4]).inc(int(sys.argv[4]))\n"
    )
    command = [sys.executable, "-c", script, *OK, str(requests)]
    environment = {"PROMETHEUS_MULTIPROC_DIR": str(folder), "PATH": ""}
    subprocess.run(command, env=environment, check=True, timeout=60)


def test_with_a_metrics_folder_a_scrape_adds_up_every_process_and_asks_the_database(
    make_app, app, tmp_path
):
    folder = tmp_path / "metrics"
    folder.mkdir()
    count_in_another_process(folder, 2)
    count_in_another_process(folder, 3)
    client = make_app(METRICS_ENABLED=True, PROMETHEUS_MULTIPROC_DIR=str(folder)).test_client()
    samples = scrape(client)
    assert requests(samples, *OK) == 5
    assert named(samples, "skedjit_emails")[(("state", "queued"),)] == 0
    assert samples[("skedjit_queue_pending", ())] == 0


def counted_by_each_process(folder) -> dict[str, float]:
    """What each process's own file holds for GET / answered 200."""
    counts = {}
    for path in folder.glob("counter_*.db"):
        for family in MultiProcessCollector.merge([str(path)]):
            for sample in family.samples:
                if sample.name == "skedjit_requests_total" and sample.labels == dict(
                    zip(("endpoint", "method", "status"), OK, strict=True)
                ):
                    counts[path.name] = sample.value
    return counts


@pytest.mark.served
@pytest.mark.one_backend
@pytest.mark.slow  # a server of its own; the in-process test reads separate processes' files
def test_gunicorn_processes_add_up_their_counts_in_every_scrape(empty_database_url, tmp_path):
    folder = tmp_path / "metrics"
    folder.mkdir()
    count_in_another_process(folder, 1000)  # an earlier run's, which must not add up
    assert list(counted_by_each_process(folder).values()) == [1000]
    with served(
        empty_database_url, METRICS_ENABLED="1", PROMETHEUS_MULTIPROC_DIR=str(folder)
    ) as base_url:
        visitor = Visitor(base_url)
        sent = 0
        deadline = time.monotonic() + 30
        with ThreadPoolExecutor(max_workers=8) as pool:
            # Until both processes have answered some: which one accepts is the kernel's choice.
            while len([n for n in counted_by_each_process(folder).values() if n]) < 2:
                assert time.monotonic() < deadline, counted_by_each_process(folder)
                statuses = list(pool.map(lambda _: visitor.get("/").status, range(16)))
                assert statuses == [200] * 16
                sent += 16
        by_process = counted_by_each_process(folder)
        scrapes = [samples_in(visitor.get("/metrics").body) for _ in range(4)]
    assert sum(by_process.values()) == sent
    assert [requests(samples, *OK) for samples in scrapes] == [sent] * 4
