"""How many emails may go out: per client address, and per instance each day.

Skedjit sends email to addresses nobody confirmed (invitations, receipts, notices,
recovery links), so it must not be a relay for someone else's text. Every email is
counted before it is sent, against two limits:

- RATELIMIT_EMAILS per client address (default 100 a day), all kinds together (the
  worker's reminders come from no client, and count only against the next);
- MAIL_DAILY_LIMIT for the whole instance (default 2000 a UTC day), counted in the
  database so that every process and server shares it.

Emails are counted when they are owed (the worker sends them later). Past either limit,
nothing of that batch is owed (429). The per-event allowance of invitations
(invites/service.py) applies as well.
"""

import math
from datetime import datetime
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import update

from . import rate_limits
from .database import insert_new
from .extensions import db
from .models import MailDay
from .models import utcnow
from .refusals import Refused

DAYS = MailDay.__table__


class DailyLimitError(Refused):
    """The instance has sent MAIL_DAILY_LIMIT emails today."""

    status = 429

    def __init__(self, now: datetime):
        tomorrow = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
        seconds = max(1, math.ceil((tomorrow - now).total_seconds()))
        super().__init__(
            _("This Skedjit has sent all the emails it may send today. Try again tomorrow."),
            {"Retry-After": str(seconds)},
        )


def reserve(count: int, commit: bool = True) -> None:
    """Count `count` emails this request owes; refused past a limit, counting nothing.

    LimitExceeded past the address's limit, DailyLimitError past the instance's. With
    `commit=False` the day's count is part of the caller's transaction.
    """
    if count <= 0:
        return
    rate_limits.emails.take(cost=count)
    try:
        _count_today(count, commit)
    except DailyLimitError:
        rate_limits.emails.give_back(cost=count)
        raise


def reserve_for_instance(count: int) -> None:
    """Count emails the worker owes of itself (reminders), in the caller's transaction,
    against the instance's daily limit alone; DailyLimitError past it."""
    _count_today(count, commit=False)


def _count_today(count: int, commit: bool) -> None:
    limit = current_app.config["MAIL_DAILY_LIMIT"]
    if not limit:
        return
    now = utcnow()
    db.session.execute(insert_new(DAYS, [{"day": now.date(), "sent": 0}]))
    sent = db.session.execute(
        update(DAYS)
        .where(DAYS.c.day == now.date(), DAYS.c.sent + count <= limit)
        .values(sent=DAYS.c.sent + count)
        .returning(DAYS.c.sent)
    ).scalar_one_or_none()
    if commit:
        db.session.commit()
    if sent is None:
        raise DailyLimitError(now)
