"""Skedjit on several servers, as the README's "Deploying on several servers" draws it.

nginx with deploy/nginx.conf in front of app servers that share one PostgreSQL and one
Redis (limits and queue), and queue consumers beside them. Each process runs its line of
the Procfile with an environment of its own, in a session of its own, on 127.0.0.1, and
is stopped by its PID (its process group, so a gunicorn master with its workers).
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.nginx import nginx_in_front
from tests.helpers.ports import free_port
from tests.helpers.served import HOST
from tests.helpers.served import server_environment

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "Procfile"
START_SECONDS = 60
STOP_SECONDS = 15
#: The folder an app server's processes count their metrics in (gunicorn.conf.py).
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
#: What a consumer prints once it takes jobs.
CONSUMER_STARTED = "Huey consumer started"


def procfile_command(name: str) -> str:
    """The Procfile's command line for the process `name` (web, worker)."""
    for line in PROCFILE.read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no process {name!r} in {PROCFILE}")


class Process:
    """One process of the deployment: its Procfile line, run by bash as its own process."""

    def __init__(self, name: str, kind: str, env: dict[str, str], log: Path):
        self.name, self.kind, self.env, self.log = name, kind, env, log
        self.popen: subprocess.Popen | None = None
        self._started_at = 0  # where the log stood when it last started

    @property
    def port(self) -> int:
        return int(self.env["PORT"])

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self._started_at = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                ["bash", "-c", "exec " + procfile_command(self.kind)],
                cwd=REPO,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def output(self, since_start: bool = False) -> str:
        """What it printed (since it last started, if asked)."""
        if not self.log.exists():
            return ""
        with self.log.open("rb") as log:
            log.seek(self._started_at if since_start else 0)
            return log.read().decode(errors="replace")

    def wait_until_ready(self) -> None:
        """Until a web server takes connections or a consumer says it started; fail if it
        exits first or takes longer than START_SECONDS."""
        deadline = time.monotonic() + START_SECONDS
        while not self._ready():
            assert self.popen.poll() is None, (
                f"{self.name} exited with {self.popen.returncode}:\n{self.output()}"
            )
            assert time.monotonic() < deadline, f"{self.name} not ready in {START_SECONDS} s"
            time.sleep(0.1)

    def _ready(self) -> bool:
        if self.kind == "worker":
            return CONSUMER_STARTED in self.output(since_start=True)
        try:
            with socket.create_connection((HOST, self.port), timeout=1):
                return True
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL, to it and every process of its group at once, as if its machine died."""
        self._signal_group(signal.SIGKILL)
        self.popen.wait(timeout=STOP_SECONDS)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL for whatever of its group is left after STOP_SECONDS."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.popen.wait(timeout=STOP_SECONDS)
        self._signal_group(signal.SIGKILL)  # a gunicorn worker its master left behind

    def _signal_group(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signum)  # its session's group: its PID


@dataclass
class Deployment:
    """The processes, and the front's URL."""

    front: str
    web: list[Process]
    workers: list[Process]
    nginx_directory: Path

    @property
    def servers(self) -> list[str]:
        """The app servers' own URLs."""
        return [server.url for server in self.web]

    def nginx_errors(self) -> str:
        return (self.nginx_directory / "error.log").read_text(errors="replace")


def migrate(env: dict[str, str]) -> None:
    """`flask db upgrade`, as the README says to run before serving."""
    result = subprocess.run(
        ["flask", "--app", "wsgi", "db", "upgrade"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def deployed(
    database_url: str, directory: Path, web: int = 2, workers: int = 2, **settings: str
) -> Iterator[Deployment]:
    """Migrate, start `web` app servers and `workers` consumers with the same settings and
    one SECRET_KEY, and nginx in front; stop them all afterwards, and print their output
    if something failed."""
    directory.mkdir(parents=True, exist_ok=True)
    shared = server_environment(database_url, 0, **settings)
    del shared["PORT"]  # each app server's own
    # The Procfile's commands (gunicorn, flask) from the virtualenv that runs the tests.
    shared["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{shared.get('PATH', '')}"
    migrate(shared)
    names = [chr(ord("A") + n) for n in range(web)]
    processes = [
        Process(
            f"web {name}",
            "web",
            # Its metrics folder in the test's own, where a killed server leaves it.
            {**shared, "PORT": str(free_port()), METRICS_DIR: str(directory / f"metrics-{name}")},
            directory / f"{name}.log",
        )
        for name in names
    ] + [
        Process(f"worker {n}", "worker", dict(shared), directory / f"worker-{n}.log")
        for n in range(1, workers + 1)
    ]
    try:
        for process in processes:
            process.start()
        for process in processes:
            process.wait_until_ready()
        web_servers = processes[:web]
        ports = [server.port for server in web_servers]
        with nginx_in_front(ports, directory / "nginx") as front:
            yield Deployment(front, web_servers, processes[web:], directory / "nginx")
    except BaseException:
        for process in processes:
            print(f"--- output of {process.name} ---\n{process.output()}")
        raise
    finally:
        for process in processes:
            process.stop()
