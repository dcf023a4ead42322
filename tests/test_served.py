"""Smoke test: `./build.sh serve` migrates a fresh database and serves the app over real HTTP."""

import contextlib
import http.cookiejar
import os
import re
import secrets
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import csrf_token_in
from conftest import event_form
from skedjit.slugs import PATTERN

pytestmark = pytest.mark.served

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
REQUEST_SECONDS = 15
STOP_SECONDS = 15
EVENT_PATH = re.compile(f"/events/({PATTERN})")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, port: int, **settings: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FLASK_", "GUNICORN_")) and name != "WEB_CONCURRENCY"
    }
    env.update(
        HOST=HOST,
        PORT=str(port),
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        BCRYPT_ROUNDS="4",
        SKEDJIT_ENV="production",
    )
    env.update(settings)
    return env


def wait_until_listening(process: subprocess.Popen, port: int, output: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"build.sh serve exited with {process.returncode} before listening:\n"
                + output.read_text(errors="replace")
            )
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"nothing listened on port {port} within {STARTUP_SECONDS} s")


def stop(process: subprocess.Popen) -> None:
    """End the whole process group: gunicorn's master (bash exec'd into it) and its workers."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker the master left behind


@contextmanager
def served(database_url: str, **settings: str) -> Iterator[str]:
    """Run `bash build.sh serve` on the database and yield its URL; print its output on failure.

    Keyword arguments are more environment variables for the server.
    """
    with served_with_output(database_url, **settings) as (url, _output):
        yield url


@contextmanager
def served_with_output(database_url: str, **settings: str) -> Iterator[tuple[str, Path]]:
    """Like served(), and also yield the file that receives the server's stdout and stderr."""
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="skedjit-served-", suffix=".log") as log:
        output = Path(log.name)
        process = subprocess.Popen(
            ["bash", "build.sh", "serve"],
            cwd=REPO,
            env=server_environment(database_url, port, **settings),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_listening(process, port, output)
            yield f"http://{HOST}:{port}", output
        except BaseException:
            stop(process)
            print(f"--- output of build.sh serve ---\n{output.read_text(errors='replace')}")
            raise
        finally:
            stop(process)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller, who checks their status and Location."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


@dataclass
class Response:
    status: int
    headers: dict
    body: str

    @property
    def location_path(self) -> str:
        return urllib.parse.urlsplit(self.headers["Location"]).path


class Visitor:
    """One browser: its own cookies, posting forms with the CSRF token of its session."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        # Like browsers, send the production server's Secure cookies back to loopback over HTTP.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(policy)), NoRedirects()
        )

    def request(self, path: str, data: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base_url + path, body, timeout=REQUEST_SECONDS) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str) -> Response:
        return self.request(path)

    def post_form(self, form_path: str, action: str, fields: dict) -> Response:
        """Open the form page like a person would, then submit it with its CSRF token."""
        page = self.get(form_path)
        assert page.status == 200, page.body
        return self.request(action, {"csrf_token": csrf_token_in(page.body), **fields})

    def create_event(self, title: str) -> str:
        response = self.post_form("/create", "/create", event_form(title=title))
        assert response.status == 303, response.body
        match = EVENT_PATH.fullmatch(response.location_path)
        assert match, response.headers["Location"]
        return match.group(1)


def edit_fields(**overrides) -> dict:
    fields = event_form(**overrides)
    del fields["password_confirm"]
    fields.setdefault("password", "")
    return fields


def test_owner_creates_edits_and_deletes_an_event_over_http(empty_database_url):
    with served(empty_database_url) as base_url:
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


def test_friend_with_wrong_password_cannot_edit_over_http(empty_database_url):
    with served(empty_database_url) as base_url:
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
