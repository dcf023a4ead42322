"""Descriptions shown as text, with web addresses as links and nothing else as HTML."""

import pytest

from skedjit.text import is_noncharacter
from skedjit.text import linkify
from skedjit.text import shown_in_html

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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tab\tline\ncr\rff\x0cspace ok", "tab\tline\ncr\rff\x0cspace ok"),
        ("nul\x00bell\x07esc\x1bdel\x7fnel\x85", "nul\ufffdbell\ufffdesc\ufffddel\ufffdnel\ufffd"),
        ("\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff", "\ufffd" * 6),
        ("é 😀 \u2028 \ufdcf \ufdf0 \ufffd", "é 😀 \u2028 \ufdcf \ufdf0 \ufffd"),
    ],
    ids=["whitespace-kept", "controls", "noncharacters", "characters-kept"],
)
def test_shown_in_html_makes_each_forbidden_code_point_visible(text, expected):
    assert shown_in_html(text) == expected


@pytest.mark.parametrize(
    ("char", "expected"),
    [
        ("\ufdd0", True),
        ("\ufdef", True),
        ("\U0002ffff", True),
        ("\ufdcf", False),
        ("\ufffd", False),
    ],
)
def test_noncharacters_are_the_ones_unicode_keeps_out_of_text(char, expected):
    assert is_noncharacter(char) is expected
