"""Gunicorn settings for serving Skedjit (build.sh passes the bind address).

Two processes of four threads (gthread). Event pages are short, CPU-bound
Python work: more threads per process only lengthen the latency tail (they
queue for the GIL) without adding throughput, and more processes add memory
(about 70 MB each) for no throughput on two cores. Threads matter for
passwords: bcrypt releases the GIL, so while one thread hashes (about 0.3 s
at cost 12) the other threads of the same process keep serving pages. With
sync workers a hash would hold a whole process. bench/RESULTS.md has the
measurements behind this choice.

No access log from gunicorn: its line holds the raw request line and the
Referer, and both can carry the secret of an answer's private link
(/events/<slug>/rsvp/<token>). The app writes one line per request instead,
without secrets (skedjit/request_log.py), to the same standard error.

Metrics (skedjit/metrics.py, when METRICS_ENABLED is on): each worker counts into
files of its own in PROMETHEUS_MULTIPROC_DIR, and /metrics adds up every worker's,
whichever answers the scrape. The hooks below give each master its folder.
"""

import os
import shutil
import tempfile
from pathlib import Path

workers = 2
worker_class = "gthread"
threads = 4
keepalive = 5
timeout = 30
graceful_timeout = 10
accesslog = None
errorlog = "-"
control_socket_disable = True  # several instances (tests, benchmark) may run at once
# Only TRUSTED_PROXIES decides which forwarded headers are believed (skedjit/origin.py).
# gunicorn itself believes none, from no address: by default it would take
# X-Forwarded-Proto and X-Forwarded-Ssl from 127.0.0.1 and switch links to https.
forwarded_allow_ips = ""
secure_scheme_headers = {}


#: gunicorn drains at most this much of a body the app did not read (a refused
#: request's) before reusing the connection; past it, it drops the connection.
DRAINED_BYTES = 64 * 1024


def pre_request(worker, req):
    """Close the connection after a body gunicorn could not drain: announced as
    kept alive, the client's next request on it would find it gone."""
    headers = dict(req.headers)
    length = headers.get("CONTENT-LENGTH", "")
    if "TRANSFER-ENCODING" in headers or (length.isdigit() and int(length) > DRAINED_BYTES):
        req.must_close = True


#: prometheus-client's folder for the workers' counts, and the one this master made.
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
MADE_METRICS_DIR = "SKEDJIT_MADE_METRICS_DIR"


def on_starting(server):
    """Give the workers one folder to count their metrics in, before any of them starts.

    prometheus_client reads PROMETHEUS_MULTIPROC_DIR when a worker first imports it (the
    app is loaded in each worker, not here), so it is set now. A folder given there is
    emptied of an earlier run's counts, which would add up with these; else a new one is
    made for this master, and removed when it exits.
    """
    given = os.environ.get(METRICS_DIR)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
    else:
        made = tempfile.mkdtemp(prefix="skedjit-metrics-")
        os.environ[METRICS_DIR] = os.environ[MADE_METRICS_DIR] = made


def child_exit(server, worker):
    """Forget a dead worker's live gauges; what it counted still adds up."""
    # Imported here, never at the top of this file, which runs before on_starting: the
    # workers forked from a master that had imported prometheus_client before the folder
    # was set would count in memory, where no scrape sees it.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this master made."""
    if made := os.environ.get(MADE_METRICS_DIR):
        shutil.rmtree(made, ignore_errors=True)
