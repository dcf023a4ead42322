"""Hostile input on every form and URL: refused or shown as harmless text, never a 500."""

import re
import statistics
import time
import types
from html import unescape
from urllib.parse import quote
from urllib.parse import urlencode
from urllib.parse import urlsplit

import bcrypt
import itsdangerous.timed
import pytest
from icalendar import Calendar
from markupsafe import escape
from sqlalchemy import select

from skedjit.events import service
from skedjit.extensions import db
from skedjit.models import BringItem
from skedjit.models import CohostLink
from skedjit.models import Event
from skedjit.models import PollOption
from skedjit.models import Rsvp
from skedjit.models import utcnow
from tests.helpers.apps import count_rows
from tests.helpers.browser import Browser
from tests.helpers.forms import PASSWORD
from tests.helpers.forms import edit_fields
from tests.helpers.forms import event_form
from tests.helpers.html import field_error
from tests.helpers.html import html_of
from tests.helpers.html import input_value
from tests.helpers.polls import poll_form

XSS = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}"
RAW_MARKUP = ("<script>alert(1)", "<img src=x")
SQL = "'; DROP TABLE events; -- \" \\ % _ ? $1 %s %(title)s"
#: The error page of the forms Flask-WTF checks before the view, and the sentence of
#: the create and edit forms, which check their own token and come back as typed.
CSRF_EXPIRED = re.compile("This form has expired|This form expired: check it and send it again")
EVIL = "https://evil.example/"
ANSWER = {"name": "Ana", "response": "yes", "guests": "0", "note": ""}


def assert_no_markup_from(html: str) -> None:
    for raw in RAW_MARKUP:
        assert raw not in html


def assert_shown_escaped(html: str, text: str = XSS) -> None:
    assert_no_markup_from(html)
    assert str(escape(text)) in html


def snapshot(app) -> tuple[list, list, list]:
    """Every event's and answer's stored values, and how many things to bring, poll
    dates and co-host links there are, to compare before and after."""
    with app.app_context():
        columns = (Event.slug, Event.title, Event.version, Event.capacity, Event.poll)
        events = db.session.execute(select(*columns, Event.min_going).order_by(Event.id)).all()
        rsvps = db.session.execute(select(Rsvp.id, Rsvp.name, Rsvp.note).order_by(Rsvp.id)).all()
    counts = [count_rows(app, model) for model in (BringItem, PollOption, CohostLink)]
    return [tuple(row) for row in events], [tuple(row) for row in rsvps], counts


def answer_with_link(browser: Browser, slug: str, **fields) -> str:
    """Answer, and return the token of the private change link the page then shows."""
    assert browser.post(f"/events/{slug}/rsvp", data=ANSWER | fields).status_code == 303
    link = re.search(
        r'class="private-link">[^<]*/rsvp/([\w-]+)</a>', html_of(browser.get(f"/events/{slug}"))
    )
    assert link, "no change link on the page"
    return link.group(1)


def rsvp_id(app, slug: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Rsvp.id).join(Event).where(Event.slug == slug))


# -- stored and reflected XSS ---------------------------------------------------------


def test_script_in_every_event_field_is_only_text_on_every_page(
    app, browser, make_browser, create_event_as
):
    slug = create_event_as(browser, title=XSS, location=XSS, description=XSS)
    friend = make_browser()
    for viewer in (browser, friend):  # the owner's page and the cached friend's page
        page = html_of(viewer.get(f"/events/{slug}"))
        assert_shown_escaped(page)
        assert page.count(str(escape(XSS))) >= 6  # title, heading, place, text, previews
        assert f'<meta property="og:title" content="{escape(XSS)}">' in page
        assert f'data-share-title="{escape(XSS)}"' in page
    for path in ("edit", "delete", "answers"):
        assert_shown_escaped(html_of(browser.get(f"/events/{slug}/{path}")))
    deleted = browser.post(f"/events/{slug}/delete", follow_redirects=True)
    assert_shown_escaped(html_of(deleted))  # the flash message names the title


def test_script_in_an_answer_is_only_text_on_every_page(
    app, browser, make_browser, create_event_as
):
    slug = create_event_as(browser)
    friend = make_browser()
    token = answer_with_link(friend, slug, name=XSS, note=XSS)
    pages = [
        friend.get(f"/events/{slug}"),  # the friend's own, prefilled answer
        make_browser().get(f"/events/{slug}"),  # the guest list a stranger sees
        browser.get(f"/events/{slug}/answers"),  # the owner's list
        make_browser().get(f"/events/{slug}/rsvp/{token}"),  # the change link's form
    ]
    for page in pages:
        assert page.status_code == 200
        assert_shown_escaped(html_of(page))


