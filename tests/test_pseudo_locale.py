"""Nothing left in English: every page and email in a pseudo-language whose every message
is wrapped in ⟦…⟧. Any text a person reads that is not wrapped did not go through
gettext (but for what people typed, the brand, and dates, times and zones, which Babel
writes from its own locale data)."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_timedelta
from babel.dates import get_timezone_location

from skedjit import i18n
from tests.helpers.catalogs import CLOSE
from tests.helpers.catalogs import OPEN
from tests.helpers.catalogs import pseudo_translations
from tests.helpers.catalogs import write_catalog
from tests.helpers.forms import ANSWER
from tests.helpers.forms import event_form
from tests.helpers.mail import mail_settings
from tests.helpers.pages import BRING_TYPED
from tests.helpers.pages import NOTE
from tests.helpers.pages import OWNER_EMAIL
from tests.helpers.pages import TITLE
from tests.helpers.pages import parse_html
from tests.helpers.pages import receive_every_email
from tests.helpers.pages import render_every_page

pytestmark = pytest.mark.one_backend

PSEUDO = "de"  # a language Skedjit offers, its messages replaced by marked English
MARKED = re.compile(f"{OPEN}[^{CLOSE}]*{CLOSE}")
READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder")
#: What people typed in the tests' forms, and names that are no one's to translate.
TYPED = sorted(
    {
        TITLE,
        NOTE,
        OWNER_EMAIL,
        ANSWER["name"],
        "Ben",
        "Chloé",
        "Bringing cake",
        "Tab tab",
        "Ana's, 3rd floor",
        "not-an-address",
        *BRING_TYPED,
        *NOTE.splitlines(),
        *(value for value in event_form().values() if isinstance(value, str)),
        "Skedjit",
    },
    key=len,
    reverse=True,
)


@pytest.fixture
def pseudo(monkeypatch, tmp_path):
    folder = tmp_path / "translations"
    write_catalog(folder, PSEUDO, pseudo_translations())
    monkeypatch.setattr(i18n, "TRANSLATIONS", folder)
    monkeypatch.setattr(i18n, "DEFAULT", PSEUDO)  # every request, whatever it accepts


def locale_words() -> set[str]:
    """Words Babel writes itself in the pseudo-language's locale: day and month names,
    and the cities of the tests' zones."""
    locale = Locale.parse(PSEUDO)
    words = {
        get_timezone_location(ZoneInfo(zone), locale=PSEUDO, return_city=True)
        for zone in ("Europe/Paris", "America/New_York")
    }
    for table in (locale.days, locale.months):
        for width in table["format"].values():
            words |= set(width.values())
    for days in (1 / 24, 2 / 24, 1, 2, 7, 14, 30, 60, 365, 730):  # "in 3 Tagen", "vor 1 Stunde"
        for delta in (timedelta(days=days), -timedelta(days=days)):
            phrase = format_timedelta(delta, add_direction=True, locale=PSEUDO)
            words |= {word for word in phrase.split() if not word.isdigit()}
    return words | {word.capitalize() for word in words}  # a phrase may start a sentence


INNERMOST = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
#: Between two text nodes: a message holding markup spans several.
SEAM = "\x00"


def unmarked(text: str) -> str:
    """The text but for its marked messages (innermost first: a message may hold another,
    and markup), what people typed, and Babel's words."""
    while (shorter := INNERMOST.sub(" ", text)) != text:
        text = shorter
    text = " ".join(text.split())  # as the page shows it; SEAM is no space
    text = re.sub(r"https?://\S+", " ", text)  # first: a link's token may hold any word
    for typed in TYPED:
        text = text.replace(" ".join(typed.split()), " ")
    for word in locale_words():
        text = re.sub(rf"\b{re.escape(word)}\b", " ", text)
    text = re.sub(r"\b[A-Z][a-z]+/[A-Za-z_/]+\b", " ", text)  # zone names, Europe/Paris
    text = re.sub(r"\bUTC\b|\S+@\S+|\bn{100,}\b", " ", text)  # n…: a long note
    return " ".join(text.replace(SEAM, " ").split()) if re.search(r"[^\W\d_]{2,}", text) else ""


def english_left(html: str) -> list[str]:
    """Each piece of text the page shows or says that is not marked."""
    left = []
    texts = []

    def walk(element) -> None:
        if element.tag in ("script", "style"):
            return
        if element.tag == "select" and element.attrs.get("name") == "timezone":
            return  # IANA's zone names: data, the same in every language
        for name in READ_ATTRIBUTES:
            if element.attrs.get(name) and unmarked(element.attrs[name]):
                left.append(f"<{element.tag} {name}>: {element.attrs[name]!r}")
        button = element.tag == "input" and element.attrs.get("type") in ("submit", "button")
        if button and unmarked(element.attrs.get("value", "")):
            left.append(f"<input value>: {element.attrs['value']!r}")
        for child in element.children:
            if isinstance(child, str):
                texts.append(child)
            else:
                walk(child)

    walk(parse_html(html))
    rest = unmarked(SEAM.join(texts))
    return [*left, *([f"text: {rest!r}"] if rest else [])]


def test_every_page_is_in_the_page_s_language(pseudo, app, make_app, mail_server):
    pages = render_every_page(app, make_app, mail_server)
    left = {name: found for name, page in pages.items() if (found := english_left(page.html))}
    assert left == {}


def test_every_email_is_in_the_event_s_language(pseudo, make_app, mail_server):
    emails = receive_every_email(make_app(**mail_settings(mail_server)), mail_server)
    left = {}
    for kind, message in emails.items():
        found = english_left(message.get_body(("html",)).get_content())
        if rest := unmarked(message.get_body(("plain",)).get_content()):
            found.append(f"plain text: {rest!r}")
        if unmarked(message["Subject"]):
            found.append(f"subject: {message['Subject']!r}")
        if found:
            left[kind] = found
    assert left == {}
