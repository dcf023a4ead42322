"""Security headers on every kind of response, error pages and files included."""

import re

import pytest

from skedjit.security import CONTENT_SECURITY_POLICY

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/create", 200),
        ("GET", "/robots.txt", 200),
        ("GET", "/no/such/page", 404),
        ("GET", "/events/0OlI1x", 404),
        ("PUT", "/create", 405),
        ("POST", "/create", 400),  # no CSRF token
    ],
)
def test_site_pages_and_errors_carry_the_headers(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_security_headers(response)


@pytest.mark.parametrize("suffix", ["", "/edit", "/delete", "/answers", ".ics", "/qr.svg"])
def test_event_pages_and_files_carry_the_headers(client, make_event, suffix):
    response = client.get(f"/events/{make_event()}{suffix}")
    assert response.status_code == 200
    assert_security_headers(response)


def test_a_304_carries_the_headers(client, make_event):
    slug = make_event()
    etag = client.get(f"/events/{slug}").headers["ETag"]
    response = client.get(f"/events/{slug}", headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert_security_headers(response)


def test_static_files_carry_the_headers(client):
    with client.get("/static/skedjit.css") as response:
        assert response.status_code == 200
        assert_security_headers(response)


def test_a_server_error_page_carries_the_headers(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.add_url_rule("/explode", "explode", lambda: 1 / 0)
    response = client.get("/explode")
    assert response.status_code == 500
    assert_security_headers(response)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_every_outbound_link_on_the_event_page_sends_no_referrer(client, make_event):
    slug = make_event(location="Paris", description="https://example.org/menu")
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    outbound = re.findall(r'<a [^>]*href="https?://(?!localhost)[^"]*"[^>]*>', html)
    assert outbound
    assert all("noreferrer" in tag for tag in outbound), outbound