def test_script_in_the_thanks_message_is_only_text(browser, make_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}/rsvp", data=ANSWER | {"name": XSS})
    page = html_of(browser.get(response.headers["Location"]))
    assert f"Thanks, {escape(XSS)}!" in page
    assert_no_markup_from(page)


CREATE_FIELDS = ["title", "location", "description", "date", "time", "end_date", "end_time"]


@pytest.mark.parametrize("field", [*CREATE_FIELDS, "timezone", "hide_preview", "password"])
def test_script_in_a_refused_create_form_comes_back_only_as_text(app, browser, field):
    fields = event_form(date="not a date") | {field: XSS}  # refused either way: a 400
    response = browser.post("/create", data=fields)
    assert response.status_code == 400
    assert_no_markup_from(html_of(response))
    assert snapshot(app) == ([], [], [0, 0, 0])


@pytest.mark.parametrize("field", [*CREATE_FIELDS, "timezone", "version", "new_password"])
def test_script_in_a_refused_edit_form_comes_back_only_as_text(browser, create_event_as, field):
    slug = create_event_as(browser)
    fields = edit_fields(time="25:00") | {field: XSS}
    response = browser.post(f"/events/{slug}/edit", data=fields)
    assert response.status_code in (400, 409)
    assert_no_markup_from(html_of(response))


@pytest.mark.parametrize("field", ["name", "note", "guests", "response", "token"])
def test_script_in_a_refused_answer_comes_back_only_as_text(app, browser, make_event, field):
    slug = make_event()
    fields = ANSWER | {"guests": "11", field: XSS}
    response = browser.post(f"/events/{slug}/rsvp", data=fields)
    assert response.status_code == 400
    assert_no_markup_from(html_of(response))
    assert snapshot(app)[1] == []


def test_script_in_the_conflict_page_is_only_text(browser, create_event_as):
    slug = create_event_as(browser, title=XSS)
    assert (
        browser.post(f"/events/{slug}/edit", data=edit_fields(title=XSS + "!")).status_code == 303
    )
    stale = edit_fields(title="Mine")
    response = browser.post(f"/events/{slug}/edit", data=stale)
    assert response.status_code == 409
    assert_shown_escaped(html_of(response), XSS + "!")


def test_script_in_the_calendar_file_is_plain_text_that_cannot_run(browser, create_event_as):
    slug = create_event_as(browser, title=XSS, location=XSS, description=XSS)
    response = browser.get(f"/events/{slug}.ics")
    assert response.mimetype == "text/calendar"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    (vevent,) = Calendar.from_ical(response.data).walk("VEVENT")
    assert [str(vevent[name]) for name in ("SUMMARY", "LOCATION", "DESCRIPTION")] == [XSS] * 3
    disposition = response.headers["Content-Disposition"]
    assert re.fullmatch(
        r"attachment; filename=[\w.-]+(; filename\*=UTF-8\'\'[\w.%-]+)?", disposition
    )


@pytest.mark.parametrize(
    "path",
    [
        "/events/<script>alert(1)</script>",
        "/events/%22%3E%3Cscript%3Ealert(1)%3C/script%3E/edit",
        "/events/<img src=x onerror=alert(2)>.ics",
        '/events/x"><script>alert(1)</script>/rsvp/abc',
        "/<script>alert(1)</script>",
    ],
)
def test_script_in_the_url_is_not_echoed_by_the_error_page(client, path):
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 404
        html = html_of(response)
        assert "<h1>Page not found</h1>" in html
        assert "alert(" not in html


# -- SQL metacharacters ---------------------------------------------------------------


def test_sql_metacharacters_are_stored_and_shown_verbatim(
    app, browser, make_browser, create_event_as, make_event, load_event
):
    other = make_event(title="Untouched")
    slug = create_event_as(browser, title=SQL, location=SQL, description=SQL)
    friend = make_browser()
    answered = friend.post(f"/events/{slug}/rsvp", data=ANSWER | {"name": SQL, "note": SQL})
    assert answered.status_code == 303

    event = load_event(slug)
    assert (event.title, event.location, event.description) == (SQL, SQL, SQL)
    assert [(name, note) for _id, name, note in snapshot(app)[1]] == [(SQL, SQL)]
    assert load_event(other).title == "Untouched"
    page = html_of(friend.get(f"/events/{slug}"))
    assert unescape(re.search(r"<h1>(.*?)</h1>", page).group(1)) == SQL
    assert str(escape(SQL)) in page


