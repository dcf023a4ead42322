"""Arbitrary text in every field of the create, edit and answer forms never makes a 500.

What is accepted is stored and shown exactly as typed, after the forms' own
normalisation (one-line fields are stripped; the description and the note get
"\\n" line ends and are stripped). What is refused stores nothing and comes back
in the form, any code point HTML forbids shown as U+FFFD. The default profile
tries a few examples per test on each database; `--hypothesis-profile=thorough`
tries many more. Every example starts from an
empty database and a new browser, so nothing carries over between examples.
"""

import re
from html import unescape

from hypothesis import event
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from sqlalchemy import select

from skedjit.extensions import db
from skedjit.models import Event
from skedjit.models import Rsvp
from skedjit.text import shown_in_html
from tests.helpers.apps import count_rows as count
from tests.helpers.apps import empty_database
from tests.helpers.browser import Browser
from tests.helpers.forms import event_form
from tests.helpers.html import html_of
from tests.helpers.html import input_value

# Any code point but lone surrogates (which no form body can carry): control
# characters, NUL, line and paragraph separators and astral characters included.
TEXT = st.text()
EVENT_TEXT_FIELDS = ("title", "location", "description")
ANSWER = {"name": "Ana", "response": "yes", "guests": "0", "note": ""}


def maybe(valid: str) -> st.SearchStrategy[str]:
    """A valid value or arbitrary text, so both acceptance and refusal are tried."""
    return st.one_of(st.just(valid), TEXT)


def one_line(text: str) -> str:
    """Without spaces or zero-width characters at its ends (skedjit.forms.strip)."""
    return re.sub(r"^[\s\u200b-\u200d\u2060\ufeff]+|[\s\u200b-\u200d\u2060\ufeff]+$", "", text)


def multi_line(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def expected_event_text(fields: dict) -> dict:
    """The title, place and description as the event form stores them."""
    return {
        "title": one_line(fields["title"]),
        "location": one_line(fields["location"]),
        "description": multi_line(fields["description"]),
    }


def stored_event_text(app) -> list[dict]:
    with app.app_context():
        events = db.session.execute(select(Event)).scalars()
        return [{name: getattr(e, name) for name in EVENT_TEXT_FIELDS} for e in events]


def slug_of(response) -> str:
    return response.headers["Location"].rsplit("/", 1)[1]


def text_in(html: str, pattern: str) -> str | None:
    """The text of the first match of pattern's group: tags dropped, entities decoded."""
    match = re.search(pattern, html, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))) if match else None


def textarea_text(html: str, name: str) -> str | None:
    # WTForms starts the content with a line break, which HTML parsers drop.
    return text_in(html, rf'<textarea [^>]*name="{name}"[^>]*>\r\n(.*?)</textarea>')


