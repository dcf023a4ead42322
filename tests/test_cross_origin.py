"""The first layer against cross-site requests: what the browser says of where a form came from."""

import pytest

from tests.helpers.forms import ANSWER
from tests.helpers.html import text_of

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

REFUSED = "This form was sent from another site"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 303),  # not a browser's cross-site request: a script, a mail provider
        ({"Sec-Fetch-Site": "same-origin"}, 303),
        ({"Sec-Fetch-Site": "none"}, 303),  # typed in or bookmarked
        ({"Sec-Fetch-Site": "same-site"}, 403),  # a sibling subdomain is another site's page
        ({"Sec-Fetch-Site": "cross-site"}, 403),
        ({"Sec-Fetch-Site": "cross-site", "Origin": "http://localhost"}, 403),
        ({"Sec-Fetch-Site": "same-origin", "Origin": "https://evil.example"}, 303),
        ({"Origin": "http://localhost"}, 303),
        ({"Origin": "HTTP://LOCALHOST"}, 303),
        ({"Origin": "https://localhost"}, 403),  # another scheme is another origin
        ({"Origin": "http://localhost:8080"}, 403),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
    ],
)
def test_an_answer_is_taken_only_from_this_site(app, client, make_event, headers, status):
    slug = make_event()
    response = client.post(f"/events/{slug}/rsvp", data=ANSWER, headers=headers)
    assert response.status_code == status
    assert (REFUSED in text_of(response)) == (status == 403)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_safe_methods_are_never_refused(client, make_event, method):
    slug = make_event()
    response = client.open(
        f"/events/{slug}", method=method, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert response.status_code == 200


def test_a_refusal_comes_before_the_token_check(browser, make_event):
    slug = make_event()
    response = browser.client.post(
        f"/events/{slug}/delete", data={"password": "x"}, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert REFUSED in text_of(response)


def test_the_origin_compared_is_the_one_behind_a_trusted_proxy(make_app, make_event):
    slug = make_event()
    client = make_app(TRUSTED_PROXIES=1).test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "events.example.org"}
    same = client.post(
        f"/events/{slug}/rsvp",
        data=ANSWER,
        headers={**forwarded, "Origin": "https://events.example.org"},
    )
    assert same.status_code == 303
    other = client.post(
        f"/events/{slug}/rsvp", data=ANSWER, headers={**forwarded, "Origin": "http://localhost"}
    )
    assert other.status_code == 403
