"""Plain text shown as HTML: escaped, with web addresses made into links."""

import re

from markupsafe import Markup
from markupsafe import escape

URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
TRAILING = ".,;:!?'\")]}"


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
