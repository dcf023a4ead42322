"""The mail settings: refused when incomplete, TLS never dropped, and a silent server timed out."""

import socket
import time

import pytest

from skedjit import create_app
from tests.helpers.apps import make_config
from tests.helpers.browser import Browser
from tests.helpers.mail import mail_settings
from tests.helpers.worker import emails_of
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle


def test_a_mail_server_needs_a_sender(database_url, tmp_path):
    config = make_config(database_url, MAIL_SERVER="127.0.0.1")
    with pytest.raises(RuntimeError, match="MAIL_DEFAULT_SENDER"):
        create_app(config, instance_path=str(tmp_path))


def test_starttls_and_tls_from_the_start_are_one_or_the_other(database_url, tmp_path, mail_server):
    settings = mail_settings(mail_server) | {"MAIL_USE_TLS": True, "MAIL_USE_SSL": True}
    with pytest.raises(RuntimeError, match="not both"):
        create_app(make_config(database_url, **settings), instance_path=str(tmp_path))


def invite_through(make_app, create_event_as, **settings):
    """Invite one address through an app with these mail settings and its worker; the
    response, and the outbox once the worker has tried."""
    app = make_app(**settings, MAIL_RETRY_SECONDS=(30, 30))
    owner = Browser(app.test_client())
    slug = create_event_as(owner)
    with running_worker(app):
        response = owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
        settle(app)
    return response, emails_of(app, "invitation")


@pytest.mark.parametrize(
    "asked",
    [
        {"MAIL_USE_TLS": True},
        {"MAIL_USE_SSL": True},
        {"MAIL_USERNAME": "me", "MAIL_PASSWORD": "pw"},
    ],
    ids=["starttls", "tls", "login"],
)
def test_what_the_server_cannot_do_is_not_skipped(
    app, make_app, create_event_as, mail_server, asked
):
    # The test server offers neither TLS nor a login: the email must not go out without them.
    response, outbox = invite_through(
        make_app, create_event_as, **mail_settings(mail_server), **asked
    )

    assert response.status_code == 303
    assert outbox == [("ana@example.org", "retrying", "The mail server could not be reached.")]
    assert mail_server.messages == []


def test_a_server_that_never_answers_is_given_up_on(app, make_app, create_event_as, mail_server):
    with socket.socket() as silent:  # takes connections (the backlog) but never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings = mail_settings(mail_server) | {"MAIL_PORT": silent.getsockname()[1]}
        started = time.monotonic()
        response, outbox = invite_through(make_app, create_event_as, MAIL_TIMEOUT=0.5, **settings)
        elapsed = time.monotonic() - started

    assert response.status_code == 303
    assert outbox == [("ana@example.org", "retrying", "The mail server could not be reached.")]
    assert elapsed < 5
