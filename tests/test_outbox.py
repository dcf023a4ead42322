"""The outbox: every email is a row the worker sends, retries and reports; nothing is lost.

The worker is Huey's real consumer (tests/helpers/worker.py), the mail server a real one.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from skedjit import outbox
from skedjit.extensions import db
from skedjit.jobs import queue_of
from skedjit.models import Email
from skedjit.models import utcnow
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import html_of
from tests.helpers.html import page_text
from tests.helpers.mail import mail_settings
from tests.helpers.waiting import wait_until
from tests.helpers.worker import emails_of
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle

NOTE = "See you there"
UNREACHABLE = "The mail server could not be reached."
FAST_RETRIES = {"MAIL_RETRY_SECONDS": (0.2, 0.5)}
WAIT_SECONDS = 10


def invite(browser: Browser, slug: str, addresses: str):
    data = {"addresses": addresses, "note": NOTE}
    return browser.post(f"/events/{slug}/invite", data=data)


@pytest.fixture
def owner(mail_app, create_event_as):
    """The owner's browser on the mailing app, and an event of theirs."""
    browser = Browser(mail_app.test_client())
    return browser, create_event_as(browser)


def test_a_refused_recipient_fails_alone_and_the_owner_can_retry_it(owner, mail_app, mail_server):
    browser, slug = owner
    mail_server.refuse_recipient("ben@example.org", "550 5.1.1 No such user here")

    response = invite(browser, slug, "ana@example.org ben@example.org carl@example.org")

    assert response.status_code == 303
    sentence = "The mail server refused it (550 5.1.1 No such user here). Check the address."
    assert sorted(emails_of(mail_app, "invitation")) == [
        ("ana@example.org", "sent", ""),
        ("ben@example.org", "failed", sentence),
        ("carl@example.org", "sent", ""),
    ]
    assert sorted(m.rcpt_tos[0] for m in mail_server.messages) == [
        "ana@example.org",
        "carl@example.org",
    ]
    page = page_text(html_of(browser.get(f"/events/{slug}/invite")))
    assert f"ben@example.org : email not sent — {sentence} Try again" in page
    assert "ana@example.org : invited" in page

    mail_server.reset()  # the address is fixed at the other end
    retried = browser.post(f"/events/{slug}/emails/{failed_id(mail_app)}/retry")
    assert retried.status_code == 303
    assert [m.rcpt_tos for m in mail_server.messages] == [["ben@example.org"]]
    assert "ben@example.org : invited" in page_text(html_of(browser.get(f"/events/{slug}/invite")))


def failed_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Email.id).where(Email.state == "failed"))


@pytest.mark.parametrize("refusal", ["recipient", "message"])
def test_a_temporary_refusal_is_retried_until_the_server_takes_it(
    owner, mail_app, mail_server, refusal
):
    browser, slug = owner
    reply = "451 4.7.1 Greylisted, come back later"
    if refusal == "recipient":
        mail_server.refuse_recipient("ana@example.org", reply)
    else:
        mail_server.refuse_data(reply)

    assert invite(browser, slug, "ana@example.org").status_code == 303

    said = (
        "The mail server could not take it just now (451 4.7.1 Greylisted, come back later)."
        " Try again later."
    )
    assert emails_of(mail_app, "invitation") == [("ana@example.org", "retrying", said)]
    page = page_text(html_of(browser.get(f"/events/{slug}/invite")))
    assert f"ana@example.org : email not taken yet, trying again — {said}" in page
    mail_server.reset()
    wait_until(lambda: mail_server.messages, WAIT_SECONDS)
    wait_until(lambda: emails_of(mail_app, "invitation")[0][1] == "sent", WAIT_SECONDS)
    assert [m.rcpt_tos for m in mail_server.messages] == [["ana@example.org"]]


def test_a_permanently_refused_message_fails_every_address(owner, mail_app, mail_server):
    browser, slug = owner
    mail_server.refuse_data("554 5.6.0 Message rejected")

    assert invite(browser, slug, "ana@example.org ben@example.org").status_code == 303

    states = {state for _, state, _ in emails_of(mail_app, "invitation")}
    assert states == {"failed"}
    assert mail_server.messages == []


