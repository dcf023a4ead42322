"""Only trusted host names are answered, so no link, calendar or preview carries a forged one."""

import re
import urllib.error
import urllib.request

import pytest

from config import trusted_hosts
from tests.helpers.served import served

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

FORGED = "evil.test"
SHARE_LINK = re.compile(r'<input id="share-link" type="url" value="([^"]+)"')


def share_link(response) -> str:
    match = SHARE_LINK.search(response.get_data(as_text=True))
    assert match, "no share link on the page"
    return match.group(1)


def assert_unknown_host(response, forged: str = FORGED) -> None:
    """The 400 page that tells an administrator which setting to change, not naming the host."""
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html
    assert "<h1>Unknown host name</h1>" in html
    assert "TRUSTED_HOSTS" in html
    assert 'class="site-header"' in html  # the usual layout, its links relative
    assert forged not in html
    assert "Traceback" not in html


@pytest.mark.parametrize(
    ("names", "server_name", "expected"),
    [
        (None, None, ["localhost", "127.0.0.1"]),
        ("", "events.example.org", ["events.example.org", "localhost", "127.0.0.1"]),
        (
            " events.example.org, .example.net ,",
            "x.example",
            ["events.example.org", ".example.net"],
        ),
    ],
)
def test_trusted_hosts_are_the_listed_ones_else_server_name_and_this_machine(
    names, server_name, expected
):
    assert trusted_hosts(names, server_name) == expected


@pytest.mark.parametrize("base_url", ["http://localhost", "https://skedjit.example"])
def test_a_trusted_host_is_answered_and_its_links_use_it(client, make_event, base_url):
    slug = make_event()
    response = client.get(f"/events/{slug}", base_url=base_url)
    assert response.status_code == 200
    assert share_link(response) == f"{base_url}/events/{slug}"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/events/{slug}"),
        ("GET", "/events/{slug}.ics"),
        ("GET", "/events/{slug}/qr.svg"),
        ("POST", "/create"),
        ("POST", "/events/{slug}/rsvp"),
        ("GET", "/"),
    ],
)
def test_an_untrusted_host_is_a_400_page_on_every_kind_of_page(client, make_event, method, path):
    slug = make_event()
    response = client.open(path.format(slug=slug), method=method, base_url=f"http://{FORGED}")
    assert_unknown_host(response)


def test_an_untrusted_host_with_a_port_is_refused(client, make_event):
    slug = make_event()
    assert_unknown_host(client.get(f"/events/{slug}", base_url=f"http://{FORGED}:8000"))


def test_markup_in_the_host_header_is_refused_and_not_shown(client):
    forged = '"><script>alert(1)</script>'
    assert_unknown_host(client.get("/", headers={"Host": forged}), forged="<script>")


def test_a_forwarded_host_is_checked_when_proxies_are_trusted(make_app, make_event):
    slug = make_event()
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    forged = proxied.get(f"/events/{slug}", headers={"X-Forwarded-Host": FORGED})
    assert_unknown_host(forged)
    trusted = proxied.get(
        f"/events/{slug}",
        headers={"X-Forwarded-Host": "events.example.org", "X-Forwarded-Proto": "https"},
    )
    assert share_link(trusted) == f"https://events.example.org/events/{slug}"


def test_a_forwarded_host_is_ignored_without_trusted_proxies(client, make_event):
    slug = make_event()
    response = client.get(f"/events/{slug}", headers={"X-Forwarded-Host": FORGED})
    assert response.status_code == 200
    assert share_link(response) == f"http://localhost/events/{slug}"
    assert FORGED not in response.get_data(as_text=True)


def test_server_name_and_this_machine_are_trusted_by_default(make_app, make_event):
    slug = make_event()
    defaults = trusted_hosts(None, "events.example.org")
    named = make_app(SERVER_NAME="events.example.org", TRUSTED_HOSTS=defaults).test_client()
    for base_url in ("https://events.example.org", "http://127.0.0.1:8000"):  # a local proxy
        response = named.get(f"/events/{slug}", base_url=base_url)
        assert response.status_code == 200
        assert share_link(response) == f"http://events.example.org/events/{slug}"
    assert_unknown_host(named.get(f"/events/{slug}", base_url="http://other.example"), "other")


def get_with_host(url: str, host: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - our own server
    try:
        with urllib.request.urlopen(request, timeout=15) as answer:  # noqa: S310
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read().decode()


@pytest.mark.served
@pytest.mark.slow  # a server of its own; the app's host checks are tested in-process above
def test_build_sh_serve_answers_at_127_0_0_1_and_localhost_only(new_database_url):
    with served(new_database_url("sqlite")) as base_url:
        port = base_url.rsplit(":", 1)[1]
        assert get_with_host(base_url + "/", f"127.0.0.1:{port}")[0] == 200
        assert get_with_host(base_url + "/", f"localhost:{port}")[0] == 200
        status, html = get_with_host(base_url + "/", f"{FORGED}:{port}")
    assert status == 400
    assert "TRUSTED_HOSTS" in html
    assert FORGED not in html
