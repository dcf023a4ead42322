"""A PostgreSQL cluster of a test's own (tests/postgres.sh), which it may stop and start.

The run's shared server is left alone: tests that take the database away use one of these.
"""

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from contextlib import suppress
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHELL_HELPERS = "source tests/postgres.sh && "


class Cluster:
    """A throwaway PostgreSQL cluster that tests may stop, start and restart."""

    def __init__(self, url: str, directory: str, binaries: str):
        self.url = url
        self.env = {**os.environ, "PG_THROWAWAY_DIR": directory, "PG_THROWAWAY_BIN": binaries}

    def _shell(self, script: str, *args: str) -> None:
        result = subprocess.run(
            ["bash", "-c", SHELL_HELPERS + script, "pg_ctl", *args],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl on the cluster as its owner; -w waits until it is done."""
        self._shell(
            '_as_pg_owner "$PG_THROWAWAY_BIN/pg_ctl" -D "$PG_THROWAWAY_DIR/data" -w '
            '-l "$PG_THROWAWAY_DIR/socket/server.log" "$@"',
            *args,
        )

    def stop(self) -> None:
        self.pg_ctl("-m", "fast", "stop")

    def restart(self) -> None:
        """Restart it, or start it again after stop(): pg_ctl restart reuses the last options."""
        self.pg_ctl("-m", "fast", "restart")

    def remove(self) -> None:
        self._shell("stop_throwaway_postgres")

    @contextmanager
    def frozen(self) -> Iterator[None]:
        """Stop every process of the cluster with SIGSTOP (it answers nothing) and go on after."""
        data = Path(self.env["PG_THROWAWAY_DIR"]) / "data"
        postmaster = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(postmaster, signal.SIGSTOP)  # first, so that it starts no new process meanwhile
        children = _children(postmaster)
        _signal(children, signal.SIGSTOP)
        try:
            yield
        finally:
            _signal([postmaster, *children], signal.SIGCONT)
            # And any it had started that the list missed: a process left stopped would
            # hold up the cluster's shutdown.
            _signal(_children(postmaster), signal.SIGCONT)


def _children(pid: int) -> list[int]:
    listed = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(child) for child in listed.stdout.split()]


def _signal(pids: list[int], signum: int) -> None:
    """Signal each process still there: a backend may end between pgrep and the signal."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signum)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A new cluster, removed afterwards; skipped without PostgreSQL's server binaries
    (failed with SKEDJIT_REQUIRE_POSTGRES=1)."""
    found = subprocess.run(
        ["bash", "-c", SHELL_HELPERS + "find_pg_bin"], cwd=REPO, capture_output=True, text=True
    )
    if found.returncode != 0:
        message = "no PostgreSQL server binaries to start a cluster of the test's own"
        if os.environ.get("SKEDJIT_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    started = subprocess.run(
        [
            "bash",
            "-c",
            SHELL_HELPERS + 'start_throwaway_postgres && printf "%s\\n" '
            '"$TEST_DATABASE_URL" "$PG_THROWAWAY_DIR" "$PG_THROWAWAY_BIN"',
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stdout + started.stderr
    url, directory, binaries = started.stdout.splitlines()[-3:]
    cluster = Cluster(url, directory, binaries)
    try:
        yield cluster
    finally:
        cluster.remove()