def test_emails_owed_while_the_server_is_down_go_once_it_is_back(
    app, make_app, create_event_as, mail_server, closed_mail_port, load_event
):
    down = mail_settings(mail_server) | {"MAIL_PORT": closed_mail_port}
    mailing = make_app(**down, **FAST_RETRIES)
    browser = Browser(mailing.test_client())
    with running_worker(mailing):
        response = browser.post("/create", data=event_form(owner_email="me@example.org"))
        assert response.status_code == 303
        slug = response.headers["Location"].rsplit("/", 1)[1]
        page = page_text(html_of(browser.get(f"/events/{slug}")))
        assert "A receipt with the link is on its way to me@example.org." in page
        assert invite(browser, slug, "ana@example.org").status_code == 303
        edit = edit_fields(password=PASSWORD, title="Moved", notify="y")
        assert browser.post(f"/events/{slug}/edit", data=edit).status_code == 303
        assert load_event(slug).title == "Moved"  # the change is kept whatever the mail does
        wait_until(
            lambda: {state for _, state, _ in emails_of(mailing)} == {"retrying"}, WAIT_SECONDS
        )
        assert {reply for _, _, reply in emails_of(mailing)} == {UNREACHABLE}

        back = type(mail_server)()
        back.start(port=closed_mail_port)
        try:
            wait_until(lambda: len(back.messages) == 3, WAIT_SECONDS)
            wait_until(
                lambda: {state for _, state, _ in emails_of(mailing)} == {"sent"}, WAIT_SECONDS
            )
        finally:
            back.stop()
    subjects = sorted(m.message["Subject"].split(":")[0] for m in back.messages)
    assert subjects == ["Changed", "Invitation", "Your event"]


def test_no_request_waits_for_the_mail_server(app, make_app, create_event_as, mail_server):
    with socket.socket() as silent:  # takes connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = mail_settings(mail_server) | {"MAIL_PORT": silent.getsockname()[1]}
        mailing = make_app(**settings, MAIL_TIMEOUT=2)
        browser = Browser(mailing.test_client())  # a client that does not wait for the worker
        slug = create_event_as(browser)
        with running_worker(mailing):
            timings = []
            for action in (
                lambda: invite(browser, slug, "ana@example.org ben@example.org"),
                lambda: browser.post(
                    f"/events/{slug}/edit", data=edit_fields(title="Moved", notify="y")
                ),
                lambda: browser.post("/create", data=event_form(owner_email="me@example.org")),
                lambda: browser.post(f"/events/{slug}/delete", data={"notify": "y"}),
            ):
                started = time.monotonic()
                assert action().status_code == 303
                timings.append(time.monotonic() - started)
    assert max(timings) < 1, timings  # the worker waits MAIL_TIMEOUT (2 s) for each


def test_an_email_not_taken_within_a_day_fails(owner, mail_app, mail_server):
    browser, slug = owner
    mail_server.refuse_recipient("ana@example.org", "452 4.2.2 Mailbox full")
    assert invite(browser, slug, "ana@example.org").status_code == 303
    with mail_app.app_context():
        db.session.execute(update(Email).values(created_at=utcnow() - timedelta(hours=24)))
        db.session.commit()
    wait_until(lambda: emails_of(mail_app, "invitation")[0][1] == "failed", WAIT_SECONDS)
    assert "452 4.2.2 Mailbox full" in emails_of(mail_app, "invitation")[0][2]


def test_the_sweep_sends_what_the_queue_lost(owner, mail_app, mail_server):
    browser, slug = owner
    assert invite(browser, slug, "ana@example.org").status_code == 303
    mail_server.reset()
    with mail_app.app_context():  # as if the queue had lost it, and a worker died sending
        long_ago = utcnow() - outbox.stale() - timedelta(seconds=1)
        db.session.execute(
            update(Email).values(
                state="sending", due_at=long_ago, message=b"Subject: again\\r\\n\\r\\nhi"
            )
        )
        db.session.commit()
        assert outbox.sweep_emails() == 1
    wait_until(lambda: mail_server.messages, WAIT_SECONDS)
    assert [m.rcpt_tos for m in mail_server.messages] == [["ana@example.org"]]


