"""The production front: deploy/nginx.conf, run by the real nginx in front of gunicorn."""

import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.nginx import nginx_in_front
from tests.helpers.served import served

pytestmark = pytest.mark.one_backend
SLOW_CLIENTS = 40
SLOW_SECONDS = 6


def port_of(url: str) -> int:
    return urllib.parse.urlsplit(url).port


def fetch(url: str, path: str, source: str = "127.0.0.1", context=None, **request):
    """One request from a loopback address of the caller's choice: (status, headers, body)."""
    port = port_of(url)
    if context is None:
        connection = http.client.HTTPConnection(
            "127.0.0.1", port, timeout=10, source_address=(source, 0)
        )
    else:
        connection = http.client.HTTPSConnection(
            "127.0.0.1", port, timeout=10, source_address=(source, 0), context=context
        )
    try:
        connection.request(request.pop("method", "GET"), path, **request)
        answer = connection.getresponse()
        return answer.status, answer.headers, answer.read().decode()
    finally:
        connection.close()


def timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    status, _, _ = fetch(url, "/")
    return status, time.monotonic() - started


def trickle(port: int, stop: threading.Event) -> None:
    """A client that sends its request one byte a second, as slowly as it likes."""
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow" + b"w" * 60
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
            for byte in request:
                if stop.wait(1):
                    return
                connection.send(bytes([byte]))
    except OSError:
        pass  # dropped by the server: what it should do with a client this slow


@pytest.fixture
def served_sqlite(tmp_path: Path):
    def serve(**settings):
        return served(f"sqlite:///{tmp_path / 'skedjit.sqlite3'}", **settings)

    return serve


@pytest.mark.slow
def test_slow_clients_leave_every_other_visitor_answered_within_a_second(served_sqlite, tmp_path):
    with (
        served_sqlite(TRUSTED_PROXIES="1") as app,
        nginx_in_front(port_of(app), tmp_path / "nginx") as front,
    ):
        assert timed_get(front + "/")[0] == 200  # the app's first answer, made before the attack
        stop = threading.Event()
        slow = [
            threading.Thread(target=trickle, args=(port_of(front), stop), daemon=True)
            for _ in range(SLOW_CLIENTS)
        ]
        for client in slow:
            client.start()
        answers = []
        try:
            deadline = time.monotonic() + SLOW_SECONDS
            while time.monotonic() < deadline:
                answers.append(timed_get(front + "/"))
                time.sleep(0.2)
        finally:
            stop.set()
            for client in slow:
                client.join(timeout=5)
    assert len(answers) >= 10
    assert all(status == 200 for status, _ in answers)
    assert max(seconds for _, seconds in answers) < 1, answers


def test_the_app_sees_each_clients_address_and_https_through_the_front(served_sqlite, tmp_path):
    with (
        served_sqlite(TRUSTED_PROXIES="1", RATELIMIT_CREATES="1 per hour") as app,
        nginx_in_front(port_of(app), tmp_path / "nginx", tls=True) as front,
    ):
        context = ssl.create_default_context(cafile=str(tmp_path / "nginx" / "cert.pem"))
        context.check_hostname = False

        def create_from(address: str) -> int:
            """Create an event through the front, from a loopback address of its own."""
            _, headers, page = fetch(front, "/create", address, context)
            cookie = headers["Set-Cookie"].split(";")[0]
            body = urllib.parse.urlencode({"csrf_token": csrf_token_in(page), **event_form()})
            form = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
            form["Referer"] = front + "/create"  # as a browser sends it, and HTTPS needs
            status, _, _ = fetch(
                front, "/create", address, context, method="POST", body=body, headers=form
            )
            return status

        # The limit counts each client's own address, not the front's.
        assert create_from("127.0.0.3") == 303
        assert create_from("127.0.0.3") == 429
        assert create_from("127.0.0.4") == 303
        # The app knows the request came over HTTPS.
        _, headers, page = fetch(front, "/", context=context)
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        _, headers, _ = fetch(front, "/static/skedjit.css", context=context)
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
