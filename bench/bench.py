"""Skedjit's benchmark: the event page against a bare Flask app, in one run.

Started by bench/run.sh, which provides a throwaway PostgreSQL (BENCH_POSTGRES_URL).
For each database it serves Skedjit and bench/ceiling.py with the same gunicorn
settings, creates a few events through the real form, and loads both with wrk in
interleaved rounds, keeping the median of each measurement.
"""

import http.cookiejar
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import psycopg2
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"
DURATION = float(os.environ.get("BENCH_DURATION", "5"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))
CONNECTIONS = tuple(int(c) for c in os.environ.get("BENCH_CONNECTIONS", "32,128").split(","))
EVENTS = 5
#: The browsers' languages a friend's page is loaded in, one after another.
LANGUAGES = os.environ.get("BENCH_LANGUAGES", "en,de-DE,fr-FR,es-ES,pt-BR,ar").split(",")
CREATE_CONNECTIONS = 1
CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
RESULTS = ROOT / "bench" / "RESULTS.md"


@dataclass
class Load:
    """What one wrk run measured."""

    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Row:
    database: str
    scenario: str
    connections: int
    runs: list[Load] = field(default_factory=list)
    rss_mb: float = 0.0

    def median(self, name: str) -> float:
        return statistics.median(getattr(run, name) for run in self.runs)

    @property
    def errors(self) -> int:
        return sum(run.errors for run in self.runs)


# -- CPUs -----------------------------------------------------------------------


def cpu_split() -> tuple[str | None, str | None]:
    """CPUs for the servers and for wrk.

    wrk gets the last CPU. With four or more (or BENCH_PIN=strict) the servers
    get the others; with fewer they may use every CPU, since a server confined
    to one core cannot hash a password beside the pages it serves.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return None, None
    strict = os.environ.get("BENCH_PIN", "strict" if len(cpus) >= 4 else "wrk") == "strict"
    servers = cpus[:-1] if strict else cpus
    return ",".join(map(str, servers)), str(cpus[-1])


SERVER_CPUS, WRK_CPUS = cpu_split()


def pinned(command: list[str], cpus: str | None) -> list[str]:
    return ["taskset", "-c", cpus, *command] if cpus else command


def pin_postgres() -> None:
    """Keep the PostgreSQL server (and the backends it forks later) on the servers' CPUs."""
    data = os.environ.get("PG_THROWAWAY_DIR")
    if SERVER_CPUS and data:
        pid = Path(data, "data", "postmaster.pid").read_text().split()[0]
        subprocess.run(["taskset", "-a", "-cp", SERVER_CPUS, pid], check=True, capture_output=True)


# -- Servers --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def peak_rss_mb(self) -> float:
        """The largest peak resident set (VmHWM) of the workers, in MB."""
        peaks = []
        for pid in self.worker_pids():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
        return max(peaks)


@contextmanager
def gunicorn(app: str, env: dict[str, str], workdir: Path):
    """Serve a WSGI app with the project's gunicorn.conf.py on a free loopback port."""
    port = free_port()
    log = workdir / f"gunicorn-{port}.log"
    command = [
        str(VENV_BIN / "gunicorn"),
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
        app,
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            pinned(command, SERVER_CPUS),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(process, f"http://{HOST}:{port}", log)
    try:
        wait_until_serving(server)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"bench: the server failed to start:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.url + "/", timeout=2):
                pass
            if len(server.worker_pids()) >= 1:
                return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"bench: the server did not answer within 30 s:\n{server.log.read_text()}")


# -- Skedjit's side ---------------------------------------------------------------


def skedjit_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "BCRYPT_"))}
    env.update(
        SKEDJIT_ENV="production",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        # The create load posts from one address far faster than a person: the other
        # limits stay on, so the page loads pay for their check as in production.
        RATELIMIT_CREATES="",
    )
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def browser_cookies() -> http.cookiejar.CookieJar:
    """A cookie jar that, like browsers, sends Secure cookies back to loopback over HTTP."""
    policy = http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
    return http.cookiejar.CookieJar(policy)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Creator:
    """A browser session that can post the create form: its cookie and CSRF token."""

    cookie: str
    token: str