@pytest.mark.parametrize(
    "path",
    [
        "/events/' OR '1'='1",
        "/events/a'--/edit",
        "/events/%27%20OR%201=1--.ics",
        "/events/{slug}/rsvp/' OR '1'='1",
        "/events/{slug}/rsvp/x%27%3B%20DROP%20TABLE%20rsvps%3B--",
        "/events/{slug}/answers/1 OR 1=1/remove",
        "/events/{slug}/answers/1;DROP TABLE rsvps/remove",
    ],
)
def test_sql_in_the_url_finds_nothing_and_breaks_nothing(app, browser, make_event, path):
    slug = make_event()
    answer_with_link(browser, slug)
    before = snapshot(app)
    path = path.format(slug=slug)
    assert browser.get(path).status_code == 404
    assert browser.post(path).status_code in (404, 405)
    assert snapshot(app) == before


def test_sql_as_an_answer_token_or_password_opens_nothing(app, browser, make_browser, make_event):
    slug = make_event()
    answer_with_link(make_browser(), slug)
    before = snapshot(app)
    withdraw = browser.post(f"/events/{slug}/rsvp/withdraw", data={"token": "' OR '1'='1"})
    assert withdraw.status_code == 404
    unlock = browser.post(f"/events/{slug}/answers/unlock", data={"password": "' OR '1'='1"})
    assert unlock.status_code == 403
    assert snapshot(app) == before


# -- CSRF -----------------------------------------------------------------------------


class Victim:
    """An owner who also answered: every form would work in this browser with its token."""

    def __init__(self, app, browser: Browser, create_event_as):
        self.browser = browser
        made = browser.post("/create/poll", data=poll_form(title="Poll"))
        self.poll = made.headers["Location"].rsplit("/", 1)[1]
        with app.app_context():
            self.option_id = db.session.scalar(select(PollOption.id))
        self.slug = create_event_as(browser)
        answer_with_link(browser, self.slug)
        self.rsvp_id = rsvp_id(app, self.slug)

    def forms(self) -> dict[str, tuple[str, dict]]:
        """Each POST that changes something: its URL and fields."""
        slug = self.slug
        return {
            "create": ("/create", event_form()),
            "edit": (f"/events/{slug}/edit", edit_fields(title="Hijacked")),
            "delete": (f"/events/{slug}/delete", {}),
            "answer": (f"/events/{slug}/rsvp", ANSWER | {"name": "Mallory"}),
            "withdraw": (f"/events/{slug}/rsvp/withdraw", {}),
            "unlock": (f"/events/{slug}/answers/unlock", {"password": PASSWORD}),
            "settings": (f"/events/{slug}/answers", {"capacity": "1"}),
            "remove": (f"/events/{slug}/answers/{self.rsvp_id}/remove", {}),
            "minimum": (f"/events/{slug}/minimum", MINIMUM),
            "bring": (f"/events/{slug}/bring", {"text": "wine", "quantity": "2"}),
            "cohost": (f"/events/{slug}/cohosts", {}),
            "pick": (f"/events/{self.poll}/poll/pick", {"option": str(self.option_id)}),
            "poll-settings": (f"/events/{self.poll}/poll/settings", {"closed": "y"}),
            "poll-option": (f"/events/{self.poll}/poll/options", NEW_OPTION),
            "poll-unlock": (f"/events/{self.poll}/poll/unlock", {"password": PASSWORD}),
            "poll-remove": (f"/events/{self.poll}/poll/options/{self.option_id}/remove", {}),
            "vote": (
                f"/events/{self.poll}/vote",
                {"name": "Mallory", f"vote-{self.option_id}": "yes"},
            ),
        }

    def post(self, form: str, token: str | None, headers: dict | None = None):
        url, fields = self.forms()[form]
        if token is not None:
            fields = fields | {"csrf_token": token}
        return self.browser.client.post(url, data=fields, headers=headers)


