"""Looking things up in the HTML Skedjit answers with."""

import re
from html import unescape

CSRF_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def html_of(response) -> str:
    return response.get_data(as_text=True)


def text_of(response) -> str:
    """The response's HTML with entities decoded, for looking for sentences."""
    return unescape(response.get_data(as_text=True))


def page_text(html: str) -> str:
    """A page's text: no tags, entities decoded, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_INPUT.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def input_tag(html: str, name: str) -> str | None:
    """The <input>, <select> or <textarea> tag with this name, as written."""
    match = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    return match.group(0) if match else None


def input_value(html: str, name: str) -> str | None:
    """The value of the <input> with this name; None without the input or its value."""
    tag = input_tag(html, name)
    value = tag and re.search(r'\bvalue="([^"]*)"', tag)
    return unescape(value.group(1)) if value else None


def textarea(html: str, name: str) -> str:
    """The text in the <textarea> with this name."""
    tag = rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\r?\n?(.*?)</textarea>'
    match = re.search(tag, html, re.S)
    assert match, f"no textarea named {name}"
    return unescape(match.group(1))


def field_error(html: str, field: str) -> str:
    """The error said beside a field."""
    match = re.search(rf'<p class="error" id="{re.escape(field)}-error">(.*?)</p>', html, re.S)
    assert match, f"no error beside {field}"
    return unescape(match.group(1))


def form_version(html: str) -> int:
    """The event version an edit form was opened at."""
    return int(input_value(html, "version"))


def checked_response(html: str) -> str | None:
    """The value of the answer form's checked response, if one is."""
    for tag in re.findall(r'<input [^>]*name="response"[^>]*>', html):
        if re.search(r"\schecked[\s>]", tag):
            return re.search(r'value="(\w+)"', tag).group(1)
    return None
