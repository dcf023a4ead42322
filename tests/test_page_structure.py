"""Every page tells assistive technology where it is and what went wrong.

A language, a title naming the page, one main heading, the landmarks and a skip
link; on forms, each invalid field marked and tied to its message, and a summary
of the errors at the top of the form that is announced.
"""

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import template_rendered

from tests.helpers.apps import close_app
from tests.helpers.apps import empty_database
from tests.helpers.apps import make_config
from tests.helpers.apps import new_test_app
from tests.helpers.mail import mail_settings
from tests.helpers.pages import Element
from tests.helpers.pages import Page
from tests.helpers.pages import receive_every_email
from tests.helpers.pages import render_every_page

# What these check is the same whatever the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

TEMPLATES = Path(__file__).resolve().parent.parent / "skedjit" / "templates"
CONTROLS = ("input", "select", "textarea", "button")


@pytest.fixture(scope="module")
def every_page(database_url, tmp_path_factory, mail_server_session) -> Iterator[dict[str, Page]]:
    """Every page, each form with its errors (tests/pages.py), rendered once per backend."""
    apps = []
    mail_server_session.reset()

    def make_app(**settings):
        instance = str(tmp_path_factory.mktemp("instance"))
        apps.append(new_test_app(make_config(database_url, **settings), instance_path=instance))
        return apps[-1]

    app = make_app()
    try:
        yield render_every_page(app, make_app, mail_server_session)
    finally:
        mail_server_session.reset()
        empty_database(app)
        for each in apps:
            close_app(each)


def by_id(document: Element) -> dict[str, Element]:
    return {element.attrs["id"]: element for element in document.iter() if "id" in element.attrs}


def is_control(element: Element) -> bool:
    return element.tag in CONTROLS and element.attrs.get("type") != "hidden"


def described_by(element: Element) -> list[str]:
    return element.attrs.get("aria-describedby", "").split()


def invalid_controls(root: Element) -> list[Element]:
    return [element for element in root.iter() if element.attrs.get("aria-invalid") == "true"]


def templates_rendered_by(render: Callable[[], object]) -> set[str]:
    """The names of the templates any app renders while `render` runs."""
    rendered = set()

    def record(_sender, template, context, **extra):
        rendered.add(template.name)

    with template_rendered.connected_to(record):
        render()
    return rendered


def test_every_template_is_among_the_pages(app, make_app, mail_server):
    rendered = templates_rendered_by(lambda: render_every_page(app, make_app, mail_server))
    pages = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if not path.name.startswith("_")
        and path.name != "base.html"
        and path.parent.name != "email"  # emails, not pages: see test_html_validity.py
    }
    assert pages - rendered == set()


def test_every_email_template_is_among_the_emails(app, make_app, mail_server):
    mail_app = make_app(**mail_settings(mail_server))
    rendered = templates_rendered_by(lambda: receive_every_email(mail_app, mail_server))
    emails = {
        f"email/{path.name}"
        for path in (TEMPLATES / "email").glob("*.html")
        if not path.name.startswith("_")
    }
    assert emails - rendered == set()


def test_every_page_says_it_is_in_english(every_page):
    languages = {
        name: page.document.find_all("html")[0].attrs.get("lang")
        for name, page in every_page.items()
    }
    assert set(languages.values()) == {"en"}


def test_every_title_says_which_page_it_is_and_whether_something_went_wrong(every_page):
    titles = {name: page.document.find_all("title")[0].text for name, page in every_page.items()}
    expected = {name: page.title for name, page in every_page.items()}
    assert titles == expected


def test_every_page_has_exactly_one_main_heading(every_page):
    counts = {name: len(page.document.find_all("h1")) for name, page in every_page.items()}
    assert {name: count for name, count in counts.items() if count != 1} == {}


@pytest.mark.parametrize("landmark", ["header", "nav", "main", "footer"])
def test_every_page_has_each_landmark_once_at_the_top_level(every_page, landmark):
    wrong = {}
    for name, page in every_page.items():
        found = page.document.find_all(landmark)
        if len(found) != 1:
            wrong[name] = f"{len(found)} <{landmark}>"
        elif landmark != "nav" and found[0].parent.tag != "body":
            wrong[name] = f"<{landmark}> inside <{found[0].parent.tag}>"
        elif landmark == "nav" and not found[0].attrs.get("aria-label"):
            wrong[name] = "<nav> without a name"
    assert wrong == {}


def test_every_page_starts_with_a_link_to_its_main_content(every_page):
    for name, page in every_page.items():
        document = page.document
        first_link = document.find_all("a")[0]
        assert first_link.attrs.get("href") == "#main", name
        assert first_link.text == "Skip to the content", name
        assert by_id(document)["main"].tag == "main", name