def test_two_workers_sending_one_email_send_it_once(owner, mail_app, mail_server):
    browser, slug = owner
    assert invite(browser, slug, "ana@example.org").status_code == 303
    mail_server.reset()
    with mail_app.app_context():
        message = b"Subject: once\r\n\r\nhi"
        db.session.execute(update(Email).values(state="queued", message=message))
        db.session.commit()
        email_id = db.session.scalar(select(Email.id))
    start = threading.Barrier(4)

    def send():
        with mail_app.app_context():
            start.wait()
            outbox.send_email(email_id)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    settle(mail_app)
    assert len(mail_server.messages) == 1


def test_the_queue_carries_ids_only(app, make_app, create_event_as, mail_server):
    mailing = make_app(**mail_settings(mail_server))  # no worker: the jobs stay queued
    browser = Browser(mailing.test_client())
    slug = create_event_as(browser, owner_email="owner@example.org")
    assert invite(browser, slug, "ana@example.org").status_code == 303
    pending = queue_of(mailing).huey.pending()
    with mailing.app_context():
        owed = set(db.session.scalars(select(Email.id)))
    assert {task.name for task in pending} == {"send_email"}
    assert {task.args for task in pending} == {(email_id,) for email_id in owed}
    assert len(owed) == 2  # the receipt and the invitation
    raw = b"".join(queue_of(mailing).huey.storage.enqueued_items())
    assert b"@" not in raw
    assert b"example.org" not in raw


@pytest.mark.parametrize(
    ("who", "email", "status"),
    [("friend", "failed", 403), ("owner", "unknown", 404), ("owner", "sent", 409)],
)
def test_a_retry_is_the_owners_and_only_of_a_failed_email(
    owner, mail_app, mail_server, make_browser, who, email, status
):
    browser, slug = owner
    mail_server.refuse_recipient("ben@example.org", "550 5.1.1 No such user here")
    assert invite(browser, slug, "ana@example.org ben@example.org").status_code == 303
    with mail_app.app_context():
        ids = dict(db.session.execute(select(Email.state, Email.id)).all())
    email_id = {"failed": ids["failed"], "sent": ids["sent"], "unknown": 10**6}[email]
    asker = browser if who == "owner" else Browser(mail_app.test_client())
    response = asker.post(f"/events/{slug}/emails/{email_id}/retry")
    assert response.status_code == status
    assert sorted(state for _, state, _ in emails_of(mail_app, "invitation")) == ["failed", "sent"]


def test_with_redis_as_the_queue_the_worker_sends_as_well(
    app, make_app, create_event_as, mail_server, redis_url
):
    mailing = make_app(**mail_settings(mail_server), QUEUE_URL=redis_url)
    assert type(queue_of(mailing).huey).__name__ == "RedisHuey"
    browser = Browser(mailing.test_client())
    slug = create_event_as(browser)
    with running_worker(mailing):
        assert invite(browser, slug, "ana@example.org").status_code == 303
        mail_server.wait_for(1)
        settle(mailing)
    assert emails_of(mailing, "invitation") == [("ana@example.org", "sent", "")]


def test_a_queue_that_is_down_loses_nothing(
    app, make_app, create_event_as, mail_server, closed_mail_port, redis_url
):
    down = make_app(
        **mail_settings(mail_server), QUEUE_URL=f"redis://127.0.0.1:{closed_mail_port}/0"
    )
    browser = Browser(down.test_client())
    slug = create_event_as(browser)

    response = invite(browser, slug, "ana@example.org")

    assert response.status_code == 303  # the invitation is owed; the queue takes it later
    assert emails_of(down, "invitation") == [("ana@example.org", "queued", "")]
    with down.app_context():
        db.session.execute(update(Email).values(due_at=utcnow() - outbox.stale()))
        db.session.commit()
    queue_back = make_app(**mail_settings(mail_server), QUEUE_URL=redis_url)
    with running_worker(queue_back):
        with queue_back.app_context():
            assert outbox.sweep_emails() == 1  # the minute's sweep, run now
        mail_server.wait_for(1)
        settle(queue_back)
    assert emails_of(queue_back, "invitation") == [("ana@example.org", "sent", "")]