#: Forms that carry Flask-WTF's token; every form is also refused from another site.
TOKEN_FORMS = [
    *("create", "edit", "delete", "unlock", "settings", "remove", "minimum"),
    *("bring", "cohost", "pick", "poll-settings", "poll-option", "poll-unlock", "poll-remove"),
]
FORMS = [*TOKEN_FORMS, "answer", "withdraw", "vote"]
MINIMUM = {"min_going": "6", "decide_date": "2054-12-11", "decide_time": "18:00"}
NEW_OPTION = {"date": "2054-12-20", "time": "20:00"}
CROSS_SITE = [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": EVIL}]


def moved_clock(monkeypatch, seconds: float) -> None:
    """Make signed tokens (itsdangerous) see a later time, as if the form had stayed open."""
    later = types.SimpleNamespace(time=lambda: time.time() + seconds)
    monkeypatch.setattr(itsdangerous.timed, "time", later)


@pytest.mark.parametrize("form", FORMS)
def test_every_form_works_with_the_browsers_own_token(app, browser, create_event_as, form):
    victim = Victim(app, browser, create_event_as)
    assert victim.post(form, browser.csrf_token).status_code == 303


@pytest.mark.parametrize("form", TOKEN_FORMS)
@pytest.mark.parametrize("attack", ["missing", "wrong", "another-browsers", "expired"])
def test_a_post_without_this_browsers_valid_token_is_400_and_changes_nothing(
    app, browser, make_browser, create_event_as, monkeypatch, form, attack
):
    victim = Victim(app, browser, create_event_as)
    before = snapshot(app)
    token = {
        "missing": None,
        "wrong": "IjEyMzQ1Njc4OTAi.ZZZZZZ.not-a-signature",
        "another-browsers": make_browser().csrf_token,
        "expired": browser.csrf_token,
    }[attack]
    if attack == "expired":
        moved_clock(monkeypatch, app.config["WTF_CSRF_TIME_LIMIT"] + 60)
    response = victim.post(form, token)
    assert response.status_code == 400
    assert CSRF_EXPIRED.search(html_of(response))
    assert snapshot(app) == before
    assert "Set-Cookie" not in response.headers  # no owner access, no answer kept


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("headers", CROSS_SITE, ids=["cross-site", "same-site", "origin"])
def test_a_post_from_another_site_is_403_and_changes_nothing(
    app, browser, create_event_as, form, headers
):
    victim = Victim(app, browser, create_event_as)
    before = snapshot(app)
    response = victim.post(form, browser.csrf_token, headers)
    assert response.status_code == 403
    assert "This form was sent from another site" in html_of(response)
    assert snapshot(app) == before
    assert "Set-Cookie" not in response.headers


def test_a_token_replayed_without_its_session_cookie_is_refused(app, browser, create_event_as):
    victim = Victim(app, browser, create_event_as)
    url, fields = victim.forms()["edit"]
    stranger = Browser(app.test_client())  # no cookies at all
    response = stranger.client.post(url, data=fields | {"csrf_token": browser.csrf_token})
    assert response.status_code == 400
    assert CSRF_EXPIRED.search(html_of(response))


def test_a_token_just_inside_the_time_limit_is_accepted(app, browser, create_event_as, monkeypatch):
    victim = Victim(app, browser, create_event_as)
    moved_clock(monkeypatch, app.config["WTF_CSRF_TIME_LIMIT"] - 60)
    assert victim.post("edit", browser.csrf_token).status_code == 303


# -- NUL bytes and undecodable text ---------------------------------------------------


@pytest.mark.parametrize("field", ["title", "location", "description", "password"])
def test_nul_in_a_create_field_is_400_beside_the_field_and_keeps_the_rest(app, browser, field):
    fields = event_form(title="Board games") | {field: "ab\x00cd"}
    if field == "password":
        fields["password_confirm"] = "ab\x00cd"
    response = browser.post("/create", data=fields)
    html = html_of(response)
    assert response.status_code == 400
    assert "control character (U+0000)" in field_error(html, field)
    if field != "title":
        assert input_value(html, "title") == "Board games"
    assert snapshot(app) == ([], [], [0, 0, 0])


@pytest.mark.parametrize("field", ["title", "location", "description", "new_password"])
def test_nul_in_an_edit_field_is_400_beside_the_field(app, browser, create_event_as, field):
    slug = create_event_as(browser)
    before = snapshot(app)
    fields = edit_fields() | {field: "ab\x00cd"}
    if field == "new_password":
        fields["new_password_confirm"] = "ab\x00cd"
    response = browser.post(f"/events/{slug}/edit", data=fields)
    assert response.status_code == 400
    assert "control character (U+0000)" in field_error(html_of(response), field)
    assert snapshot(app) == before


@pytest.mark.parametrize("action", ["edit", "delete", "answers/unlock"])
def test_nul_in_a_typed_password_is_400_beside_the_field(app, browser, make_event, action):
    slug = make_event()
    before = snapshot(app)
    data = event_form(password="correct\x00horse") if action == "edit" else {"password": "a\x00b"}
    response = browser.post(f"/events/{slug}/{action}", data=data)
    assert response.status_code == 400
    assert "control character (U+0000)" in field_error(html_of(response), "password")
    assert snapshot(app) == before


@pytest.mark.parametrize("field", ["name", "note"])
def test_nul_in_an_answer_is_400_beside_the_field_and_keeps_the_rest(
    app, browser, make_event, field
):
    slug = make_event()
    response = browser.post(f"/events/{slug}/rsvp", data=ANSWER | {field: "ab\x00cd"})
    html = html_of(response)
    assert response.status_code == 400
    assert "control character (U+0000)" in field_error(html, field)
    if field == "note":
        assert input_value(html, "name") == "Ana"
    assert snapshot(app)[1] == []


def raw_form_post(browser: Browser, url: str, fields: dict, replace: tuple[bytes, bytes]):
    """Post a form body with some bytes replaced, as no browser would send it."""
    body = urlencode(fields | {"csrf_token": browser.csrf_token}).encode()
    assert replace[0] in body
    return browser.client.post(
        url, data=body.replace(*replace), content_type="application/x-www-form-urlencoded"
    )


def test_a_form_body_that_is_not_utf8_is_refused_and_stores_nothing(app, browser, make_event):
    slug = make_event()
    before = snapshot(app)
    created = raw_form_post(browser, "/create", event_form(), (b"title=Board", b"title=\xff\xfe"))
    answered = raw_form_post(
        browser, f"/events/{slug}/rsvp", ANSWER, (b"name=Ana", b"name=\xc3\x28\x00")
    )
    for response in (created, answered):
        assert response.status_code == 400
        assert "Traceback" not in html_of(response)
    assert snapshot(app) == before


def test_percent_encoded_bytes_that_are_not_utf8_are_kept_as_typed(browser, load_event):
    response = raw_form_post(
        browser, "/create", event_form(), (b"title=Board", b"title=%FF%FEBoard")
    )
    assert response.status_code == 303
    slug = response.headers["Location"].rsplit("/", 1)[1]
    assert load_event(slug).title.startswith("%FF%FEBoard")


@pytest.mark.parametrize(
    "path",
    [
        "/events/%00",
        "/events/abc%00de",
        "/events/{slug}%00",
        "/events/{slug}%00/edit",
        "/events/{slug}.ics%00",
        "/events/{slug}/rsvp/%00",
        "/events/{slug}/rsvp/%FF%FE",
        "/events/{slug}/answers/%00/remove",
        "/events/%FF%FE%FD%FC%FB%FA",
        "/%C3%28",
    ],
)
def test_nul_or_bad_utf8_in_the_url_is_404(browser, make_event, path):
    path = path.format(slug=make_event())
    response = browser.get(path)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html_of(response)
    assert browser.post(path).status_code in (404, 405)  # GET-only addresses say 405


@pytest.mark.parametrize(
    "path_info", ["/events/\x00\x00\x00\x00\x00\x00", "/events/\xff\xfe\xfd\xfc\xfb\xfa"]
)
def test_raw_bytes_in_the_path_are_404(client, path_info):
    response = client.get("/", environ_overrides={"PATH_INFO": path_info})
    assert response.status_code == 404


def test_garbage_cookies_are_ignored(app, make_event):
    slug = make_event()
    client = app.test_client()
    client.set_cookie("session", "\x00garbage.\xff")
    client.set_cookie(f"rsvp-{slug}", "%00' OR 1=1", path=f"/events/{slug}")
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    assert "Your answer" in html_of(response)  # a blank form, as for a stranger


# -- oversized fields and bodies ------------------------------------------------------

EMOJI = "😀"  # one character, four bytes: limits count characters


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("title", 120, "Keep the title to 120 characters or fewer."),
        ("location", 200, "Keep the place to 200 characters or fewer."),
        ("description", 5000, "Keep the description to 5000 characters or fewer."),
    ],
)
def test_event_text_at_its_limit_is_stored_whole_and_one_more_is_refused(
    app, browser, load_event, field, limit, message
):
    accepted = browser.post("/create", data=event_form(**{field: EMOJI * limit}))
    assert accepted.status_code == 303  # even in four-byte characters it fits the body limit
    slug = accepted.headers["Location"].rsplit("/", 1)[1]
    assert getattr(load_event(slug), field) == EMOJI * limit

    refused = browser.post("/create", data=event_form(**{field: EMOJI * (limit + 1)}))
    assert refused.status_code == 400
    assert field_error(html_of(refused), field) == message
    assert len(snapshot(app)[0]) == 1


