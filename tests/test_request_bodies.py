"""Only web forms are taken: other bodies are a 415 before any view, and never a 500."""

import io
import json
from urllib.parse import urlencode

import pytest

from skedjit.models import Event
from skedjit.models import Rsvp
from tests.helpers.apps import count_rows
from tests.helpers.forms import ANSWER
from tests.helpers.forms import event_form


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", json.dumps({"title": {"a": 1}, "date": 1})),
        ("application/json", json.dumps(event_form())),
        ("text/plain", "title=Plain"),
        ("application/xml", "<event><title>XML</title></event>"),
    ],
)
@pytest.mark.parametrize("path", ["/create", "rsvp"])
def test_a_body_that_is_not_a_form_is_415_and_stores_nothing(
    app, browser, make_event, content_type, body, path
):
    if path == "rsvp":
        path = f"/events/{make_event()}/rsvp"
    headers = {"X-CSRFToken": browser.csrf_token}
    response = browser.client.post(path, data=body, content_type=content_type, headers=headers)
    assert response.status_code == 415
    assert "Skedjit takes web forms only" in response.get_data(as_text=True)
    assert count_rows(app, Event) == (0 if path == "/create" else 1)
    assert count_rows(app, Rsvp) == 0


def test_forms_of_both_kinds_are_taken(app, browser, make_event):
    slug = make_event()
    as_multipart = browser.client.post(
        f"/events/{slug}/rsvp", data=ANSWER, content_type="multipart/form-data"
    )
    assert as_multipart.status_code == 303
    assert browser.post("/create", data=event_form()).status_code == 303


@pytest.mark.parametrize(
    "field", ["title", "date", "time", "description", "password", "location", "nonce"]
)
def test_a_create_field_sent_as_a_file_is_missing_not_a_server_error(app, browser, field):
    data = {"csrf_token": browser.csrf_token, **event_form()}
    data[field] = (io.BytesIO(b"Board games"), "field.txt")
    response = browser.client.post("/create", data=data, content_type="multipart/form-data")
    if field in ("location", "description", "nonce"):  # optional: as if left out
        assert response.status_code == 303
        assert count_rows(app, Event) == 1
    else:
        assert response.status_code == 400
        assert 'aria-invalid="true"' in response.get_data(as_text=True)
        assert count_rows(app, Event) == 0


@pytest.mark.parametrize(("field", "status"), [("name", 400), ("note", 303), ("token", 303)])
def test_an_answer_field_sent_as_a_file_is_missing(app, browser, make_event, field, status):
    data = ANSWER | {field: (io.BytesIO(b"Ana"), "field.txt")}
    response = browser.client.post(
        f"/events/{make_event()}/rsvp", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == status
    assert count_rows(app, Rsvp) == (1 if status == 303 else 0)


def test_a_post_without_a_body_is_not_415(browser, make_event):
    assert browser.client.post(f"/events/{make_event()}/rsvp/withdraw").status_code == 404


@pytest.mark.parametrize(("padding", "status"), [(1_000, 303), (70_000, 413)])
def test_a_chunked_body_is_read_whole_or_refused_whole(app, browser, padding, status):
    body = urlencode({"csrf_token": browser.csrf_token, **event_form(), "padding": "p" * padding})
    response = browser.client.post(
        "/create",
        input_stream=io.BytesIO(body.encode()),
        content_type="application/x-www-form-urlencoded",
        headers={"Transfer-Encoding": "chunked"},
    )
    assert response.status_code == status
    assert count_rows(app, Event) == (1 if status == 303 else 0)
