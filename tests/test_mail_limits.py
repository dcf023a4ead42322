"""Limits on email: per client address and per instance, so Skedjit is no spam relay."""

from contextlib import ExitStack

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Invitee
from tests.helpers.browser import browser_of
from tests.helpers.forms import event_form
from tests.helpers.html import text_of
from tests.helpers.html import textarea
from tests.helpers.mail import mail_settings
from tests.helpers.worker import SettlingClient
from tests.helpers.worker import running_worker

OWNER_EMAIL = "owner@example.org"


@pytest.fixture
def limited(app, make_app, mail_server):
    """Return a callable making an app (on the database `app` empties) that sends to the
    test server with these limits, its worker running."""
    with ExitStack() as workers:

        def make(**limits):
            limited = make_app(RATELIMIT_ENABLED=True, **mail_settings(mail_server), **limits)
            limited.test_client_class = SettlingClient
            workers.enter_context(running_worker(limited))
            return limited

        yield make


def create(browser, **fields) -> str:
    response = browser.post("/create", data=event_form(**fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def invite(browser, slug: str, addresses: str):
    return browser.post(f"/events/{slug}/invite", data={"addresses": addresses, "note": "Hi"})


def invitee_count(app) -> int:
    with app.app_context():
        return len(db.session.scalars(select(Invitee)).all())


def test_an_address_sends_at_most_its_emails_a_day(limited, mail_server):
    app = limited(RATELIMIT_EMAILS="5 per day")
    sender = browser_of(app, "203.0.113.7")
    slug = create(sender)
    assert invite(sender, slug, "a@example.org b@example.org c@example.org").status_code == 303

    refused = invite(sender, slug, "d@example.org e@example.org f@example.org")

    assert refused.status_code == 429
    assert "Too many emails were sent from your address." in text_of(refused)
    assert textarea(text_of(refused), "addresses") == "d@example.org e@example.org f@example.org"
    assert len(mail_server.messages) == 3
    assert invitee_count(app) == 3
    other = browser_of(app, "198.51.100.8")
    assert invite(other, create(other), "g@example.org").status_code == 303


def test_the_instance_sends_at_most_its_daily_limit(limited, mail_server):
    app = limited(MAIL_DAILY_LIMIT=4)
    one, two = browser_of(app, "203.0.113.7"), browser_of(app, "198.51.100.8")
    assert invite(one, create(one), "a@example.org b@example.org c@example.org").status_code == 303

    refused = invite(two, create(two), "d@example.org e@example.org")

    assert refused.status_code == 429
    assert "sent all the emails it may send today" in text_of(refused)
    assert int(refused.headers["Retry-After"]) <= 86_400
    assert len(mail_server.messages) == 3
    assert invite(two, create(two), "d@example.org").status_code == 303  # the last one left


def test_an_event_is_made_even_when_its_receipt_cannot_be_sent(limited, mail_server):
    app = limited(MAIL_DAILY_LIMIT=1)
    owner = browser_of(app)
    create(owner, owner_email=OWNER_EMAIL)
    second = owner.post("/create", data=event_form(owner_email=OWNER_EMAIL))

    assert second.status_code == 303
    page = text_of(owner.get(second.headers["Location"]))
    assert "No receipt was emailed: This Skedjit has sent all the emails" in page
    assert len(mail_server.to(OWNER_EMAIL)) == 1
