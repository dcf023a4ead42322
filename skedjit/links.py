"""Absolute links to an event's pages, on the host and scheme the request came to."""

from flask import url_for


def event_url(slug: str) -> str:
    """The link friends are sent: /events/<slug>, absolute."""
    return url_for("events.view", slug=slug, _external=True)


def ics_url(slug: str) -> str:
    """The event's calendar file, absolute (calendar apps subscribe to it)."""
    return url_for("calendars.event_ics", slug=slug, _external=True)
