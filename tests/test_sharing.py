"""Sharing an event: link previews, share actions, the QR code and keeping search engines out."""

import re
from datetime import UTC
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from PIL import ImageDraw

from skedjit.event_page import share as links

# What these check does not depend on the database: run them on SQLite alone.
pytestmark = pytest.mark.one_backend

STARTS_AT = datetime(2026, 12, 12, 18, 30, tzinfo=UTC)
ENDS_AT = datetime(2026, 12, 12, 22, 0, tzinfo=UTC)
WHEN = "Saturday 12 December 2026, 19:30 (Europe/Paris, UTC+01:00)"
PLACE = "12 Rue de la Paix, Paris"
TITLE = "Board games at Ana's"
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "events.example.org"}
PLACES = ["og:url", "share field", "QR code"]


class PageParser(HTMLParser):
    """Collects the meta tags and the attributes of every element of a page."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        key = attributes.get("property") or attributes.get("name")
        if tag == "meta" and key:
            self.meta[key] = attributes.get("content")


def parse_page(html: str) -> PageParser:
    """The page's meta tags and elements."""
    parser = PageParser()
    parser.feed(html)
    return parser


def elements(html: str, tag: str, attribute: str) -> list[dict[str, str | None]]:
    """The attributes of each element of this tag that has this attribute."""
    return [
        attrs for name, attrs in parse_page(html).elements if name == tag and attribute in attrs
    ]


def only_element(html: str, tag: str, attribute: str) -> dict[str, str | None]:
    """The attributes of the one element of this tag that has this attribute."""
    found = elements(html, tag, attribute)
    assert len(found) == 1, f"{len(found)} <{tag} {attribute}> on the page"
    return found[0]


def element_by_id(html: str, element_id: str) -> dict[str, str | None]:
    """The attributes of the element with this id."""
    (found,) = [attrs for _, attrs in parse_page(html).elements if attrs.get("id") == element_id]
    return found


def preview_tags(client, slug: str, **kwargs) -> dict[str, str]:
    """The meta tags of the event page."""
    response = client.get(f"/events/{slug}", **kwargs)
    assert response.status_code == 200
    return parse_page(response.get_data(as_text=True)).meta


def mailto_fields(client, slug: str) -> dict[str, str]:
    """The subject and body of the page's mailto: link, decoded."""
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    (link,) = [a["href"] for a in elements(html, "a", "href") if a["href"].startswith("mailto:")]
    parts = urlsplit(link)
    assert parts.path == ""  # no recipient: the sender picks one
    return {name: values[0] for name, values in parse_qs(parts.query, strict_parsing=True).items()}


class SvgPathParser(HTMLParser):
    """Finds the d attribute of the path that draws the dark modules of a segno SVG."""

    def __init__(self):
        super().__init__()
        self.dark_path: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "path" and "stroke" in attributes:
            assert self.dark_path is None, "more than one path draws dark modules"
            self.dark_path = attributes["d"]


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """The (column, row) of each dark module drawn by a segno SVG's runs."""
    parser = SvgPathParser()
    parser.feed(svg)
    assert parser.dark_path, "no path of dark modules"
    modules: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, first, second in re.findall(
        r"([MmHh])\s*(-?[\d.]+)(?:\s+(-?[\d.]+))?", parser.dark_path
    ):
        if command == "M":
            x, y = float(first), float(second)
        elif command == "m":
            x, y = x + float(first), y + float(second)
        else:  # a horizontal run of dark modules, drawn through their middles
            modules.update((int(x) + step, int(y)) for step in range(int(first)))
            x += float(first)
    return modules


def qr_image(modules: set[tuple[int, int]], scale: int = 6, quiet: int = 4) -> Image.Image:
    """The modules drawn black on white, with a quiet zone of its own around them."""
    size = max(max(column, row) for column, row in modules) + 1 + 2 * quiet
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for column, row in modules:
        left, top = (column + quiet) * scale, (row + quiet) * scale
        draw.rectangle([left, top, left + scale - 1, top + scale - 1], fill=0)
    return image