@pytest.mark.parametrize(
    ("field", "limit", "message"),
    [
        ("name", 80, "Keep your name to 80 characters or fewer."),
        ("note", 300, "Keep the note to 300 characters or fewer."),
    ],
)
def test_answer_text_at_its_limit_is_stored_whole_and_one_more_is_refused(
    app, make_browser, make_event, field, limit, message
):
    slug = make_event()
    accepted = make_browser().post(f"/events/{slug}/rsvp", data=ANSWER | {field: EMOJI * limit})
    assert accepted.status_code == 303
    refused = make_browser().post(
        f"/events/{slug}/rsvp", data=ANSWER | {field: EMOJI * (limit + 1)}
    )
    assert refused.status_code == 400
    assert field_error(html_of(refused), field) == message
    stored = snapshot(app)[1]
    assert len(stored) == 1
    assert EMOJI * limit in stored[0]


@pytest.mark.parametrize("field", ["password", "new_password"])
def test_a_password_one_byte_over_72_is_refused_not_truncated(browser, make_event, field):
    slug = make_event()
    password = "é" * 36 + "x"  # 73 bytes
    fields = edit_fields() | {field: password}
    if field == "new_password":
        fields["new_password_confirm"] = password
    response = browser.post(f"/events/{slug}/edit", data=fields)
    assert response.status_code == 400
    assert "at most 72 bytes (73 given)" in field_error(html_of(response), field)


