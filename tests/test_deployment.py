"""The deployment on several servers, run for real (README: "Deploying on several servers").

nginx with deploy/nginx.conf in front of two gunicorn app servers, A and B, which share
one PostgreSQL (a cluster of this module's own, since a test stops it) and one
redis-server (the limits and the queue), and two queue consumers; every process runs its
Procfile line on 127.0.0.1. Each test leaves the deployment whole for the next.
"""

import collections
import http.client
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from huey import RedisHuey
from sqlalchemy import create_engine
from sqlalchemy import text

from skedjit import outbox
from skedjit.jobs import NAME
from tests.helpers.apps import close_app
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.deployment import Deployment
from tests.helpers.deployment import deployed
from tests.helpers.forms import WRONG
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import csrf_token_in
from tests.helpers.mail import mail_settings
from tests.helpers.nginx import nginx_binary
from tests.helpers.postgres import Cluster
from tests.helpers.postgres import throwaway_cluster
from tests.helpers.served import Visitor
from tests.helpers.smtp import MailServer
from tests.helpers.waiting import all_at_once
from tests.helpers.waiting import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.served, pytest.mark.xdist_group("deployment")]

#: Addresses in one invitation form (its most).
BATCH = 20
#: Events one address may create in an hour, on whichever server.
CREATES = 4
#: Seconds before the sweep queues again an email left taken by a consumer that died.
STALE_SECONDS = 5
SETTINGS = {
    "TRUSTED_PROXIES": "1",  # nginx in front
    "RATELIMIT_CREATES": f"{CREATES} per hour",
    # One thread per consumer: one email in flight, the most a consumer killed mid-send leaves.
    "QUEUE_WORKERS": "1",
    # A send takes well under a second here, far less than the staleness.
    "MAIL_TIMEOUT": "1",
    "MAIL_STALE_SECONDS": str(STALE_SECONDS),
}
#: What a client sees of an answer cut short: part of it, or the connection closed.
CUT_SHORT = ("IncompleteRead", "RemoteDisconnected", "ConnectionResetError")
#: How long the mail server takes over each message while a consumer is killed.
SLOW_MESSAGE_SECONDS = 0.3
SETTLE_SECONDS = 30
#: At most how long the GET load takes to reach its counts, before and after the kill.
LOAD_SECONDS = 30


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def smtp() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def deployment(cluster, redis_server, smtp, tmp_path_factory) -> Iterator[Deployment]:
    nginx_binary()  # skipped (or failed) at once without nginx, before starting anything
    base = redis_server.rsplit("/", 1)[0]
    limits, queue = f"{base}/2", f"{base}/3"  # databases no other test empties
    for url in (limits, queue):
        with redis.Redis.from_url(url) as client:
            client.flushdb()
    mail = {name: str(value) for name, value in mail_settings(smtp).items()}
    settings = {**SETTINGS, **mail, "RATELIMIT_STORAGE_URI": limits, "QUEUE_URL": queue}
    with deployed(cluster.url, tmp_path_factory.mktemp("deployment"), **settings) as deployment:
        yield deployment


@pytest.fixture
def mail(smtp: MailServer) -> MailServer:
    smtp.reset()
    return smtp


def fetch(base_url: str, path: str) -> tuple[int, str]:
    """A GET on a connection of its own: (status, body)."""
    connection = http.client.HTTPConnection(
        "127.0.0.1", urllib.parse.urlsplit(base_url).port, timeout=10
    )
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def query(cluster: Cluster, sql: str, **values) -> list[tuple]:
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), values)]
    finally:
        engine.dispose()


def emails_of(cluster: Cluster, slug: str) -> list[tuple[str, str, int]]:
    """The event's emails as (address, state, attempts)."""
    return query(
        cluster,
        "SELECT emails.address, emails.state, emails.attempts FROM emails"
        " JOIN events ON events.id = emails.event_id WHERE events.slug = :slug",
        slug=slug,
    )


def states(cluster: Cluster, slug: str) -> dict[str, int]:
    return dict(collections.Counter(state for _, state, _ in emails_of(cluster, slug)))


def pending_jobs(deployment: Deployment) -> int:
    """Jobs waiting on the queue."""
    queue = RedisHuey(NAME, url=deployment.workers[0].env["QUEUE_URL"])
    try:
        return queue.pending_count()
    finally:
        queue.storage.pool.disconnect()


def sweep(deployment: Deployment, cluster: Cluster, tmp_path: Path) -> int:
    """Run the consumers' sweep once, from here, on the deployment's database and queue."""
    settings = {"QUEUE_URL": deployment.workers[0].env["QUEUE_URL"]}
    settings["MAIL_STALE_SECONDS"] = STALE_SECONDS
    app = new_test_app(make_config(cluster.url, **settings), instance_path=str(tmp_path))
    try:
        with app.app_context():
            return outbox.sweep_emails()
    finally:
        close_app(app)


