"""Owner recovery: a forgotten password replaced through a one-time link sent by email."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import utcnow
from skedjit.recovery import service
from tests.helpers.browser import browser_of
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import WRONG
from tests.helpers.forms import edit_fields
from tests.helpers.html import page_text
from tests.helpers.html import text_of
from tests.helpers.mail import mail_settings
from tests.helpers.pages import recovery_path
from tests.helpers.worker import running_worker
from tests.helpers.worker import settle

OWNER_EMAIL = "owner@example.org"
#: The owner and a guesser behind one address (a shared network), so the guesser's
#: lockout is the owner's too.
SHARED = "203.0.113.9"
NEW = "a new password at last"
ASKED = "If an email address was given when this event was created"


def unlock(browser, slug: str, password: str):
    return browser.post(f"/events/{slug}/answers/unlock", data={"password": password})


def new_password(browser, path: str, password: str = NEW):
    return browser.post(path, data={"new_password": password, "new_password_confirm": password})


def ask_for_link(browser, slug: str):
    asked = browser.post(f"/events/{slug}/forgot")
    assert asked.status_code == 303
    return browser.get(asked.headers["Location"])


@pytest.fixture
def slug(mail_app, create_event_as, mail_server) -> str:
    """An event whose owner gave an address; its receipt is forgotten."""
    slug = create_event_as(browser_of(mail_app), owner_email=OWNER_EMAIL)
    mail_server.reset()
    return slug


def password_hash(app, slug: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Event.password_hash).where(Event.slug == slug))


def test_an_owner_locked_out_with_a_guesser_gets_back_in_by_email(mail_app, slug, mail_server):
    guesser = browser_of(mail_app, SHARED)
    for _ in range(5):
        assert unlock(guesser, slug, WRONG).status_code == 403
    owner = browser_of(mail_app, SHARED)
    assert unlock(owner, slug, PASSWORD).status_code == 429

    page = ask_for_link(owner, slug)
    assert ASKED in text_of(page)
    (received,) = mail_server.to(OWNER_EMAIL)
    assert received.message["Subject"] == "Set a new password: Board games at Ana's"
    link = recovery_path(received.message)
    assert owner.get(link).status_code == 200

    saved = new_password(owner, link)

    assert saved.status_code == 303
    assert saved.headers["Location"] == f"/events/{slug}"
    assert "Your new password is saved." in text_of(owner.get(f"/events/{slug}"))
    edit = owner.post(f"/events/{slug}/edit", data=edit_fields(version=2, title="Mine again"))
    assert edit.status_code == 303  # owner access, no password typed
    # The new password clears the shared address's lockout; the old one is gone.
    assert unlock(browser_of(mail_app, SHARED), slug, NEW).status_code == 303
    assert unlock(browser_of(mail_app, "198.51.100.1"), slug, PASSWORD).status_code == 403
    # The link is used up.
    assert browser_of(mail_app).get(link).status_code == 404
    assert new_password(browser_of(mail_app), link, "yet another one").status_code == 404


def test_asking_says_the_same_whether_or_not_an_address_is_on_file(
    mail_app, slug, create_event_as, mail_server
):
    without = create_event_as(browser_of(mail_app))
    mail_server.reset()
    friend = browser_of(mail_app)

    told_without = ask_for_link(friend, without)
    assert mail_server.messages == []
    told_with = ask_for_link(friend, slug)
    assert len(mail_server.to(OWNER_EMAIL)) == 1

    assert told_without.status_code == told_with.status_code == 200
    assert page_text(told_without.get_data(as_text=True)) == page_text(
        told_with.get_data(as_text=True)
    )
    assert ASKED in text_of(told_with)


def test_a_link_lasts_an_hour(mail_app, slug, mail_server, monkeypatch):
    owner = browser_of(mail_app)
    ask_for_link(owner, slug)
    link = recovery_path(mail_server.to(OWNER_EMAIL)[-1].message)
    before = password_hash(mail_app, slug)
    later = utcnow() + service.LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(service, "utcnow", lambda: later)

    opened = owner.get(link)
    assert opened.status_code == 404
    assert "This link has expired or was already used." in text_of(opened)
    assert new_password(owner, link).status_code == 404
    assert password_hash(mail_app, slug) == before


def test_a_new_link_ends_the_one_before(mail_app, slug, mail_server):
    owner = browser_of(mail_app)
    ask_for_link(owner, slug)
    ask_for_link(owner, slug)
    first, second = (recovery_path(r.message) for r in mail_server.to(OWNER_EMAIL))

    assert owner.get(first).status_code == 404
    assert new_password(owner, second).status_code == 303


def test_a_bad_new_password_keeps_the_link(mail_app, slug, mail_server):
    owner = browser_of(mail_app)
    ask_for_link(owner, slug)
    link = recovery_path(mail_server.to(OWNER_EMAIL)[-1].message)

    refused = owner.post(link, data={"new_password": NEW, "new_password_confirm": "different"})

    assert refused.status_code == 400
    assert "The two new passwords differ." in text_of(refused)
    assert unlock(browser_of(mail_app), slug, PASSWORD).status_code == 303
    assert new_password(owner, link).status_code == 303


def test_asking_is_limited_per_address_and_per_event(make_app, mail_server, create_event_as):
    app = make_app(RATELIMIT_ENABLED=True, **mail_settings(mail_server))
    slug = create_event_as(browser_of(app), owner_email=OWNER_EMAIL)
    statuses = [
        browser_of(app, f"10.0.0.{n}").post(f"/events/{slug}/forgot").status_code for n in range(4)
    ]
    assert statuses == [303, 303, 303, 429]
    with running_worker(app):
        settle(app)
    subjects = sorted(m.message["Subject"].split(":")[0] for m in mail_server.to(OWNER_EMAIL))
    assert subjects == ["Set a new password"] * 3 + ["Your event"]

    one = browser_of(app, "10.9.9.9")
    events = [create_event_as(browser_of(app, f"10.1.0.{n}")) for n in range(6)]
    statuses = [one.post(f"/events/{event}/forgot").status_code for event in events]
    assert statuses == [303] * 5 + [429]
    refused = one.post(f"/events/{events[-1]}/forgot")
    assert "Too many recovery links asked for from your address." in text_of(refused)


def test_without_email_there_is_nothing_to_ask_for(app, mail_app, create_event_as):
    plain = create_event_as(browser_of(app))
    assert browser_of(app).get(f"/events/{plain}/forgot").status_code == 404
    assert "Forgot the password?" not in text_of(browser_of(app).get(f"/events/{plain}/edit"))

    mailing = create_event_as(browser_of(mail_app))
    for page in ("edit", "delete", "invite", "answers"):
        shown = browser_of(mail_app).get(f"/events/{mailing}/{page}")
        assert "Forgot the password?" in text_of(shown), page