@pytest.mark.parametrize("where", ["create", "answer"])
def test_a_body_over_the_size_limit_is_413_and_stores_nothing(app, browser, make_event, where):
    slug = make_event()
    before = snapshot(app)
    size = app.config["MAX_CONTENT_LENGTH"]
    if where == "create":
        response = browser.post("/create", data=event_form(description="x" * size))
    else:
        response = browser.post(f"/events/{slug}/rsvp", data=ANSWER | {"note": "x" * size})
    assert response.status_code == 413
    assert "<h1>Too much data</h1>" in html_of(response)
    assert snapshot(app) == before


# -- header injection -----------------------------------------------------------------

INJECTION = "Party\r\nX-Injected: yes\r\nSet-Cookie: evil=1"


def assert_no_injected_header(response) -> None:
    for name, value in response.headers.items():
        assert name.lower() != "x-injected"
        assert "\r" not in value
        assert "\n" not in value
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("evil")]


@pytest.mark.parametrize("deleted", [False, True], ids=["event", "cancelled"])
def test_a_title_with_line_breaks_cannot_add_headers_to_the_calendar_file(
    app, browser, make_event, deleted
):
    slug = make_event(title=INJECTION)  # stored directly: the form refuses line breaks
    if deleted:
        with app.test_request_context():
            service.delete_event(service.find_event(slug), notify=False)
    response = browser.get(f"/events/{slug}.ics")
    assert response.status_code == 200
    assert_no_injected_header(response)
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=party-x-injected-yes-set-cookie-evil-1.ics"


def test_line_breaks_in_the_description_cannot_add_calendar_properties(browser, create_event_as):
    text = "Bring food\r\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT\r\nX-INJECTED:1"
    slug = create_event_as(browser, description=text)
    calendar = Calendar.from_ical(browser.get(f"/events/{slug}.ics").data)
    (vevent,) = calendar.walk("VEVENT")
    assert "ATTENDEE" not in vevent
    assert "X-INJECTED" not in vevent
    assert str(vevent["DESCRIPTION"]) == text.replace("\r\n", "\n")


def test_line_breaks_in_fields_never_reach_a_redirect_or_cookie(app, browser, make_event):
    slug = make_event()
    response = browser.post(
        f"/events/{slug}/rsvp", data=ANSWER | {"note": INJECTION, "token": INJECTION}
    )
    assert response.status_code == 303
    assert_no_injected_header(response)
    assert response.headers["Location"] == f"/events/{slug}"
    cookies = response.headers.getlist("Set-Cookie")
    assert {cookie.split("=", 1)[0] for cookie in cookies} == {"session", f"rsvp-{slug}"}


