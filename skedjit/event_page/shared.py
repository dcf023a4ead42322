"""The shared page: a cookie-less friend's GET answered from this process's memory, before Flask.

A friend who opens the link with no cookie gets the same bytes as every such
friend (the package's first invariant), so once Flask has answered one of them,
that exact answer (status line, headers and body) can be sent again without
Flask: a 200, or a 304 when the browser holds its ETag. It is kept per event,
scheme and host, and sent again only while all of these still hold:

- the request is a GET or HEAD of exactly /events/<slug>, with no cookie but perhaps
  the language's (i18n.py: it is not the session), and the page is kept per language;
- the event's row this process keeps is the very one the page was made from
  (rows.py drops it at any change, so a change is never missed);
- it is still the minute the page was made in: the distance phrase ("in 2 hours")
  and answers closing at their deadline change at whole minutes;
- no address is blocked for unknown event links in this process (that check is
  Flask's, so while anyone is blocked every request goes through Flask).

Everything else goes to Flask as before. The request log, outside, still logs it,
and with metrics on, each request it looks up counts as a page cache hit or miss.
"""

import re
import threading
from dataclasses import dataclass

from cachetools import LRUCache
from flask import Flask
from flask import request
from werkzeug.http import parse_etags

from .. import metrics
from ..i18n import locale_of
from ..i18n import offered_languages
from ..i18n import only_language_cookie
from ..slugs import PATTERN
from . import data
from . import rows
from .data import EventPage

EVENT_PATH = re.compile(f"/events/({PATTERN})")
ENVIRON_KEY = "skedjit.shared_page"
#: The view whose answers are kept: a page sent from memory counts as a request to it.
VIEW = "events.view"
#: Headers a 304 leaves out (RFC 9110 §15.4.5: it has no content).
NO_CONTENT = frozenset({"content-length", "content-type"})


@dataclass(frozen=True, slots=True)
class SharedPage:
    """One answer Flask made for a cookie-less friend, and what it was made from."""

    row: EventPage
    minute: int
    etag: str
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def not_modified_headers(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.headers if name.lower() not in NO_CONTENT]


def this_minute() -> int:
    """The minute it is: the distance phrase and the deadline change only from one to the next."""
    return int(data.utcnow().timestamp() // 60)


def offer(row: EventPage, etag: str) -> None:
    """Say, while making a friend's shared page, what it was made from (respond() calls this)."""
    if only_language_cookie(request.environ):
        request.environ[ENVIRON_KEY] = (row, this_minute(), etag)


class SharedPages:
    """WSGI middleware around the Flask app that answers cookie-less friends it can."""

    def __init__(self, app: Flask, size: int):
        self.app = app
        self.wsgi_app = app.wsgi_app
        self.pages: LRUCache[tuple, SharedPage] = LRUCache(max(size, 1))
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD")
        match = EVENT_PATH.fullmatch(environ.get("PATH_INFO", ""))
        if method not in ("GET", "HEAD") or match is None or not only_language_cookie(environ):
            return self.wsgi_app(environ, start_response)
        key = (
            match.group(1),
            environ.get("wsgi.url_scheme"),
            environ.get("HTTP_HOST"),
            locale_of(environ, offered_languages(self.app)),
        )
        page = self.fresh(key)
        if page is not None:
            metrics.page_sent_from_memory(self.app, environ, VIEW)
            return self.send(page, environ, start_response)
        metrics.page_not_in_memory(self.app)
        if method == "GET":
            return self.keep(key, environ, start_response)
        return self.wsgi_app(environ, start_response)

    def fresh(self, key: tuple) -> SharedPage | None:
        """The kept answer for the key, if it may still be sent."""
        with self.lock:
            page = self.pages.get(key)
        if page is None or page.minute != this_minute() or self.someone_is_blocked():
            return None
        return page if rows.kept_row(self.app, key[0]) is page.row else None

    def someone_is_blocked(self) -> bool:
        limits = self.app.extensions.get("skedjit.unknown_events")
        return bool(limits is not None and limits.blocked)

    @staticmethod
    def send(page: SharedPage, environ, start_response):
        """The kept answer, or a 304 when the browser holds its ETag."""
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(page.etag):
            start_response("304 NOT MODIFIED", page.not_modified_headers)
            return []
        start_response("200 OK", page.headers)
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def keep(self, key: tuple, environ, start_response):
        """Let Flask answer a GET as a first visit, keep the page if it was offered, and send.

        Flask is asked without the browser's If-None-Match, so that even when every friend
        is revalidating, the first of them after a change makes the page that all share.
        """
        if_none_match = environ.pop("HTTP_IF_NONE_MATCH", None)
        answer: dict = {}
        parts: list[bytes] = []

        def note(status, headers, exc_info=None):
            answer.update(status=status, headers=headers, exc_info=exc_info)
            return parts.append

        body = self.wsgi_app(environ, note)
        try:
            parts.extend(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        content = b"".join(parts)
        offered = environ.get(ENVIRON_KEY)
        if if_none_match is not None:
            environ["HTTP_IF_NONE_MATCH"] = if_none_match
        if offered is not None and answer["status"].startswith("200"):
            row, minute, etag = offered
            page = SharedPage(row, minute, etag, list(answer["headers"]), content)
            with self.lock:
                self.pages[key] = page
            return self.send(page, environ, start_response)
        start_response(answer["status"], answer["headers"], answer["exc_info"])
        return [content]


def init_app(app: Flask) -> None:
    """Answer cookie-less friends from memory, inside every other middleware."""
    if app.config["EVENT_PAGE_CACHE_SIZE"] > 0:
        app.wsgi_app = SharedPages(app, app.config["EVENT_PAGE_CACHE_SIZE"])