def decode_qr(svg: str) -> str:
    """The text of the one QR code in a segno SVG."""
    (barcode,) = zxingcpp.read_barcodes(qr_image(dark_modules(svg)))
    return barcode.text


def shown_link(client, slug: str, place: str, **kwargs) -> str:
    """The event link as the page's og:url, its share field or its QR code gives it."""
    if place == "QR code":
        return decode_qr(client.get(f"/events/{slug}/qr.svg", **kwargs).get_data(as_text=True))
    html = client.get(f"/events/{slug}", **kwargs).get_data(as_text=True)
    if place == "og:url":
        return parse_page(html).meta["og:url"]
    return element_by_id(html, "share-link")["value"]


# Link previews


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("og:title", TITLE),
        ("og:description", f"{WHEN} · {PLACE}"),
        ("og:type", "website"),
        ("og:site_name", "Skedjit"),
        ("twitter:card", "summary"),
        ("twitter:title", TITLE),
        ("twitter:description", f"{WHEN} · {PLACE}"),
    ],
)
def test_preview_tags_describe_the_event(client, make_event, key, expected):
    slug = make_event(title=TITLE, starts_at=STARTS_AT, location=PLACE)
    assert preview_tags(client, slug)[key] == expected


def test_preview_description_gives_the_end_when_there_is_one(client, make_event):
    slug = make_event(starts_at=STARTS_AT, ends_at=ENDS_AT, location=PLACE)
    assert preview_tags(client, slug)["og:description"] == f"{WHEN} until 23:00 · {PLACE}"


def test_preview_description_without_a_place_is_the_time_alone(client, make_event):
    slug = make_event(starts_at=STARTS_AT, location="")
    assert preview_tags(client, slug)["og:description"] == WHEN


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("og:title", "You're invited"),
        ("og:description", "Open the link to see the details."),
        ("twitter:title", "You're invited"),
        ("twitter:description", "Open the link to see the details."),
    ],
)
def test_hidden_preview_says_only_you_are_invited(browser, create_event_as, client, key, expected):
    slug = create_event_as(browser, hide_preview="y")
    assert preview_tags(client, slug)[key] == expected


@pytest.mark.parametrize("detail", [TITLE, "Saturday 12 December", "19:30", "Rue de la Paix"])
def test_hidden_preview_names_no_detail_in_any_tag(client, make_event, detail):
    slug = make_event(title=TITLE, starts_at=STARTS_AT, location=PLACE, hide_preview=True)
    tags = preview_tags(client, slug)
    leaks = {key: value for key, value in tags.items() if detail in (value or "")}
    assert not leaks


@pytest.mark.parametrize("detail", [TITLE, WHEN, PLACE])
def test_hidden_preview_page_still_shows_the_details(client, make_event, detail):
    slug = make_event(title=TITLE, starts_at=STARTS_AT, location=PLACE, hide_preview=True)
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert detail in unescape(html.split("<body>", 1)[1])


def test_page_asks_search_engines_not_to_index_it(client, make_event):
    slug = make_event()
    assert preview_tags(client, slug)["robots"] == "noindex"


def test_page_response_asks_search_engines_not_to_index_it(client, make_event):
    slug = make_event()
    assert client.get(f"/events/{slug}").headers["X-Robots-Tag"] == "noindex"


@pytest.mark.parametrize(
    ("path", "title", "words"),
    [
        ("/", "Skedjit: share an event with one link", "get one short link"),
        ("/create", "Create an event · Skedjit", "No account needed."),
    ],
)
def test_the_landing_page_and_create_form_describe_the_site(client, path, title, words):
    response = client.get(path)
    meta = parse_page(response.get_data(as_text=True)).meta
    assert words in meta["description"]
    assert meta["og:description"] == meta["description"]
    assert meta["og:title"] == title
    assert meta["og:url"] == f"http://localhost{path}"
    assert (meta["og:type"], meta["og:site_name"]) == ("website", "Skedjit")
    assert "robots" not in meta
    assert "X-Robots-Tag" not in response.headers


# Right after creating: the share panel first


def main_parts(html: str) -> list[str]:
    """The classes of the sections and article inside <main>, in order."""
    main = html.split('<main id="main">', 1)[1]
    return re.findall(r'<(?:section|article) class="([^"]+)"', main)


