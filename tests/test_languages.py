"""Which language pages are in: the browser's, the menu's cookie, English otherwise."""

import re
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.dates import format_time
from babel.dates import format_timedelta
from babel.dates import get_datetime_format
from babel.dates import get_timezone_location
from flask_babel import force_locale
from flask_babel import gettext
from sqlalchemy import select

from skedjit import i18n
from skedjit.extensions import db
from skedjit.invites import reminders
from skedjit.models import Event
from tests.helpers.browser import Browser
from tests.helpers.catalogs import write_catalog
from tests.helpers.forms import edit_fields
from tests.helpers.html import field_error
from tests.helpers.html import form_version
from tests.helpers.html import text_of as text
from tests.helpers.worker import settle

FOOTER = "Skedjit: one link to share an event. No accounts."


@pytest.fixture
def speaking(make_app, tmp_path, monkeypatch):
    """The app with a German and an Arabic catalog (each with one sentence, the footer's)."""
    folder = tmp_path / "translations"
    write_catalog(folder, "de", {FOOTER: "Skedjit: ein Link für jede Verabredung."})
    write_catalog(folder, "ar", {FOOTER: "سكيدجت: رابط واحد لمشاركة موعد."})
    monkeypatch.setattr(i18n, "TRANSLATIONS", folder)
    return make_app()


def html_tag(response) -> str:
    return re.search(r"<html [^>]*>", response.get_data(as_text=True))[0]


@pytest.mark.parametrize(
    ("accepted", "tag", "footer"),
    [
        (None, '<html lang="en" dir="ltr">', FOOTER),
        ("de-DE,de;q=0.9,en;q=0.8", '<html lang="de" dir="ltr">', "ein Link für jede"),
        ("ar", '<html lang="ar" dir="rtl">', "رابط واحد"),
        ("ja,fr;q=0.5", '<html lang="en" dir="ltr">', FOOTER),  # neither is offered
    ],
)
def test_the_browser_s_language_picks_among_those_offered(speaking, accepted, tag, footer):
    headers = {"Accept-Language": accepted} if accepted else {}
    response = speaking.test_client().get("/", headers=headers)
    assert html_tag(response) == tag
    assert footer in text(response)


def test_a_sentence_not_translated_yet_stays_english(speaking):
    response = speaking.test_client().get("/", headers={"Accept-Language": "de"})
    assert "New event" in text(response)


