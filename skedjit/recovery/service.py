"""Owner recovery links: one at a time per event, valid for an hour, usable once.

A link is asked for on the event's "Forgot the password?" page and emailed to the
address given when the event was created. Asking answers the same whether or not
the event has such an address. Only the link's SHA-256 is stored; asking again
replaces it, and using it (or a new password) ends it.
"""

import hashlib
import hmac
import secrets
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import update

from .. import mail_limits
from .. import outbox
from .. import rate_limits
from ..database import committed
from ..events.service import set_password
from ..extensions import db
from ..i18n import writing_in
from ..invites.emails import compose
from ..invites.emails import facts_of
from ..links import event_url
from ..models import Event
from ..models import utcnow
from ..passwords import hash_password
from ..refusals import Refused

LIFETIME = timedelta(hours=1)
EVENTS = Event.__table__


class LinkUsedUpError(Refused):
    """The link is not the event's current one, or its hour is over."""

    status = 404

    def __init__(self):
        super().__init__(
            _(
                "This link has expired or was already used. Ask for a new one on the "
                "event's “Forgot the password?” page."
            )
        )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_link(event: Event) -> None:
    """Email a new link to the owner's address, if the event has one; counted per address
    and per event first (LimitExceeded past either), whether it has one or not."""
    rate_limits.recoveries.take()
    rate_limits.recoveries_per_event.take(event.slug)
    mail_limits.reserve(1)  # with an address on file or not: the answers must not differ
    if not event.owner_email:
        return
    token = secrets.token_urlsafe(32)
    link = url_for("recovery.new_password_form", slug=event.slug, token=token, _external=True)
    with writing_in(event.language):
        facts = facts_of(event, event_url(event.slug))
        subject = _("Set a new password: %(title)s", title=facts.title)
        message = compose(subject, event.owner_email, "recovery", facts=facts, link=link)
    with committed():  # not through the ORM: an edit form opened elsewhere stays current
        db.session.execute(
            update(EVENTS)
            .where(EVENTS.c.id == event.id)
            .values(recovery_hash=_hash(token), recovery_expires_at=utcnow() + LIFETIME)
        )
        outbox.owe("recovery", message, event.id)


def check_link(event: Event, token: str, now: datetime | None = None) -> None:
    """LinkUsedUpError unless the token is the event's current link and within its hour."""
    now = now or utcnow()
    current = event.recovery_hash and event.recovery_expires_at > now
    if not (current and hmac.compare_digest(event.recovery_hash, _hash(token))):
        raise LinkUsedUpError


def set_new_password(event: Event, token: str, new_password: str) -> None:
    """Use up the link and give the event the new password; LinkUsedUpError if it cannot be.

    Every other browser's owner access ends, and every guess counted is forgotten.
    """
    check_link(event, token)
    password_hash = hash_password(new_password, current_app.config["BCRYPT_ROUNDS"])
    with committed():
        used = db.session.execute(
            update(EVENTS)
            .where(
                EVENTS.c.id == event.id,
                EVENTS.c.recovery_hash == _hash(token),
                EVENTS.c.recovery_expires_at > utcnow(),
            )
            .values(recovery_hash=None, recovery_expires_at=None)
        ).rowcount
        if used != 1:  # used by a parallel request since the event was read
            raise LinkUsedUpError
        set_password(event, password_hash)
