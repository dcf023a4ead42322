"""The pages about an event other than its own: kept by no cache, indexed by no one, and
naming no detail in link previews when the event keeps its details out of them."""

import pytest

from tests.helpers.browser import browser_of

PAGES = ["edit", "delete", "answers", "invite", "forgot"]
TITLES = {
    "edit": "Edit {}",
    "delete": "Delete {}",
    "answers": "Answers to {}",
    "invite": "Invite friends to {}",
    "forgot": "Forgot the password of {}?",
}


def head_of(response) -> str:
    return response.get_data(as_text=True).split("</head>")[0]


@pytest.mark.parametrize("page", PAGES)
def test_they_are_kept_by_no_cache_and_indexed_by_no_one(mail_app, make_event, page):
    response = browser_of(mail_app).get(f"/events/{make_event()}/{page}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in head_of(response)


@pytest.mark.parametrize("page", PAGES)
def test_they_keep_a_hidden_events_title_out_of_previews(mail_app, make_event, page):
    hidden = make_event(title="Surprise party for Ana", hide_preview=True)
    shown = make_event(title="Picnic")

    head = head_of(browser_of(mail_app).get(f"/events/{hidden}/{page}"))
    assert "Surprise" not in head
    assert f"<title>{TITLES[page].format('this event')} · Skedjit</title>" in head
    assert '<meta property="og:title" content="Skedjit">' in head
    title = TITLES[page].format("“Picnic”")
    assert f"<title>{title} · Skedjit</title>" in head_of(
        browser_of(mail_app).get(f"/events/{shown}/{page}")
    )
