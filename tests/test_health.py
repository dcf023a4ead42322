"""Health checks: /healthz while the process serves, /readyz while the database and the
queue answer; for a load balancer that probes by address, often, unlogged."""

import logging
import socket
import time

import pytest

from tests.helpers.ports import free_port

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend


def test_healthz_answers_whatever_the_host_and_needs_no_database(make_app, app):
    down = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg2://skedjit@127.0.0.1:{free_port()}/gone"
    )
    client = down.test_client()
    response = client.get("/healthz", headers={"Host": "10.0.0.5:8000"})
    assert (response.status_code, response.text) == (200, "ok\n")
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/", headers={"Host": "10.0.0.5:8000"}).status_code == 400


def test_readyz_says_ready_when_the_database_and_the_queue_answer(client):
    response = client.get("/readyz", headers={"Host": "192.0.2.1"})
    assert (response.status_code, response.text) == (200, "ready\n")


def test_readyz_names_the_database_when_it_does_not_answer(make_app, app):
    down = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg2://skedjit@127.0.0.1:{free_port()}/gone"
    )
    response = down.test_client().get("/readyz")
    assert (response.status_code, response.text) == (503, "database: no answer within 1 s\n")


def test_readyz_gives_up_on_a_silent_queue_within_a_second(make_app, app):
    with socket.socket() as silent:  # takes the connection (the backlog), never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        stuck = make_app(QUEUE_URL=f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        response = stuck.test_client().get("/readyz")
        elapsed = time.monotonic() - started
    assert (response.status_code, response.text) == (503, "queue: no answer within 1 s\n")
    assert elapsed < 1.5


def test_the_checks_are_neither_limited_nor_logged(make_app, app, caplog):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_UNKNOWN_EVENTS="1 per minute")
    client = limited.test_client()
    with caplog.at_level(logging.INFO, logger="skedjit.requests"):
        statuses = {client.get(path).status_code for path in ["/healthz", "/readyz"] * 30}
    assert statuses == {200}
    assert [r for r in caplog.records if r.name == "skedjit.requests"] == []


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_the_checks_take_only_get_and_head(client, path):
    assert client.head(path).status_code == 200
    refused = client.post(path)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD"