def test_right_after_creating_the_share_panel_comes_before_the_event(browser, create_event_as):
    slug = create_event_as(browser)
    html = browser.get(f"/events/{slug}").get_data(as_text=True)
    expected = ["share first", "event", "answers", "bring", "add-to-calendar", "manage"]
    assert main_parts(html) == expected  # the owner sees the bring list, empty or not
    assert html.index("Your event is ready.") < html.index('id="share-link"')
    (line,) = re.findall(r'<p class="share-preview">(.*?)</p>', html, re.DOTALL)
    assert " ".join(unescape(line).split()).startswith(
        f"Friends see the event and answer with no account. A chat shows “{TITLE}”,"
        " Saturday 12 December 2054, 19:30 (Europe/Paris, UTC+01:00) · 12 Rue de la Paix, Paris."
    )
    again = browser.get(f"/events/{slug}").get_data(as_text=True)  # the message has been read
    assert main_parts(again) == ["event", "answers", "bring", "add-to-calendar", "share", "manage"]


def test_a_friend_with_a_message_keeps_the_usual_order(browser, make_browser, create_event_as):
    slug = create_event_as(browser)
    friend = make_browser()
    assert (
        friend.post(f"/events/{slug}/rsvp", data={"name": "Ana", "response": "yes"}).status_code
        == 303
    )
    html = friend.get(f"/events/{slug}").get_data(as_text=True)
    assert "Thanks, Ana!" in html
    assert main_parts(html) == ["event", "answers", "add-to-calendar", "share", "manage"]
    assert "share-preview" not in html


def test_with_hidden_previews_the_owner_reads_that_chats_show_no_detail(browser, create_event_as):
    slug = create_event_as(browser, hide_preview="y")
    html = unescape(browser.get(f"/events/{slug}").get_data(as_text=True))
    assert "A chat shows only “You're invited” until they open it." in html


# Absolute links, behind a reverse proxy or not


@pytest.mark.parametrize("place", PLACES)
def test_link_is_absolute_on_the_host_asked_for(client, make_event, place):
    slug = make_event()
    link = shown_link(client, slug, place, base_url="https://skedjit.example")
    assert link == f"https://skedjit.example/events/{slug}"


@pytest.mark.parametrize("place", PLACES)
def test_link_follows_a_trusted_proxy(make_app, make_event, place):
    slug = make_event()
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    link = shown_link(proxied, slug, place, headers=PROXY_HEADERS)
    assert link == f"https://events.example.org/events/{slug}"


@pytest.mark.parametrize("place", PLACES)
def test_link_ignores_forwarded_headers_without_trusted_proxies(client, make_event, place):
    slug = make_event()
    link = shown_link(client, slug, place, headers=PROXY_HEADERS)
    assert link == f"http://localhost/events/{slug}"


@pytest.mark.parametrize("place", PLACES)
def test_link_uses_the_configured_server_name_and_scheme(make_app, make_event, place):
    slug = make_event()
    named = make_app(SERVER_NAME="skedjit.example", PREFERRED_URL_SCHEME="https").test_client()
    link = shown_link(named, slug, place, base_url="http://localhost")
    assert link == f"https://skedjit.example/events/{slug}"


@pytest.mark.parametrize("place", ["og:url", "share field"])
def test_link_follows_each_host_despite_the_page_cache(make_app, make_event, place):
    slug = make_event()
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    first = shown_link(proxied, slug, place, headers=PROXY_HEADERS)
    second = shown_link(
        proxied, slug, place, headers={**PROXY_HEADERS, "X-Forwarded-Host": "b.example"}
    )
    assert (first, second) == (
        f"https://events.example.org/events/{slug}",
        f"https://b.example/events/{slug}",
    )


def test_share_link_field_is_read_only(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert "readonly" in element_by_id(html, "share-link")


# The QR code


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Content-Type", "image/svg+xml; charset=utf-8"),
        ("Cache-Control", "private, max-age=3600"),
        ("X-Robots-Tag", "noindex"),
        ("Content-Disposition", None),
    ],
)
def test_qr_code_response_headers(client, make_event, header, expected):
    slug = make_event()
    assert client.get(f"/events/{slug}/qr.svg").headers.get(header) == expected