# -- open redirects -------------------------------------------------------------------

REDIRECT_BAIT = {
    "next": EVIL,
    "redirect": "//evil.example",
    "return_to": EVIL,
    "url": "/\\evil.example",
}


@pytest.mark.parametrize(
    ("form", "target"),
    [
        ("create", None),
        ("edit", "/events/{slug}"),
        ("answer", "/events/{slug}"),
        ("withdraw", "/events/{slug}"),
        ("unlock", "/events/{slug}/answers"),
        ("settings", "/events/{slug}"),
        ("remove", "/events/{slug}/answers"),
        ("delete", "/"),
    ],
)
def test_no_post_redirects_where_the_request_says(app, browser, create_event_as, form, target):
    victim = Victim(app, browser, create_event_as)
    url, fields = victim.forms()[form]
    response = browser.client.post(
        f"{url}?{urlencode(REDIRECT_BAIT)}",
        data=fields | REDIRECT_BAIT | {"csrf_token": browser.csrf_token},
        headers={"Referer": EVIL, "X-Forwarded-Host": "evil.example"},
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert urlsplit(location).netloc == ""
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    if target:
        assert location == target.format(slug=victim.slug)
    else:
        assert re.fullmatch(r"/events/\w{6}", location)


@pytest.mark.parametrize(
    "path_info",
    ["//evil.example", "//evil.example/", "/\\evil.example", "//evil.example/%2E%2E/create"],
)
def test_paths_that_look_like_other_sites_do_not_redirect_there(client, path_info):
    response = client.get("/", environ_overrides={"PATH_INFO": path_info})
    location = response.headers.get("Location")
    assert location is None or urlsplit(location).netloc in ("", "localhost")


def test_merged_slashes_redirect_stays_on_this_site(client, make_event):
    slug = make_event()
    response = client.get("/", environ_overrides={"PATH_INFO": f"/events//{slug}"})
    assert response.status_code == 308
    assert urlsplit(response.headers["Location"]).netloc == "localhost"


# -- method overrides and wrong methods -----------------------------------------------

OVERRIDE_HEADERS = {
    "X-HTTP-Method-Override": "DELETE",
    "X-HTTP-Method": "DELETE",
    "X-Method-Override": "DELETE",
}


def test_method_override_on_the_event_page_is_still_a_405(browser, make_event, load_event):
    slug = make_event()
    response = browser.post(f"/events/{slug}", data={"_method": "DELETE"}, headers=OVERRIDE_HEADERS)
    assert response.status_code == 405
    assert "<h1>Not allowed here</h1>" in html_of(response)
    assert load_event(slug) is not None


def test_method_override_on_an_edit_is_just_an_edit(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    fields = edit_fields(title="Still here") | {"_method": "DELETE"}
    response = browser.post(f"/events/{slug}/edit", data=fields, headers=OVERRIDE_HEADERS)
    assert response.status_code == 303
    assert load_event(slug).title == "Still here"


def test_method_override_on_the_delete_page_only_shows_it(browser, create_event_as, load_event):
    slug = create_event_as(browser)
    headers = {"X-HTTP-Method-Override": "POST"}
    response = browser.get(f"/events/{slug}/delete?_method=POST", headers=headers)
    assert response.status_code == 200
    assert load_event(slug) is not None


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/create",
        "/events/{slug}",
        "/events/{slug}/edit",
        "/events/{slug}/delete",
        "/events/{slug}.ics",
        "/events/{slug}/qr.svg",
        "/events/{slug}/rsvp",
        "/events/{slug}/rsvp/withdraw",
        "/events/{slug}/answers",
        "/events/{slug}/answers/unlock",
    ],
)
def test_wrong_methods_are_405_pages_and_change_nothing(
    app, browser, create_event_as, method, path
):
    slug = create_event_as(browser)
    before = snapshot(app)
    response = browser.client.open(
        path.format(slug=slug), method=method, data={"csrf_token": browser.csrf_token}
    )
    assert response.status_code == 405
    assert "Allow" in response.headers
    assert "<h1>Not allowed here</h1>" in html_of(response)
    assert snapshot(app) == before


# -- slug variants --------------------------------------------------------------------