def open_create_form(base_url: str) -> tuple[urllib.request.OpenerDirector, Creator]:
    jar = browser_cookies()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base_url + "/create") as response:
        token = CSRF_INPUT.search(response.read().decode()).group(1)
    cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
    return opener, Creator(cookie, token)


def create_form_body(token: str, number: int) -> str:
    return urllib.parse.urlencode(
        {
            "csrf_token": token,
            "title": f"Benchmark dinner {number}",
            "date": "2031-06-20",
            "time": "19:30",
            "timezone": "Europe/Paris",
            "location": "Le Petit Zinc, 11 Rue Saint-Benoît, 75006 Paris",
            "description": "Table for eight.\nBring nothing but yourself!\n" * 8,
            "password": "benchmark password",
            "password_confirm": "benchmark password",
        }
    )


def create_events(base_url: str) -> list[str]:
    """Create events through the real form; return their paths."""
    opener, creator = open_create_form(base_url)
    paths = []
    for number in range(EVENTS):
        request = urllib.request.Request(
            base_url + "/create", data=create_form_body(creator.token, number).encode()
        )
        try:
            opener.open(request)
            sys.exit("bench: creating an event did not redirect")
        except urllib.error.HTTPError as redirect:
            if redirect.code != 303:
                sys.exit(f"bench: creating an event answered {redirect.code}")
            paths.append(urllib.parse.urlsplit(redirect.headers["Location"]).path)
    return paths


@dataclass(frozen=True)
class Visit:
    """A friend's first visit: an event page in their browser's language, and its ETag."""

    path: str
    language: str
    etag: str


def first_visits(base_url: str, paths: list[str]) -> list[Visit]:
    """Each page in each language, as a friend's first visit gets it: with no cookie, none
    set, and in that language (its own ETag, its own `lang`)."""
    visits = []
    for path in paths:
        for language in LANGUAGES:
            request = urllib.request.Request(base_url + path, headers={"Accept-Language": language})
            with urllib.request.urlopen(request) as response:
                if response.headers.get("Set-Cookie"):
                    sys.exit("bench: a friend's first visit was given a cookie")
                tag = language.split("-")[0]
                if f'<html lang="{tag}' not in response.read().decode():
                    sys.exit(f"bench: the page asked for in {language} is not in it")
                visits.append(Visit(path, language, response.headers.get("ETag")))
    if not all(visit.etag for visit in visits):
        sys.exit("bench: the event page sends no ETag")
    if len({visit.etag for visit in visits}) != len(visits):
        sys.exit("bench: two languages of a page share an ETag")
    return visits


# -- wrk ------------------------------------------------------------------------


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_list(values) -> str:
    return "{" + ", ".join(map(lua_string, values)) + "}"


def rotating_script(visits: list[Visit], revalidate: bool = False) -> str:
    """A wrk script that cycles through the pages in every language: first visits, or
    revalidations with each one's ETag."""
    etag = ', ["If-None-Match"] = etags[i]' if revalidate else ""
    return (
        f"local paths = {lua_list(visit.path for visit in visits)}\n"
        f"local languages = {lua_list(visit.language for visit in visits)}\n"
        f"local etags = {lua_list(visit.etag for visit in visits)}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #paths + 1\n"
        f'  return wrk.format("GET", paths[i], {{["Accept-Language"] = languages[i]{etag}}})\n'
        "end\n"
    )


def create_script(creator: Creator) -> str:
    body = create_form_body(creator.token, 0)
    return (
        'wrk.method = "POST"\n'
        f"wrk.body = {lua_string(body)}\n"
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = {lua_string(creator.cookie)}\n'
    )


def parse_wrk(output: str) -> Load:
    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(group) for group in match.groups())
    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Load(requests, latency("50"), latency("99"), errors)


def wrk_command(url: str, connections: int, seconds: float, script: Path | None) -> list[str]:
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency"]
    if script:
        command += ["-s", str(script)]
    return pinned([*command, url], WRK_CPUS)


def run_wrk(url: str, connections: int, script: Path | None = None) -> Load:
    subprocess.run(
        wrk_command(url, connections, WARMUP, script), check=True, capture_output=True, text=True
    )
    result = subprocess.run(
        wrk_command(url, connections, DURATION, script), check=True, capture_output=True, text=True
    )
    return parse_wrk(result.stdout)


