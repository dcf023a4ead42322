"""Absolute links to an event's pages, on the host and scheme the request came to.

The worker has no request: it builds an event's links on the site address kept with
the event (`on_site`).
"""

from contextlib import AbstractContextManager

from flask import current_app
from flask import has_request_context
from flask import request
from flask import url_for


def site_url() -> str | None:
    """The site's address as this request reached it, e.g. https://events.example.org/."""
    return request.url_root[:255] if has_request_context() else None


def on_site(url: str | None) -> AbstractContextManager:
    """A context in which url_for(_external=True) builds links on `url` (None: SERVER_NAME,
    or http://localhost/)."""
    return current_app.test_request_context(base_url=url)


def event_url(slug: str) -> str:
    """The link friends are sent: /events/<slug>, absolute."""
    return url_for("events.view", slug=slug, _external=True)


def ics_url(slug: str) -> str:
    """The event's calendar file, absolute (calendar apps subscribe to it)."""
    return url_for("calendars.event_ics", slug=slug, _external=True)
