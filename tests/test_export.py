"""The answers as a CSV file: the owner's only, UTF-8, and safe to open in a spreadsheet."""

import csv
import io
from datetime import UTC
from datetime import datetime

import pytest

from tests.helpers.forms import answer

#: 10:15 UTC is 11:15 in Paris in March.
ANSWERED = datetime(2054, 3, 3, 10, 15, tzinfo=UTC)


@pytest.fixture
def answered(browser, create_event_as, make_browser, clock):
    clock(ANSWERED)
    slug = create_event_as(browser)
    answer(make_browser(), slug, guests="2", note="Bringing cake")
    answer(make_browser(), slug, name="Zoë", response="maybe")
    answer(make_browser(), slug, name='=HYPERLINK("http://evil.example")', response="no")
    answer(make_browser(), slug, name="Ben", note="-2+3 @SUM(A1) +1")
    assert browser.post(f"/events/{slug}/answers", data={"capacity": "4"}).status_code == 303
    answer(make_browser(), slug, name="Cy", waitlist="y")
    return slug


def rows(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_the_owner_downloads_every_answer_in_a_row(browser, answered):
    response = browser.get(f"/events/{answered}/answers.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == "attachment; filename=board-games-at-anas.csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert rows(response) == [
        [
            "Name",
            "Answer",
            "Extra people",
            "Note",
            "Answered at (Europe/Paris)",
            "Waitlist position",
            "Items claimed",
        ],
        ["Ana", "Going", "2", "Bringing cake", "2054-03-03 11:15", "", ""],
        ["Zoë", "Maybe", "0", "", "2054-03-03 11:15", "", ""],
        ['\'=HYPERLINK("http://evil.example")', "Can't go", "0", "", "2054-03-03 11:15", "", ""],
        ["Ben", "Going", "0", "'-2+3 @SUM(A1) +1", "2054-03-03 11:15", "", ""],
        ["Cy", "On the waitlist", "0", "", "2054-03-03 11:15", "1", ""],
    ]


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])  # the form strips a leading tab
def test_a_cell_a_spreadsheet_would_run_is_shown_as_text(
    browser, create_event_as, make_browser, start
):
    slug = create_event_as(browser)
    answer(make_browser(), slug, note=f"{start}1+1")
    (_header, (*_cells, note, _at, _position, _items)) = rows(
        browser.get(f"/events/{slug}/answers.csv")
    )
    assert note == f"'{start}1+1"


def test_the_file_speaks_the_owner_s_language(browser, answered):
    response = browser.get(f"/events/{answered}/answers.csv", headers={"Accept-Language": "de"})
    header, first, *_rest = rows(response)
    assert header == [
        "Name",
        "Antwort",
        "Weitere Personen",
        "Notiz",
        "Antwortzeit (Europe/Paris)",
        "Platz auf der Warteliste",
        "Bringt mit",
    ]
    assert first[1] == "Dabei"


def test_the_answers_page_links_to_the_file(browser, answered):
    page = browser.get(f"/events/{answered}/answers").get_data(as_text=True)
    assert f'href="/events/{answered}/answers.csv"' in page


def test_without_owner_access_the_file_is_refused(make_browser, answered):
    response = make_browser().get(f"/events/{answered}/answers.csv")
    assert response.status_code == 403
    assert b"Bringing cake" not in response.get_data()


def test_an_unknown_event_has_no_file(browser):
    assert browser.get("/events/zzzzzz/answers.csv").status_code == 404
