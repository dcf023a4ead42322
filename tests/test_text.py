"""Descriptions shown as text, with web addresses as links and nothing else as HTML."""

import pytest

from skedjit.text import linkify

REL = 'rel="nofollow noopener noreferrer"'


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no links here", "no links here"),
        (
            "menu: https://example.org/menu?a=1&b=2.",
            f'menu: <a href="https://example.org/menu?a=1&amp;b=2" {REL}>'
            "https://example.org/menu?a=1&amp;b=2</a>.",
        ),
        (
            "(see http://example.org/x)",
            f'(see <a href="http://example.org/x" {REL}>http://example.org/x</a>)',
        ),
        (
            "https://en.wikipedia.org/wiki/Tea_(meal)!",
            f'<a href="https://en.wikipedia.org/wiki/Tea_(meal)" {REL}>'
            "https://en.wikipedia.org/wiki/Tea_(meal)</a>!",
        ),
        ("<b>bold</b> & co", "&lt;b&gt;bold&lt;/b&gt; &amp; co"),
        (
            'https://x.org/"onmouseover="alert(1)',
            f'<a href="https://x.org/" {REL}>https://x.org/</a>&#34;onmouseover=&#34;alert(1)',
        ),
        ("javascript:alert(1) ftp://x.org", "javascript:alert(1) ftp://x.org"),
        ("just http:// alone", "just http:// alone"),
    ],
)
def test_linkify(text, expected):
    assert str(linkify(text)) == expected


def test_description_links_and_line_breaks_on_the_page(client, make_event):
    slug = make_event(description="Menu:\nhttps://example.org/menu\n<script>x</script>")
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    assert (
        f'<div class="description">Menu:\n<a href="https://example.org/menu" {REL}>'
        "https://example.org/menu</a>\n&lt;script&gt;x&lt;/script&gt;</div>"
    ) in html


def test_place_links_to_an_openstreetmap_search(client, make_event):
    slug = make_event(location="12 Rue de la Paix, Paris & co")
    html = client.get(f"/events/{slug}").get_data(as_text=True)
    query = "12%20Rue%20de%20la%20Paix%2C%20Paris%20%26%20co"
    assert f'href="https://www.openstreetmap.org/search?query={query}"' in html
