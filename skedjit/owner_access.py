"""Owner access: browsers that may edit an event without typing its password.

The grants live in the signed session cookie as {slug: [password_version,
expires_at]}; changing the password bumps the version and so voids every grant
held by other browsers. A co-host's grant (cohosts.py) adds the event's
hosts_version, [password_version, expires_at, hosts_version]: revoking the
co-host links bumps it and so voids every co-host's grant, but not the owner's.
"""

import math
import time

from flask import current_app
from flask import session

from .models import Event

SESSION_KEY = "owned"
MAX_GRANTS = 50  # keeps the cookie well under browsers' 4 KB limit


def _grants() -> dict:
    grants = session.get(SESSION_KEY)
    return grants if isinstance(grants, dict) else {}


def has_owner_access(event: Event) -> bool:
    """Tell whether this browser may edit the event without its password."""
    grant = _grants().get(event.slug)
    return (
        isinstance(grant, list)
        and len(grant) in (2, 3)
        and grant[0] == event.password_version
        and grant[1] > time.time()
        and grant[2:] in ([], [event.hosts_version])
    )


def is_cohost(event: Event) -> bool:
    """Tell whether this browser's owner access came from a co-host link: it may do all
    an owner does but change the password or the co-host links."""
    return has_owner_access(event) and len(_grants()[event.slug]) == 3


def may_have_owner_access(slug: str) -> bool:
    """Tell, without loading the event, whether this browser holds any grant for it."""
    return slug in _grants()


def owner_access_hours_left(event: Event) -> int:
    """Whole hours, rounded up, until this browser's owner access to the event ends."""
    return math.ceil((_grants()[event.slug][1] - time.time()) / 3600)


def grant_owner_access(event: Event, cohost: bool = False) -> None:
    """Let this browser edit the event without its password for a while (as a co-host:
    until the co-host links are revoked, too)."""
    now = time.time()
    lifetime = current_app.config["OWNER_ACCESS_LIFETIME"].total_seconds()
    grants = {slug: grant for slug, grant in _grants().items() if grant[1] > now}
    grants[event.slug] = [event.password_version, now + lifetime]
    if cohost:
        grants[event.slug].append(event.hosts_version)
    newest = sorted(grants.items(), key=lambda item: item[1][1])[-MAX_GRANTS:]
    session[SESSION_KEY] = dict(newest)
    session.permanent = True


def drop_owner_access(slug: str) -> None:
    """Forget this browser's access to an event (after it is deleted)."""
    grants = _grants()
    if slug in grants:
        del grants[slug]
        session[SESSION_KEY] = grants