def invite(owner: Visitor, slug: str, addresses: list[str]):
    fields = {"addresses": "\n".join(addresses), "note": "", "password": ""}
    return owner.post_form(f"/events/{slug}/invite", f"/events/{slug}/invite", fields)


def sends_executed(worker) -> int:
    """How many send_email jobs the consumer has run since it last started (Huey logs each)."""
    lines = worker.output(since_start=True).splitlines()
    return sum("Executing" in line and "send_email" in line for line in lines)


def test_an_event_made_through_a_is_seen_at_once_through_b_and_so_is_its_change(deployment):
    a, b = deployment.servers
    owner = Visitor(a, source="127.0.0.11")
    slug = owner.create_event("Two servers")
    friend = Visitor(b)
    for _ in range(4):  # B's two processes both keep the page now
        page = friend.get(f"/events/{slug}")
        assert page.status == 200
        assert "<h1>Two servers</h1>" in page.body

    edit = owner.post_form(
        f"/events/{slug}/edit", f"/events/{slug}/edit", edit_fields(title="Moved indoors")
    )
    assert edit.status == 303, edit.body

    for _ in range(4):
        page = friend.get(f"/events/{slug}")
        assert "<h1>Moved indoors</h1>" in page.body
        assert "Two servers" not in page.body


def test_the_lockout_holds_exactly_across_both_servers(deployment):
    a, b = deployment.servers
    slug = Visitor(a, source="127.0.0.12").create_event("Guess me")
    guessers = [Visitor(server, source="127.0.0.13") for server in (a, b) * 5]
    tokens = {
        guesser: csrf_token_in(guesser.get(f"/events/{slug}/answers").body) for guesser in guessers
    }

    def guess(guesser: Visitor) -> int:
        data = {"csrf_token": tokens[guesser], "password": WRONG}
        return guesser.request(f"/events/{slug}/answers/unlock", data).status

    # Ten wrong passwords at once from one address, half through each server.
    assert sorted(all_at_once(guess, guessers)) == [403] * 5 + [429] * 5
    assert [guess(guesser) for guesser in guessers[:2]] == [429, 429]  # A, then B
    # The owner's right password, from another address, still works.
    owner = Visitor(b, source="127.0.0.14")
    form = owner.get(f"/events/{slug}/answers")
    unlocked = owner.request(
        f"/events/{slug}/answers/unlock",
        {"csrf_token": csrf_token_in(form.body), "password": event_form()["password"]},
    )
    assert unlocked.status == 303, unlocked.body


def test_the_limit_on_new_events_holds_exactly_across_both_servers(deployment, cluster):
    a, b = deployment.servers
    makers = [Visitor(server, source="127.0.0.15") for server in (a, b) * 4]
    tokens = {maker: csrf_token_in(maker.get("/create").body) for maker in makers}

    def create(maker: Visitor) -> int:
        data = {"csrf_token": tokens[maker], **event_form(title="Limited")}
        return maker.request("/create", data).status

    statuses = all_at_once(create, makers)

    assert sorted(statuses) == [303] * CREATES + [429] * (len(makers) - CREATES)
    assert query(cluster, "SELECT count(*) FROM events WHERE title = 'Limited'") == [(CREATES,)]
    Visitor(b, source="127.0.0.16").create_event("Another address")  # not limited


def test_an_invitation_batch_is_delivered_exactly_once_by_the_two_consumers(
    deployment, cluster, mail, tmp_path
):
    mail.slow_down(0.1)  # long enough for the two consumers to share the batch
    owner = Visitor(deployment.servers[0], source="127.0.0.17")
    slug = owner.create_event("Invited")
    addresses = [f"friend{n}@example.org" for n in range(BATCH)]
    # The batch waits, the consumers away (being restarted, say), until it is overdue,
    # and two sweeps find it at once, as the two consumers' own sweeps may (run from here,
    # so that both surely do): every email is then on the queue three times, and the two
    # consumers race for each copy.
    for worker in deployment.workers:
        worker.stop()
    try:
        assert invite(owner, slug, addresses).status == 303
        assert states(cluster, slug) == {"queued": BATCH}
        time.sleep(STALE_SECONDS + 0.5)
        assert sweep(deployment, cluster, tmp_path) == BATCH
        assert sweep(deployment, cluster, tmp_path) == BATCH
    finally:
        for worker in deployment.workers:
            worker.start()
        for worker in deployment.workers:
            worker.wait_until_ready()

    wait_until(lambda: pending_jobs(deployment) == 0, SETTLE_SECONDS)
    time.sleep(1)  # the last jobs taken off the queue have run
    assert states(cluster, slug) == {"sent": BATCH}
    received = [address for message in mail.messages for address in message.rcpt_tos]
    assert sorted(received) == sorted(addresses)
    executed = [sends_executed(worker) for worker in deployment.workers]
    assert all(executed), f"a consumer ran none of the batch's jobs: {executed}"
    assert sum(executed) >= 3 * BATCH  # every copy ran, and none sent an email again


