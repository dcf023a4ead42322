"""Smoke test: `./build.sh serve` migrates a fresh database and serves the app over real HTTP."""

import http.client
import os
import signal
import urllib.parse
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text

from tests.helpers.apps import BACKENDS
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.mail import mail_settings
from tests.helpers.ports import free_port
from tests.helpers.processes import alive
from tests.helpers.processes import descendants
from tests.helpers.served import Visitor
from tests.helpers.served import served
from tests.helpers.served import server_environment
from tests.helpers.served import start_serving
from tests.helpers.served import stop
from tests.helpers.served import wait_until_listening
from tests.helpers.waiting import wait_until

# One worker runs the module, so that its server is started once per backend.
pytestmark = [pytest.mark.served, pytest.mark.xdist_group("served")]


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, new_database_url) -> Iterator[tuple[str, str]]:
    """One server for the module's tests on each backend (each makes its own events):
    its address and its database's URL."""
    database_url = new_database_url(request.param)
    with served(database_url) as base_url:
        yield base_url, database_url


def test_owner_creates_edits_and_deletes_an_event_over_http(site):
    base_url, _ = site
    owner = Visitor(base_url)
    assert owner.get("/").status == 200
    session_cookie = owner.get("/create").headers["Set-Cookie"]
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {
        part.strip() for part in session_cookie.split(";")
    }

    slug = owner.create_event("Served smoke test")
    page = owner.get(f"/events/{slug}")
    assert page.status == 200
    assert "<h1>Served smoke test</h1>" in page.body

    edit = owner.post_form(
        f"/events/{slug}/edit", f"/events/{slug}/edit", edit_fields(title="Moved indoors")
    )
    assert edit.status == 303, edit.body
    assert edit.location_path == f"/events/{slug}"
    page = owner.get(f"/events/{slug}")
    assert "<h1>Moved indoors</h1>" in page.body
    assert "Served smoke test" not in page.body

    delete = owner.post_form(f"/events/{slug}/delete", f"/events/{slug}/delete", {})
    assert delete.status == 303, delete.body
    assert delete.location_path == "/"
    assert owner.get(f"/events/{slug}").status == 404


def test_friend_with_wrong_password_cannot_edit_over_http(site):
    base_url, _ = site
    slug = Visitor(base_url).create_event("Served smoke test")
    friend = Visitor(base_url)

    edit = friend.post_form(
        f"/events/{slug}/edit",
        f"/events/{slug}/edit",
        edit_fields(title="Hijacked", password="not the password"),
    )
    assert edit.status == 403
    assert "not this event" in edit.body
    page = friend.get(f"/events/{slug}")
    assert "<h1>Served smoke test</h1>" in page.body
    assert "Hijacked" not in page.body


@pytest.mark.one_backend
def test_forwarded_scheme_headers_are_not_believed_without_trusted_proxies(site):
    spoofed = {"X-Forwarded-Proto": "https", "X-Forwarded-Ssl": "on", "X-Forwarded-Scheme": "https"}
    base_url, _ = site
    slug = Visitor(base_url).create_event("Served smoke test")
    page = Visitor(base_url).get(f"/events/{slug}", headers=spoofed)
    assert page.status == 200
    assert "Strict-Transport-Security" not in page.headers
    assert f'content="{base_url}/events/{slug}"' in page.body  # the link preview's own URL


def raw_connection(base_url: str) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", urllib.parse.urlsplit(base_url).port, timeout=10)


@pytest.mark.one_backend
def test_a_refused_body_does_not_spoil_the_next_request_on_the_connection(site):
    base_url, _ = site
    connection = raw_connection(base_url)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    connection.request("POST", "/create", body=b"title=" + b"x" * 2_000_000, headers=form)
    refused = connection.getresponse()
    refused.read()
    connection.request("GET", "/")  # on the same connection, unless the server closed it
    again = connection.getresponse()
    again.read()
    connection.close()
    assert refused.status == 413
    assert again.status == 200


@pytest.mark.one_backend
@pytest.mark.parametrize("size", [70_000, pytest.param(5_000_000, marks=pytest.mark.slow)])
def test_a_chunked_body_over_the_limit_is_refused_whole(site, size):
    base_url, database_url = site
    visitor = Visitor(base_url)
    page = visitor.get("/create")
    cookie = page.headers["Set-Cookie"].split(";")[0]
    fields = event_form(title=f"Chunked {size}", description="d" * 4000)
    body = urllib.parse.urlencode({"csrf_token": csrf_token_in(page.body), **fields})
    body += "&padding=" + "p" * size
    chunks = (body[start : start + 8192].encode() for start in range(0, len(body), 8192))
    connection = raw_connection(base_url)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    try:
        connection.request("POST", "/create", body=chunks, headers=headers, encode_chunked=True)
        status = connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        # The server answered 413 and closed the connection while a body this large
        # was still being sent: the client may see the connection end first.
        status = None if size > 1_000_000 else "connection lost"
    finally:
        connection.close()
    assert status in (413, None)
    assert f"Chunked {size}" not in stored_titles(database_url)


def stored_titles(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.scalars(text("SELECT title FROM events")))
    finally:
        engine.dispose()


@pytest.mark.one_backend
@pytest.mark.slow
def test_serve_runs_the_web_and_the_worker_and_ctrl_c_stops_both(
    new_database_url, tmp_path, mail_server
):
    port = free_port()
    mail = {name: str(value) for name, value in mail_settings(mail_server).items()}
    queue = f"sqlite:///{tmp_path}/queue.sqlite3"
    env = server_environment(new_database_url("sqlite"), port, QUEUE_URL=queue, **mail)
    output = tmp_path / "serve.log"
    with output.open("wb") as log:
        process = start_serving(env, log)
    try:
        wait_until_listening(process, port, output)
        wait_until(lambda: "Huey consumer started" in output.read_text(errors="replace"), 30)
        running = descendants(process.pid)
        assert any("gunicorn" in command for command in running.values()), running
        assert any("wsgi worker" in command for command in running.values()), running

        os.killpg(process.pid, signal.SIGINT)  # what Ctrl+C sends to the terminal's group
        process.wait(timeout=20)
        wait_until(lambda: not alive(running), 30)
    finally:
        stop(process)