def test_the_menu_s_choice_is_kept_in_a_cookie_of_its_own(speaking):
    client = speaking.test_client()
    response = client.post(
        "/language",
        data={"lang": "ar"},
        headers={"Accept-Language": "de", "Referer": "http://localhost/create"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/create"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=ar;")
    assert {"HttpOnly", "SameSite=Lax"} <= {part.strip() for part in cookie.split(";")}
    again = client.get("/create", headers={"Accept-Language": "de"})
    assert html_tag(again) == '<html lang="ar" dir="rtl">'


@pytest.mark.parametrize(
    "before", ["https://evil.example/create", "http://evil.example/", "https://localhost/", ""]
)
def test_the_menu_goes_back_only_to_a_page_of_this_site(speaking, before):
    headers = {"Referer": before} if before else {}
    response = speaking.test_client().post("/language", data={"lang": "de"}, headers=headers)
    assert response.headers["Location"] == "/"


def test_a_language_not_offered_is_not_kept(speaking):
    response = speaking.test_client().post("/language", data={"lang": "xx"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers


def test_the_menu_is_refused_from_another_site(speaking):
    response = speaking.test_client().post(
        "/language", data={"lang": "de"}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 403


def test_the_footer_menu_lists_each_language_in_itself(speaking):
    html = speaking.test_client().get("/").get_data(as_text=True)
    assert '<label for="language-choice">Language</label>' in html
    options = re.findall(
        r'<option value="(\w+)" lang="([\w-]+)"( selected)?>([^<]+)</option>', html
    )
    assert options == [
        ("en", "en", " selected", "English"),
        ("de", "de", "", "Deutsch"),
        ("ar", "ar", "", "العربية"),
    ]


@pytest.fixture
def english_only(make_app, tmp_path, monkeypatch):
    """The app with no catalog at all."""
    monkeypatch.setattr(i18n, "TRANSLATIONS", tmp_path / "no-translations")
    return make_app()


def test_without_catalogs_english_alone_is_offered_and_there_is_no_menu(english_only):
    response = english_only.test_client().get("/", headers={"Accept-Language": "de"})
    assert html_tag(response) == '<html lang="en" dir="ltr">'
    assert 'name="lang"' not in response.get_data(as_text=True)


def test_a_friend_s_page_is_one_page_per_language(speaking, make_event, count_queries):
    slug = make_event()
    friend = speaking.test_client()
    german = friend.get(f"/events/{slug}", headers={"Accept-Language": "de"})
    english = friend.get(f"/events/{slug}")
    assert german.headers["Vary"] == "Accept-Language, Cookie"
    assert german.headers["ETag"] != english.headers["ETag"]
    assert "ein Link für jede" in text(german)
    # The language's cookie alone keeps the page shared: sent from memory, no query.
    chooser = speaking.test_client()
    chooser.set_cookie("lang", "de")
    with count_queries(speaking) as statements:
        again = chooser.get(f"/events/{slug}", headers={"Accept-Language": "ar"})
    assert again.get_data() == german.get_data()
    assert statements == []


def test_the_stylesheet_mirrors_for_right_to_left_languages():
    """Written with logical properties only (inline-start, not left), so that with
    dir="rtl" the layout mirrors."""
    css = (Path(i18n.__file__).parent / "static" / "skedjit.css").read_text()
    physical = re.findall(
        r"(?:margin|padding|border|inset)-(?:left|right)\b|(?<![-\w])(?:left|right)\s*:"
        r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)",
        css,
    )
    assert physical == []


@pytest.mark.parametrize(
    ("accepted", "locale"), [("de", "de"), ("ar", "ar"), ("en-US,en;q=0.9", "en_US")]
)
def test_the_time_is_written_in_the_reader_s_locale_with_its_zone_and_offset(
    speaking, make_event, accepted, locale
):
    slug = make_event(starts_at=datetime(2027, 1, 16, 18, 30, tzinfo=UTC), timezone="Europe/Paris")
    page = speaking.test_client().get(f"/events/{slug}", headers={"Accept-Language": accepted})
    local = datetime(2027, 1, 16, 19, 30, tzinfo=ZoneInfo("Europe/Paris"))
    city = get_timezone_location(ZoneInfo("Europe/Paris"), locale=locale, return_city=True)
    assert f"{day_and_clock(local, locale)} ({city}, UTC+01:00)" in text(page)


def day_and_clock(local: datetime, locale: str) -> str:
    """Babel's full date and short time, joined as the locale joins them."""
    day = format_date(local, "full", locale=locale)
    clock = format_time(local, "short", locale=locale)
    pattern = get_datetime_format("medium", locale=locale).replace("'", "")
    return pattern.replace("{0}", clock).replace("{1}", day)


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_the_answer_deadline_is_written_in_the_reader_s_locale(speaking, make_event, locale):
    slug = make_event(
        starts_at=datetime(2054, 1, 16, 18, 30, tzinfo=UTC),
        rsvp_deadline=datetime(2054, 1, 15, 17, 0, tzinfo=UTC),
        timezone="Europe/Paris",
    )
    page = speaking.test_client().get(f"/events/{slug}", headers={"Accept-Language": locale})
    deadline = datetime(2054, 1, 15, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert day_and_clock(deadline, locale) in text(page)


@pytest.mark.parametrize("locale", ["de", "ar"])
def test_how_far_away_the_event_is_is_said_in_the_reader_s_language(speaking, make_event, locale):
    in_five_days = datetime.combine(datetime.now(UTC).date() + timedelta(days=5), time(12), UTC)
    slug = make_event(starts_at=in_five_days, timezone="UTC")
    page = speaking.test_client().get(f"/events/{slug}", headers={"Accept-Language": locale})
    words = format_timedelta(timedelta(days=5), threshold=2, add_direction=True, locale=locale)
    assert f"{words[:1].upper()}{words[1:]}." in text(page)  # "In 5 Tagen."
    assert "in 5 days" not in text(page).lower()


def test_english_without_a_country_keeps_skedjit_s_own_way(speaking, make_event):
    slug = make_event(starts_at=datetime(2027, 1, 16, 18, 30, tzinfo=UTC), timezone="Europe/Paris")
    for accepted in (None, "en-GB,en;q=0.9", "en"):
        headers = {"Accept-Language": accepted} if accepted else {}
        page = speaking.test_client().get(f"/events/{slug}", headers=headers)
        assert "Saturday 16 January 2027, 19:30 (Europe/Paris, UTC+01:00)" in text(page)


def test_an_event_keeps_its_owner_s_language_which_the_edit_form_changes(
    speaking, create_event_as, load_event
):
    owner = Browser(speaking.test_client())
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    slug = create_event_as(owner)
    assert load_event(slug).language == "de"

    edit = owner.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert '<option selected value="de">Deutsch</option>' in edit
    version = form_version(edit)
    refused = owner.post(f"/events/{slug}/edit", data=edit_fields(version, language="xx"))
    assert refused.status_code == 400
    assert (
        field_error(refused.get_data(as_text=True), "language")
        == "Choose a language from the list."
    )
    assert load_event(slug).language == "de"
    saved = owner.post(f"/events/{slug}/edit", data=edit_fields(version, language="ar"))
    assert saved.status_code == 303
    assert load_event(slug).language == "ar"


def test_with_english_alone_the_edit_form_asks_no_language(
    english_only, create_event_as, load_event
):
    browser = Browser(english_only.test_client())
    slug = create_event_as(browser)
    assert load_event(slug).language == "en"
    assert 'name="language"' not in browser.get(f"/events/{slug}/edit").get_data(as_text=True)


def test_an_event_s_emails_are_in_its_language_whoever_sends_them(
    mail_app, create_event_as, mail_server
):
    owner = Browser(mail_app.test_client())
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    slug = create_event_as(owner)  # a German event
    owner.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "fr"  # the owner reads French now
    owner.post(f"/events/{slug}/invite", data={"addresses": "ana@example.org"})
    with mail_app.app_context():
        remind_at = db.session.scalar(select(Event.remind_at).where(Event.slug == slug))
        reminders.send_reminders(remind_at)  # the worker: no request, no reader
        db.session.remove()
    settle(mail_app)

    invitation, reminder = (m.message for m in mail_server.to("ana@example.org"))
    local = datetime(2054, 12, 12, 19, 30, tzinfo=ZoneInfo("Europe/Paris"))
    with mail_app.test_request_context(), force_locale("de"):
        day = format_date(local, "full", locale="de")
        expected = gettext("Invitation: %(title)s, %(day)s", title="Board games at Ana's", day=day)
    assert invitation["Subject"].strip() == expected
    assert expected != f"Invitation: Board games at Ana's, {day}"  # German, not English
    assert day in reminder["Subject"]
    assert "Samstag" in day