def test_every_reference_to_an_id_finds_its_element(every_page):
    missing = {}
    for name, page in every_page.items():
        document = page.document
        ids = by_id(document)
        for element in document.iter():
            wanted = described_by(element) + element.attrs.get("aria-labelledby", "").split()
            if element.tag == "label":
                wanted.append(element.attrs["for"])
            if element.tag == "a" and element.attrs.get("href", "").startswith("#"):
                wanted.append(element.attrs["href"][1:])
            for reference in wanted:
                if reference not in ids:
                    missing.setdefault(name, []).append(reference)
    assert missing == {}


def test_the_pages_with_form_errors_are_the_ones_meant_to_show_them(every_page):
    with_errors = {name for name, page in every_page.items() if invalid_controls(page.document)}
    assert with_errors == {
        "create: every field missing",
        "create: malformed values",
        "create: end before the start",
        "create: a time the clocks skip",
        "event: answer with errors",
        "recovery: new password errors",
        "event: answer refused, full",
        "edit: no password",
        "edit: wrong password",
        "edit: field errors",
        "edit: locked after wrong passwords",
        "delete: no password",
        "delete: wrong password",
        "answers: wrong password",
        "answers: settings with errors",
        "answers: minimum with errors",
        "edit: starts before the decision",
        "create: bad owner email",
        "invite: field errors",
        "answer: reminder without an address",
        "bring: item with errors",
        "event: claim refused, too many",
        "event: claim with errors",
        "bring: change below what is claimed",
        "bring: private link, claim refused",
        "poll create: every field missing",
        "poll create: dates with errors",
        "poll page: date with errors",
    }


def test_every_error_message_marks_its_field_invalid_and_is_tied_to_it(every_page):
    wrong = {}
    for name, page in every_page.items():
        ids = by_id(page.document)
        messages = [e for e in page.document.iter() if e.tag == "p" and e.has_class("error")]
        for message in messages:
            if "id" not in message.attrs:
                continue  # a message about the whole form, not a field
            field_id = message.attrs["id"].removesuffix("-error")
            field = ids.get(field_id)
            if field is None:
                wrong.setdefault(name, []).append(f"no field {field_id}")
                continue
            if message.attrs["id"] not in described_by(field):
                wrong.setdefault(name, []).append(f"{field_id} is not described by its error")
            controls = [field] if is_control(field) else [c for c in field.iter() if is_control(c)]
            if not controls or any(c.attrs.get("aria-invalid") != "true" for c in controls):
                wrong.setdefault(name, []).append(f"{field_id} is not marked invalid")
    assert wrong == {}


def test_every_field_marked_invalid_has_a_message(every_page):
    wrong = {}
    for name, page in every_page.items():
        ids = by_id(page.document)
        for control in invalid_controls(page.document):
            group = control.closest("fieldset")
            references = described_by(control) + (described_by(group) if group else [])
            if not any(ids.get(r) is not None and ids[r].has_class("error") for r in references):
                wrong.setdefault(name, []).append(control.attrs.get("id"))
    assert wrong == {}


def test_every_form_with_errors_opens_with_an_announced_summary_linking_each_field(every_page):
    checked = 0
    for name, page in every_page.items():
        for form in page.document.find_all("form"):
            invalid = invalid_controls(form)
            if not invalid:
                continue
            checked += 1
            summaries = [e for e in form.iter() if e.has_class("error-summary")]
            assert len(summaries) == 1, name
            summary = summaries[0]
            # The script focuses it, which reads it; role="alert" as well would read it twice.
            announced = (summary.attrs.get("role"), summary.attrs.get("tabindex"))
            assert announced == (None, "-1"), name
            order = list(form.iter())
            first_control = next(e for e in order if is_control(e))
            assert order.index(summary) < order.index(first_control), f"{name}: summary not first"
            linked = {a.attrs["href"][1:] for a in summary.find_all("a")}
            assert linked == {
                control.attrs["id"] for control in invalid if _first_of_group(control)
            }
    assert checked == 28


def _first_of_group(control: Element) -> bool:
    """A radio button stands for its group when it is the group's first."""
    return control.attrs.get("type") != "radio" or control.attrs["id"].endswith("-0")


def test_every_one_off_message_can_take_focus_to_be_read_on_arrival(every_page):
    messages = {
        name: (element.attrs.get("tabindex"), element.attrs.get("role"))
        for name, page in every_page.items()
        for element in page.document.iter()
        if element.has_class("flash")
    }
    assert messages, "no page with a message was checked"
    assert set(messages.values()) == {("-1", None)}, messages
