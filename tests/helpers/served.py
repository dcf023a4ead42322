"""Skedjit served for real: `./build.sh serve` on a database, and a visitor with cookies."""

import contextlib
import functools
import http.client
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

from skedjit.slugs import PATTERN
from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.ports import free_port
from tests.helpers.processes import alive
from tests.helpers.processes import descendants

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
STARTUP_SECONDS = 60
REQUEST_SECONDS = 15
STOP_SECONDS = 15
EVENT_PATH = re.compile(f"/events/({PATTERN})")
#: What the server takes from the caller's environment: where programs and files are.
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYENV_ROOT", "PYENV_VERSION")


def server_environment(database_url: str, port: int, **settings: str) -> dict[str, str]:
    """The server's whole environment: only what finding programs needs, then its settings.

    Nothing the caller exported (SESSION_COOKIE_SECURE, RATELIMIT_*, …) reaches it.
    """
    env = {name: os.environ[name] for name in INHERITED if name in os.environ}
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
    """End honcho (bash exec'd into it) and every process below it.

    honcho starts gunicorn and the worker each in a session of their own and ends them
    when asked; whatever is left once it is gone (it was killed, say) is killed here.
    """
    below = descendants(process.pid) if process.poll() is None else {}
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # any worker the master left behind
    for pid in alive(below):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def start_serving(env: dict[str, str], log) -> subprocess.Popen:
    """Start `bash build.sh serve` in a session of its own, its output to the open file.

    With a mail server it runs the web and the worker, as it does for people; without one
    the worker has nothing to do, and only the web starts.
    """
    processes = [] if env.get("MAIL_SERVER") else ["web"]
    return subprocess.Popen(
        ["bash", "build.sh", "serve", *processes],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


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
    with (
        tempfile.NamedTemporaryFile(prefix="skedjit-served-", suffix=".log") as log,
        tempfile.TemporaryDirectory(prefix="skedjit-queue-") as queue,
    ):
        output = Path(log.name)
        settings.setdefault("QUEUE_URL", f"sqlite:///{queue}/queue.sqlite3")  # its own queue
        process = start_serving(server_environment(database_url, port, **settings), log)
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


class FromAddress(urllib.request.HTTPHandler):
    """Connect from a loopback address of the caller's choice (127.0.0.0/8 is all local)."""

    def __init__(self, source: str):
        super().__init__()
        self.source = source

    def http_open(self, req):
        connection = functools.partial(http.client.HTTPConnection, source_address=(self.source, 0))
        return self.do_open(connection, req)


class Visitor:
    """One browser: its own cookies, posting forms with the CSRF token of its session.

    `source` is the loopback address it connects from, so that limits per address can
    tell visitors apart."""

    def __init__(self, base_url: str, source: str | None = None):
        self.base_url = base_url
        # Like browsers, send the production server's Secure cookies back to loopback over HTTP.
        policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar(policy))]
        handlers += [NoRedirects(), *([FromAddress(source)] if source else [])]
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> Response:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, body, headers or {})  # noqa: S310
        try:
            with self.opener.open(request, timeout=REQUEST_SECONDS) as answer:
                return Response(answer.status, dict(answer.headers), answer.read().decode())
        except urllib.error.HTTPError as error:
            with error:
                return Response(error.code, dict(error.headers), error.read().decode())

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request(path, headers=headers)

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