def test_a_consumer_killed_mid_batch_loses_no_email(deployment, cluster, mail):
    mail.slow_down(SLOW_MESSAGE_SECONDS)
    owner = Visitor(deployment.servers[0], source="127.0.0.18")
    slug = owner.create_event("Killed mid-batch")
    addresses = [f"guest{n}@example.org" for n in range(BATCH)]
    killed = deployment.workers[0]

    assert invite(owner, slug, addresses).status == 303
    # Both consumers are waiting for the server's 250, a few messages in.
    wait_until(lambda: len(mail.messages) >= 4 and mail.in_flight == 2, SETTLE_SECONDS)
    killed.kill()
    died = time.monotonic()
    try:
        # The other consumer sends the rest of the batch; the email the dead one was
        # sending stays taken, its job gone with the consumer that took it off the queue.
        wait_until(lambda: states(cluster, slug).get("sent", 0) >= BATCH - 1, SETTLE_SECONDS)
        left = states(cluster, slug)
        del left["sent"]
        assert left in ({}, {"sending": 1})  # {}: a sweep of the other consumer's came first
        # The consumer comes back, as its supervisor restarts it, once that email is
        # stale; its first sweep queues it again.
        time.sleep(max(0.0, died + STALE_SECONDS + 0.5 - time.monotonic()))
    finally:
        killed.start()
        killed.wait_until_ready()
    wait_until(lambda: states(cluster, slug) == {"sent": BATCH}, SETTLE_SECONDS)

    # Sent once each, but for the one the consumer was sending when it died: twice.
    attempts = {address: tried for address, _, tried in emails_of(cluster, slug)}
    assert sorted(attempts.values()) == [1] * (BATCH - 1) + [2]
    received = collections.Counter(
        address for message in mail.messages for address in message.rcpt_tos
    )
    assert set(received) == set(addresses)
    assert sum(received.values()) <= BATCH + 1
    twice = {address for address, count in received.items() if count > 1}
    assert twice <= {address for address, tried in attempts.items() if tried == 2}


def test_app_server_a_killed_under_a_get_load_has_its_gets_answered_by_b(deployment):
    server_a = deployment.web[0]
    slug = Visitor(server_a.url, source="127.0.0.19").create_event("Under load")
    paths = [f"/events/{slug}", "/", f"/events/{slug}.ics"]
    answers: list[tuple[str, int | str, float]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            for path in paths:
                try:
                    status, _ = fetch(deployment.front, path)
                except (OSError, http.client.HTTPException) as error:  # no whole answer
                    status = type(error).__name__
                answers.append((path, status, time.monotonic()))

    clients = [threading.Thread(target=load, daemon=True) for _ in range(4)]
    for client in clients:
        client.start()
    try:
        wait_until(lambda: len(answers) >= 30, LOAD_SECONDS)
        assert "GET /" in server_a.output(since_start=True)  # A had its share
        server_a.kill()
        killed, before = time.monotonic(), len(answers)
        wait_until(lambda: len(answers) >= before + 200, LOAD_SECONDS)
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=15)
        server_a.start()
        server_a.wait_until_ready()

    assert not any(client.is_alive() for client in clients)
    # nginx found A gone, and passed its GETs on to B: every one was answered, but for
    # an answer A had begun to send as it died, which nginx has passed on in part and
    # can only cut short (at most one per client, each with one request at a time).
    errors = deployment.nginx_errors().splitlines()
    on_a = [line for line in errors if "[error]" in line and f":{server_a.port}/" in line]
    cut_on_a = [line for line in on_a if "while reading upstream" in line]  # in the body
    assert len(on_a) > len(cut_on_a), on_a  # refused, or dropped before answering: retried
    cut = [answer for answer in answers if answer[1] != 200]
    assert all(status in CUT_SHORT and moment > killed for _, status, moment in cut), cut
    assert len(cut) <= len(cut_on_a) <= len(clients), (cut, cut_on_a)


def test_readyz_on_each_server_follows_the_database_going_away_and_coming_back(deployment, cluster):
    slug = Visitor(deployment.servers[0], source="127.0.0.20").create_event("Away")
    for server in deployment.servers:
        assert fetch(server, "/readyz") == (200, "ready\n")

    cluster.stop()
    try:
        away = (503, "database: no answer within 1 s\n")
        wait_until(lambda: all(fetch(s, "/readyz") == away for s in deployment.servers), 10)
        # Through the front, a page that needs the database says so: the app's own 503,
        # every time. (Were 503s failures to nginx, it would soon take both servers out
        # and answer a 502 of its own.)
        for _ in range(8):
            status, body = fetch(deployment.front, f"/events/{slug}/edit")
            assert status == 503
            assert "<h1>Temporarily unavailable</h1>" in body
    finally:
        cluster.restart()

    wait_until(lambda: all(fetch(s, "/readyz") == (200, "ready\n") for s in deployment.servers), 15)
    assert fetch(deployment.front, f"/events/{slug}/edit")[0] == 200