def run_wrk_with_creates(
    url: str, connections: int, view_script: Path, create_url: str, create_script_path: Path
) -> tuple[Load, Load]:
    """Load the event pages while one connection keeps posting the create form, both timed alike."""
    warm_up = wrk_command(url, connections, WARMUP, view_script)
    subprocess.run(warm_up, check=True, capture_output=True)
    create_command = wrk_command(create_url, CREATE_CONNECTIONS, DURATION, create_script_path)
    creates = subprocess.Popen(
        [*create_command[:-1], "--timeout", "10s", create_command[-1]],
        stdout=subprocess.PIPE,
        text=True,
    )
    view_run = subprocess.run(
        wrk_command(url, connections, DURATION, view_script),
        check=True,
        capture_output=True,
        text=True,
    )
    create_output, _ = creates.communicate(timeout=DURATION + 30)
    return parse_wrk(view_run.stdout), parse_wrk(create_output)


def run_creates_alone(url: str, create_script_path: Path) -> Load:
    """Creates with nothing else running: what bcrypt at cost 12 costs by itself."""
    command = wrk_command(url + "/create", CREATE_CONNECTIONS, DURATION, create_script_path)
    result = subprocess.run(
        [*command[:-1], "--timeout", "10s", command[-1]],
        check=True,
        capture_output=True,
        text=True,
    )
    return parse_wrk(result.stdout)


# -- One database ---------------------------------------------------------------


def measure(database: str, database_url: str, workdir: Path) -> list[Row]:
    env = skedjit_env(database_url)
    migrate(env)
    rows: dict[tuple[str, int], Row] = {}

    def record(scenario: str, connections: int, load: Load) -> None:
        rows.setdefault((scenario, connections), Row(database, scenario, connections)).runs.append(
            load
        )

    ceiling_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    with (
        gunicorn("bench.ceiling:app", ceiling_env, workdir) as ceiling,
        gunicorn("wsgi:app", env, workdir) as skedjit,
    ):
        visits = first_visits(skedjit.url, create_events(skedjit.url))
        view_script = workdir / "view.lua"
        view_script.write_text(rotating_script(visits))
        revalidate_script = workdir / "revalidate.lua"
        revalidate_script.write_text(rotating_script(visits, revalidate=True))
        _, creator = open_create_form(skedjit.url)
        post_script = workdir / "create.lua"
        post_script.write_text(create_script(creator))

        for round_number in range(1, REPEATS + 1):
            print(f"  {database}: round {round_number} of {REPEATS}", flush=True)
            for connections in CONNECTIONS:
                # The ceiling is measured right before each page load it is compared with.
                record("ceiling", connections, run_wrk(ceiling.url + "/", connections))
                record("first visit", connections, run_wrk(skedjit.url, connections, view_script))
                record("ceiling", connections, run_wrk(ceiling.url + "/", connections))
                record("304", connections, run_wrk(skedjit.url, connections, revalidate_script))
                views, creates = run_wrk_with_creates(
                    skedjit.url, connections, view_script, skedjit.url + "/create", post_script
                )
                record("view+create", connections, views)
                record("create", connections, creates)
            record("create alone", CREATE_CONNECTIONS, run_creates_alone(skedjit.url, post_script))
        for row in rows.values():
            server = ceiling if row.scenario == "ceiling" else skedjit
            row.rss_mb = server.peak_rss_mb()
    return list(rows.values())