def test_qr_code_download_is_an_attachment_named_for_the_event(client, make_event):
    slug = make_event()
    response = client.get(f"/events/{slug}/qr.svg?download=1")
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="skedjit-{slug}-qr.svg"'
    )


def test_qr_code_is_dark_on_white(client, make_event):
    slug = make_event()
    svg = client.get(f"/events/{slug}/qr.svg").get_data(as_text=True)
    assert '<path fill="#fff" d="M0 0h' in svg
    assert 'stroke="#000"' in svg


def test_qr_code_keeps_a_quiet_zone_of_four_modules(client, make_event):
    slug = make_event()
    modules = dark_modules(client.get(f"/events/{slug}/qr.svg").get_data(as_text=True))
    assert min(min(column, row) for column, row in modules) == 4


def test_qr_code_of_an_unknown_event_is_not_found(client):
    assert client.get("/events/abcdef/qr.svg").status_code == 404


def test_qr_code_uses_error_correction_level_m():
    assert links.qr_code("http://localhost/events/abcdef").error == "M"


def test_page_shows_the_qr_code_at_its_natural_size_with_alt_text(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    image = only_element(html, "img", "src")
    natural = re.search(
        r'<svg[^>]* width="(\d+)" height="(\d+)"', client.get(image["src"]).get_data(as_text=True)
    )
    assert image["src"] == f"/events/{slug}/qr.svg"
    assert (image["width"], image["height"]) == natural.groups()
    assert "QR code" in image["alt"]


def test_page_links_to_the_qr_code_download(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    (download,) = elements(html, "a", "download")
    assert download["href"] == f"/events/{slug}/qr.svg?download=1"


# Share actions


@pytest.mark.parametrize(
    "title", ["Ana & Bo? #1 café", "50% off + free", "Fête de l'été 🎉", "a=b&subject=x"]
)
def test_email_subject_is_the_title_whatever_its_characters(client, make_event, title):
    slug = make_event(title=title)
    assert mailto_fields(client, slug)["subject"] == title


def test_email_body_gives_when_where_and_the_link(client, make_event):
    slug = make_event(starts_at=STARTS_AT, ends_at=ENDS_AT, location=PLACE)
    assert mailto_fields(client, slug)["body"] == (
        f"When: {WHEN} until 23:00\r\nWhere: {PLACE}\r\n\r\nhttp://localhost/events/{slug}"
    )


def test_email_body_without_a_place_gives_when_and_the_link(client, make_event):
    slug = make_event(starts_at=STARTS_AT, location="")
    assert (
        mailto_fields(client, slug)["body"] == f"When: {WHEN}\r\n\r\nhttp://localhost/events/{slug}"
    )


def test_email_with_hidden_preview_names_no_detail(client, make_event):
    slug = make_event(title=TITLE, starts_at=STARTS_AT, location=PLACE, hide_preview=True)
    assert mailto_fields(client, slug) == {
        "subject": "You're invited",
        "body": f"You're invited! Open the link to see the details.\r\n\r\nhttp://localhost/events/{slug}",
    }


def test_web_share_button_is_hidden_until_script_finds_the_api(client, make_event):
    slug = make_event()
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    button = only_element(html, "button", "data-share")
    assert "hidden" in button


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [
        ("data-share-title", TITLE),
        ("data-share-text", f"{WHEN} · {PLACE}"),
        ("data-share-url", "http://localhost/events/{slug}"),
    ],
)
def test_web_share_button_carries_title_text_and_link(client, make_event, attribute, expected):
    slug = make_event(title=TITLE, starts_at=STARTS_AT, location=PLACE)
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    button = only_element(html, "button", "data-share")
    assert button[attribute] == expected.format(slug=slug)


# robots.txt


def test_robots_txt_keeps_crawlers_out_of_events(client):
    response = client.get("/robots.txt")
    assert response.mimetype == "text/plain"
    assert response.get_data(as_text=True).splitlines() == ["User-agent: *", "Disallow: /events/"]
