"""Text for people: plain text shown as HTML (escaped, links made), waits in words, and
sentences translated when they are used (`lazy_gettext`)."""

import math
import re
from datetime import timedelta

from flask_babel import format_timedelta
from flask_babel import gettext
from flask_babel import ngettext
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from markupsafe import escape

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?'\")]}"
#: Code points an HTML page may not carry: controls other than whitespace, surrogates,
#: and the noncharacters (U+FDD0 to U+FDEF, and the last two of every plane).
FORBIDDEN_IN_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
REPLACEMENT_CHARACTER = "\ufffd"


def is_noncharacter(char: str) -> bool:
    """U+FDD0 to U+FDEF and U+xFFFE, U+xFFFF: code points Unicode keeps out of text."""
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE


def shown_in_html(text: str) -> str:
    """The text with every code point HTML forbids made a visible U+FFFD, as browsers do for NUL."""
    return FORBIDDEN_IN_HTML.sub(REPLACEMENT_CHARACTER, text)


def _trim(url: str) -> tuple[str, str]:
    """Split trailing punctuation off a URL, keeping a closing bracket that has its opener."""
    end = len(url)
    while end and url[end - 1] in TRAILING:
        if url[end - 1] == ")" and url[:end].count("(") >= url[:end].count(")"):
            break
        end -= 1
    return url[:end], url[end:]


def linkify(text: str) -> Markup:
    """Escape text and turn each http(s) address into a link that does not pass the page on."""
    parts = []
    position = 0
    for match in URL.finditer(text):
        url, rest = _trim(match.group())
        if url.lower() in ("http://", "https://"):
            continue
        parts.append(escape(text[position : match.start()]))
        parts.append(Markup('<a href="{0}" rel="nofollow noopener noreferrer">{0}</a>').format(url))
        parts.append(escape(rest))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


class LazyText(LazyString):
    """A sentence of a module or class, translated each time it is used: in the language
    of the request then.

    Flask-Babel's own lazy string tells HTML it needs no escaping (its `__html__` gives
    the text as it is), so a label such as "Can't go" would reach the page unescaped,
    and so would a translation's `&` or `<`. This one is escaped like any str.
    """

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables) -> LazyText:
    """gettext when used, not now: for labels and messages made at import time."""
    return LazyText(gettext, string, **variables)


def lazy_ngettext(singular: str, plural: str, num: int, **variables) -> LazyText:
    """ngettext when used, not now."""
    return LazyText(ngettext, singular, plural, num, **variables)


def describe_wait(seconds: int) -> str:
    """'45 seconds', '12 minutes', '3 hours': how long until a limit lets go, rounded up
    to the unit it is said in, so that trying again then works."""
    if seconds >= 60:
        unit = 60 if seconds <= 3600 else 3600
        seconds = math.ceil(seconds / unit) * unit
    return format_timedelta(timedelta(seconds=seconds), threshold=1)
