"""Calendar identity shared by the .ics export and the tombstones of deleted events."""

from flask import current_app
from flask import request


def calendar_domain() -> str:
    """The domain in calendar UIDs: CALENDAR_DOMAIN, else the host the request came to."""
    return current_app.config.get("CALENDAR_DOMAIN") or request.host.split(":")[0]


def event_uid(slug: str, event_id: int, domain: str) -> str:
    """A UID that stays the same across edits, and differs if a slug is ever reused."""
    return f"{slug}-{event_id}@{domain}"