def make_twin_events(app, monkeypatch) -> tuple[str, str]:
    """Two events whose slugs differ only in case: aBcDeF and AbCdEf."""
    slugs = iter(["aBcDeF", "AbCdEf"])
    monkeypatch.setattr(service, "new_slug", lambda: next(slugs))
    browser = Browser(app.test_client())
    for title in ("Lower first", "Upper first"):
        assert browser.post("/create", data=event_form(title=title)).status_code == 303
    return "aBcDeF", "AbCdEf"


def test_slugs_differing_only_in_case_are_different_events(app, client, monkeypatch):
    first, second = make_twin_events(app, monkeypatch)
    assert "<h1>Lower first</h1>" in html_of(client.get(f"/events/{first}"))
    assert "<h1>Upper first</h1>" in html_of(client.get(f"/events/{second}"))


@pytest.mark.parametrize(
    "variant",
    [
        "ABCDEF",  # upper case
        "abcdef",  # lower case
        "aBcDe",  # a character removed
        "aBcDeFF",  # one added
        "aBcDe0",  # 0, O, 1, l and I are not in the alphabet
        "aBcDeO",
        "aBcDe1",
        "aBcDel",
        "aBcDeI",
        "аBcDeF",  # Cyrillic а
        "ａBcDeF",  # fullwidth a
        "aBcDeF\u200b",  # zero-width space
        "aBcDe%46%46",
        " aBcDeF",
    ],
)
def test_slug_variants_are_404_never_another_event(app, client, monkeypatch, variant):
    make_twin_events(app, monkeypatch)
    for suffix in ("", "/edit", ".ics", "/qr.svg", "/answers"):
        response = client.get("/events/" + quote(variant, safe="%") + suffix)
        assert response.status_code == 404, suffix
        assert "first" not in html_of(response)


def test_a_percent_encoded_slug_is_the_same_event(app, client, monkeypatch):
    make_twin_events(app, monkeypatch)
    response = client.get("/events/%61BcDeF")
    assert "<h1>Lower first</h1>" in html_of(response)


# -- passwords and timing -------------------------------------------------------------


def unlock_seconds(browser: Browser, slug: str, password: str, status: int) -> float:
    browser.csrf_token  # noqa: B018 (fetched before the clock starts)
    started = time.perf_counter()
    response = browser.post(f"/events/{slug}/answers/unlock", data={"password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == status
    return elapsed


def test_a_wrong_password_costs_a_full_bcrypt_check(app, make_browser):
    """bcrypt at cost 10: a wrong password takes as long as the right one, and as a hash."""
    app.config["BCRYPT_ROUNDS"] = 10
    values = {"title": "Timing", "timezone": "UTC", "location": "", "description": ""}
    with app.app_context():
        events = [
            service.create_event(values | {"starts_at": utcnow()}, PASSWORD)[0] for _ in range(3)
        ]
        slugs, hashes = [e.slug for e in events], [e.password_hash for e in events]
    wrong, right, hashing = [], [], []
    for slug, password_hash in zip(slugs, hashes, strict=True):
        wrong.append(unlock_seconds(make_browser(), slug, "not the password", 403))
        right.append(unlock_seconds(make_browser(), slug, PASSWORD, 303))
        started = time.perf_counter()
        bcrypt.checkpw(b"not the password", password_hash.encode())
        hashing.append(time.perf_counter() - started)

    wrong_s, right_s, hash_s = map(statistics.median, (wrong, right, hashing))
    assert wrong_s >= 0.5 * hash_s, (wrong, hashing)
    assert 0.5 <= wrong_s / right_s <= 2, (wrong, right)


def test_a_wrong_password_says_only_that_it_is_wrong(make_browser, make_event):
    slug = make_event()
    pages = []
    for guess in ("correct horsf", "x" * 40, "completely different"):
        response = make_browser().post(f"/events/{slug}/answers/unlock", data={"password": guess})
        assert response.status_code == 403
        html = html_of(response)
        assert guess not in html
        assert "$2b$" not in html
        pages.append(re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html))
    assert pages[0] == pages[1] == pages[2]
    assert "That is not this event's password" in unescape(pages[0])


def test_an_unknown_slug_is_404_for_a_password_as_for_a_visit(browser):
    """No password check is needed there: the page itself already says the event is unknown."""
    unknown = "zzzzzz"
    assert browser.get(f"/events/{unknown}").status_code == 404
    response = browser.post(f"/events/{unknown}/answers/unlock", data={"password": "guess"})
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html_of(response)
