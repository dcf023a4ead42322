"""A past event: it says so at the top, keeps its answers and calendars, and takes no answer."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from tests.helpers.apps import answers_of
from tests.helpers.forms import answer
from tests.helpers.html import html_of
from tests.helpers.html import page_text
from tests.helpers.pages import parse_html

START = datetime(2054, 7, 10, 17, 0, tzinfo=UTC)  # 19:00 in Paris
END = START + timedelta(hours=5)
PASSED = "This event has passed, so it takes no more answers; the answers given stay visible."


def answer_form_on(html: str) -> bool:
    return 'class="answer-form"' in html


@pytest.fixture
def answered(make_event, make_browser, clock):
    """Return a callable: an event (with an end or not) that Ana answered the day before."""

    def make(**fields) -> tuple[str, object]:
        slug = make_event(starts_at=START, **fields)
        ana = make_browser()
        clock(START - timedelta(days=1))
        assert answer(ana, slug, name="Ana", note="Bringing a cake").status_code == 303
        return slug, ana

    return make


@pytest.mark.parametrize(
    ("ends_at", "after_start", "passed"),
    [
        (None, timedelta(hours=1, minutes=59), False),
        (None, timedelta(hours=2), True),
        (END, END - START - timedelta(minutes=1), False),
        (END, END - START, True),
    ],
    ids=["no-end-started-1h59", "no-end-started-2h", "a-minute-before-the-end", "at-the-end"],
)
def test_the_answer_form_goes_when_the_event_has_passed(
    answered, make_browser, clock, ends_at, after_start, passed
):
    slug, _ = answered(ends_at=ends_at)
    clock(START + after_start)
    html = html_of(make_browser().get(f"/events/{slug}"))
    assert answer_form_on(html) is not passed
    assert ("This event has passed." in html) is passed


def test_a_past_event_says_so_under_its_title_and_keeps_answers_and_calendars(
    answered, make_browser, clock
):
    slug, _ = answered(ends_at=END)
    clock(END + timedelta(days=3))
    response = make_browser().get(f"/events/{slug}")
    assert response.status_code == 200
    document = parse_html(html_of(response))
    article = document.find_all("article")[0]
    title, notice = [child for child in article.children if not isinstance(child, str)][:2]
    assert (title.tag, title.text) == ("h1", "Picnic")
    assert notice.text == "This event has passed."
    shown = page_text(html_of(response))
    for kept in ("Ana", "Bringing a cake", "1 going"):
        assert kept in shown
    assert "Answers are closed." not in shown  # the notice at the top says it once
    assert document.find_all("section", **{"class": "add-to-calendar"})
    assert make_browser().get(f"/events/{slug}.ics").status_code == 200


@pytest.mark.parametrize("who", ["new-friend", "earlier-answerer"])
def test_a_late_answer_is_409_with_the_reason_and_stores_nothing(
    app, answered, make_browser, clock, who
):
    slug, ana = answered()
    clock(START + timedelta(hours=3))
    friend = make_browser() if who == "new-friend" else ana
    response = answer(friend, slug, name="Ben" if who == "new-friend" else "Ana", response="no")
    assert response.status_code == 409
    assert PASSED in page_text(html_of(response))
    assert not answer_form_on(html_of(response))
    assert answers_of(app, slug) == [("Ana", "yes", 0, "Bringing a cake")]


def test_a_late_withdrawal_is_409_and_keeps_the_answer(app, answered, clock):
    slug, ana = answered()
    clock(START + timedelta(hours=3))
    response = ana.post(f"/events/{slug}/rsvp/withdraw")
    assert response.status_code == 409
    assert PASSED in page_text(html_of(response))
    assert answers_of(app, slug) == [("Ana", "yes", 0, "Bringing a cake")]


def test_the_change_link_of_a_past_event_says_it_has_passed(answered, clock):
    slug, ana = answered()
    page = ana.get(f"/events/{slug}")
    link = parse_html(html_of(page)).find_all("a", **{"class": "private-link"})[0]
    clock(START + timedelta(hours=3))
    changed = ana.get(link.attrs["href"])
    assert changed.status_code == 200
    assert "This event has passed, so your answer stays as it is." in page_text(html_of(changed))
    assert not answer_form_on(html_of(changed))