def assert_event_page_shows(browser: Browser, slug: str, expected: dict) -> None:
    """The event page, its edit form and its .ics give back exactly the stored text."""
    page = html_of(browser.get(f"/events/{slug}"))
    assert text_in(page, r"<h1>(.*?)</h1>") == expected["title"]
    assert text_in(page, r"<dt>Where</dt>\s*<dd>(.*?)<br>") == (expected["location"] or None)
    description = text_in(page, r'<div class="description">(.*?)</div>')
    assert description == (expected["description"] or None)

    edit = html_of(browser.get(f"/events/{slug}/edit"))
    assert input_value(edit, "title") == expected["title"]
    assert (input_value(edit, "location") or "") == expected["location"]
    assert textarea_text(edit, "description") == expected["description"]

    (vevent,) = Calendar.from_ical(browser.get(f"/events/{slug}.ics").data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == expected["title"]
    assert str(vevent.get("LOCATION", "")) == expected["location"]
    assert str(vevent.get("DESCRIPTION", "")) == expected["description"]


def assert_refused_form_keeps_the_text(response, fields: dict) -> None:
    """A refused event form says why and shows the text fields as they were understood."""
    html = html_of(response)
    assert 'class="error-summary"' in html
    expected = {name: shown_in_html(text) for name, text in expected_event_text(fields).items()}
    assert (input_value(html, "title") or "") == expected["title"]
    assert (input_value(html, "location") or "") == expected["location"]
    assert textarea_text(html, "description") == expected["description"]


@given(
    title=maybe("Board games"),
    location=maybe("Ana's place"),
    description=maybe("Bring snacks."),
)
def test_any_text_in_an_events_text_fields_is_stored_and_shown_exactly_or_refused(
    app, title, location, description
):
    empty_database(app)
    browser = Browser(app.test_client())
    fields = event_form(title=title, location=location, description=description)
    response = browser.post("/create", data=fields)

    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert count(app, Event) == 0
        assert_refused_form_keeps_the_text(response, fields)
        return
    expected = expected_event_text(fields)
    assert stored_event_text(app) == [expected]
    assert_event_page_shows(browser, slug_of(response), expected)


ALL_CREATE_FIELDS = event_form(end_date="", end_time="", hide_preview="")


@given(fields=st.fixed_dictionaries({name: maybe(v) for name, v in ALL_CREATE_FIELDS.items()}))
def test_any_text_in_any_create_field_is_never_a_server_error(app, fields):
    empty_database(app)
    browser = Browser(app.test_client())
    response = browser.post("/create", data=fields)

    event(f"HTTP {response.status_code}")  # shown by --hypothesis-show-statistics
    assert response.status_code in (303, 400)
    if response.status_code == 303:
        assert stored_event_text(app) == [expected_event_text(fields)]
    else:
        assert count(app, Event) == 0
        assert_refused_form_keeps_the_text(response, fields)


EDIT_FIELDS = {
    "title": "Moved indoors",
    "location": "The hall",
    "description": "Bring a coat.",
    "timezone": "America/New_York",
    "date": "2054-12-13",
    "time": "18:00",
    "end_time": "",
    "password": "",
    "new_password": "",
    "new_password_confirm": "",
    "version": "1",
}


def edit_as_owner(app, create_event_as, fields: dict):
    """Create an event in a new browser, then post an edit of it: (browser, slug, response)."""
    empty_database(app)
    owner = Browser(app.test_client())
    slug = create_event_as(owner)
    response = owner.post(f"/events/{slug}/edit", data=fields)
    event(f"HTTP {response.status_code}")
    return owner, slug, response


@given(
    title=maybe(EDIT_FIELDS["title"]),
    location=maybe(EDIT_FIELDS["location"]),
    description=maybe(EDIT_FIELDS["description"]),
)
def test_any_text_in_an_edits_text_fields_is_saved_exactly_or_refused(
    app, create_event_as, load_event, title, location, description
):
    fields = EDIT_FIELDS | {"title": title, "location": location, "description": description}
    owner, slug, response = edit_as_owner(app, create_event_as, fields)

    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert stored_event_text(app) == [expected_event_text(event_form())]
        assert_refused_form_keeps_the_text(response, fields)
        return
    expected = expected_event_text(fields)
    assert stored_event_text(app) == [expected]
    assert load_event(slug).timezone == "America/New_York"
    assert_event_page_shows(owner, slug, expected)


@given(fields=st.fixed_dictionaries({name: maybe(v) for name, v in EDIT_FIELDS.items()}))
def test_any_text_in_any_edit_field_is_never_a_server_error(
    app, create_event_as, load_event, fields
):
    _owner, slug, response = edit_as_owner(app, create_event_as, fields)

    assert response.status_code in (303, 400, 409)
    if response.status_code == 303:
        assert stored_event_text(app) == [expected_event_text(fields)]
        assert load_event(slug).version == 2
    else:
        assert stored_event_text(app) == [expected_event_text(event_form())]
        assert load_event(slug).version == 1


def answer_in_a_new_browser(app, make_event, fields: dict):
    """Answer a new event from a new browser: (browser, slug, response)."""
    empty_database(app)
    slug = make_event()
    friend = Browser(app.test_client())
    response = friend.post(f"/events/{slug}/rsvp", data=fields)
    event(f"HTTP {response.status_code}")
    return friend, slug, response


def assert_refused_answer_keeps_the_text(app, response, fields: dict) -> None:
    html = html_of(response)
    assert count(app, Rsvp) == 0
    assert 'class="error-summary"' in html
    assert (input_value(html, "name") or "") == shown_in_html(one_line(fields["name"]))
    assert textarea_text(html, "note") == shown_in_html(multi_line(fields["note"]))


@given(name=maybe("Ana"), note=maybe("Bringing a cake"))
def test_any_text_in_an_answer_is_stored_and_shown_exactly_or_refused(app, make_event, name, note):
    fields = ANSWER | {"name": name, "note": note}
    friend, slug, response = answer_in_a_new_browser(app, make_event, fields)

    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert_refused_answer_keeps_the_text(app, response, fields)
        return
    name, note = one_line(name), multi_line(note)
    with app.app_context():
        stored = db.session.execute(select(Rsvp.name, Rsvp.response, Rsvp.guests, Rsvp.note))
        assert [tuple(row) for row in stored] == [(name, "yes", 0, note)]
    page = html_of(friend.get(f"/events/{slug}"))
    assert text_in(page, r'<bdi class="guest-name">(.*?)</bdi>') == name
    assert text_in(page, r'<bdi class="guest-note">(.*?)</bdi>') == (note or None)
    assert input_value(page, "name") == name  # the friend's own answer, to change
    assert textarea_text(page, "note") == note


@given(
    fields=st.fixed_dictionaries(
        {
            "name": maybe("Ana"),
            "response": st.one_of(st.sampled_from(["yes", "maybe", "no"]), TEXT),
            "guests": st.one_of(st.integers(0, 10).map(str), TEXT),
            "note": maybe(""),
            "token": maybe(""),
        }
    )
)
def test_any_text_in_any_answer_field_is_never_a_server_error(app, make_event, fields):
    _friend, _slug, response = answer_in_a_new_browser(app, make_event, fields)

    assert response.status_code in (303, 400)
    if response.status_code == 400:
        assert_refused_answer_keeps_the_text(app, response, fields)
        return
    guests = int(fields["guests"]) if fields["guests"].strip() else 0
    with app.app_context():
        stored = db.session.execute(select(Rsvp.name, Rsvp.response, Rsvp.guests, Rsvp.note))
        assert [tuple(row) for row in stored] == [
            (one_line(fields["name"]), fields["response"], guests, multi_line(fields["note"]))
        ]