def postgres_database(admin_url: str) -> tuple[str, str]:
    """Make an empty database on the benchmark's PostgreSQL; return its URL and name."""
    name = f"skedjit_bench_{secrets.token_hex(4)}"
    url = make_url(admin_url)
    connection = psycopg2.connect(
        dbname="postgres", user=url.username, host=url.host or url.query.get("host")
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    return url.set(database=name).render_as_string(hide_password=False), name


# -- Report ---------------------------------------------------------------------


def ratio_lines(rows: list[Row]) -> list[tuple[str, float, str]]:
    """(label, value, verdict) for each target, per database and connection count."""
    by_key = {(r.database, r.scenario, r.connections): r for r in rows}
    lines = []
    for database in dict.fromkeys(r.database for r in rows):
        for connections in CONNECTIONS:

            def get(scenario: str, db=database, c=connections) -> Row:
                return by_key[(db, scenario, c)]

            ceiling = get("ceiling").runs
            suffix = f"{database}, c={connections}"
            # Each load against the ceiling measured just before it, then the median.
            for scenario, paired, target in (
                ("first visit", ceiling[0::2], 0.70),
                ("304", ceiling[1::2], 0.85),
            ):
                runs = get(scenario).runs
                ratio = statistics.median(
                    run.requests_per_second / base.requests_per_second
                    for run, base in zip(runs, paired, strict=True)
                )
                lines.append((f"{scenario}/ceiling ({suffix})", ratio, f">= {target:.2f}"))
                if connections == 32:
                    p99 = statistics.median(
                        run.p99_ms / base.p99_ms for run, base in zip(runs, paired, strict=True)
                    )
                    lines.append((f"{scenario} p99/ceiling p99 ({suffix})", p99, "<= 1.50"))
            view = get("first visit")
            slowdown = get("view+create").median("p99_ms") / view.median("p99_ms")
            lines.append((f"view p99 with creates/without ({suffix})", slowdown, "<= 2.00"))
            lines.append(
                (f"create p50 ms with views ({suffix})", get("create").median("p50_ms"), "<= 400")
            )
        peak = max(r.rss_mb for r in rows if r.database == database and r.scenario != "ceiling")
        lines.append((f"peak RSS per worker MB ({database})", peak, "<= 80"))
    return lines


def verdict(value: float, target: str) -> str:
    op, bound = target.split()
    ok = value >= float(bound) if op == ">=" else value <= float(bound)
    return "met" if ok else "NOT MET"


def table(rows: list[Row]) -> str:
    header = (
        "| database | scenario | conns | req/s | p50 ms | p99 ms | errors | peak RSS/worker MB |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|\n"
    )
    body = "".join(
        f"| {r.database} | {r.scenario} | {r.connections} | {r.median('requests_per_second'):.0f}"
        f" | {r.median('p50_ms'):.1f} | {r.median('p99_ms'):.1f} | {r.errors}"
        f" | {r.rss_mb:.0f} |\n"
        for r in rows
    )
    return header + body


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"{os.cpu_count()} CPUs ({model}), {platform.system()} {platform.release()}"


def main() -> int:
    # Stopped by a signal, still stop the servers it started (they have sessions of their own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    postgres_admin = os.environ.get("BENCH_POSTGRES_URL")
    print(f"bench: {machine()}; servers on CPUs {SERVER_CPUS}, wrk on {WRK_CPUS}")
    print(f"bench: {REPEATS} rounds of {DURATION:g} s after {WARMUP:g} s warm-up each")
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="skedjit-bench-") as workdir:
        sqlite_url = f"sqlite:///{Path(workdir) / 'bench.sqlite3'}"
        rows += measure("sqlite", sqlite_url, Path(workdir))
        if postgres_admin:
            pin_postgres()
            postgres_url, _ = postgres_database(postgres_admin)
            rows += measure("postgresql", postgres_url, Path(workdir))
        else:
            print("bench: no PostgreSQL (BENCH_POSTGRES_URL); measured SQLite only")

    ratios = ratio_lines(rows)
    report = (
        table(rows)
        + "\n"
        + "".join(
            f"{label}: {value:.2f} (target {target}: {verdict(value, target)})\n"
            for label, value, target in ratios
        )
    )
    print("\n" + report)
    errors = sum(row.errors for row in rows)
    analysis = ROOT / "bench" / "analysis.md"
    RESULTS.write_text(
        "# Benchmark results\n\n"
        f"Machine: {machine()}. Servers on CPUs {SERVER_CPUS}, wrk on CPU {WRK_CPUS}.\n"
        f"gunicorn with gunicorn.conf.py; wrk --latency, {REPEATS} interleaved rounds of "
        f"{DURATION:g} s after a {WARMUP:g} s warm-up; medians. A friend's page is each of "
        f"{EVENTS} events in turn, each in every browser language of {', '.join(LANGUAGES)}"
        " (`Accept-Language`). `create` is one connection "
        "posting the create form (bcrypt at cost 12) while `view+create` loads the page.\n\n"
        "```\n" + report + "```\n\n" + (analysis.read_text() if analysis.exists() else "")
    )
    if errors:
        print(f"bench: {errors} error responses", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
