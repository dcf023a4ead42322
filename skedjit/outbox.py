"""Every email goes out through the outbox: a row per email, sent by the worker.

A service owes emails in the transaction of the change they tell of (`owe`); once that
commits, their ids go on the queue. The worker's `send_email` job claims an email by a
conditional UPDATE, so that two workers never both send it, and records how it went:

- taken by the mail server: sent, and its message is dropped;
- refused for good (5xx): failed, with the server's reply (the owner may retry it);
- refused for now (4xx) or no connection: retrying, with growing delays (at most a
  minute apart, so a mail server back up is used within a minute), for 24 hours after
  it was owed; then failed.

`sweep_emails` runs every minute and queues again whatever has waited MAIL_STALE_SECONDS
(5 minutes by default) past its time (queued, retrying, or taken by a worker that died):
a queue that was down, or a worker killed mid-send, loses nothing. At most the one email
a worker was sending when it died may go twice. The queue and the logs carry ids, never an address.
"""

import logging
import smtplib
from datetime import datetime
from datetime import timedelta
from email.utils import parseaddr

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_
from sqlalchemy import event as sa_event
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from . import jobs
from . import mail_limits
from .database import committed
from .extensions import db
from .mail import Message
from .mail import mail_enabled
from .mail import mailer
from .mail import refusal
from .models import Email
from .models import utcnow
from .refusals import Refused

log = logging.getLogger(__name__)
EMAILS = Email.__table__
OWED = "skedjit.emails_owed"
#: How long an email is retried after it was owed, before it counts as failed.
RETRY_FOR = timedelta(hours=24)


def unreachable() -> str:
    """What is kept for an email that found no mail server (in the language written in now)."""
    return _("The mail server could not be reached.")


def owe(kind: str, message: Message, event_id: int | None, invitee_id: int | None = None):
    """Add an email to the caller's transaction; it is queued once that commits."""
    email = Email(
        kind=kind,
        event_id=event_id,
        invitee_id=invitee_id,
        address=message.recipients[0],
        message=message.as_bytes(),
    )
    db.session.add(email)
    return email


class NotFailedError(Refused):
    """Only a failed email can be retried: this one is sent or still on its way."""

    status = 409

    def __init__(self):
        super().__init__(_("This email is not failed: it is sent or still on its way."))


def retry(email: Email) -> None:
    """Queue a failed email again (the owner's choice); NotFailedError if it is not failed.

    It counts against the limits on email again."""
    if email.state != "failed":
        raise NotFailedError
    mail_limits.reserve(1)
    with committed():
        retried = db.session.execute(
            update(EMAILS)
            .where(EMAILS.c.id == email.id, EMAILS.c.state == "failed")
            .values(state="queued", attempts=0, created_at=utcnow(), due_at=utcnow())
        ).rowcount
    if not retried:
        raise NotFailedError
    jobs.enqueue("send_email", email.id)


def send_email(email_id: int) -> None:
    """The worker's job: send one email, if it is still to be sent, and record how it went."""
    if not mail_enabled():
        return  # kept queued: the sweep sends it once a mail server is set
    now = utcnow()
    with committed():
        claimed = db.session.execute(
            update(EMAILS)
            .where(EMAILS.c.id == email_id, _due(now, abandoned_before=now - stale()))
            .values(state="sending", due_at=now, attempts=EMAILS.c.attempts + 1)
            .returning(EMAILS.c.address, EMAILS.c.message, EMAILS.c.created_at, EMAILS.c.attempts)
        ).one_or_none()
    if claimed is None:
        return  # sent, failed, not yet due, or another worker has it
    address, message, owed_at, attempts = claimed
    code, reply = _deliver(address, message)
    if code is not None and code < 300:
        _record(email_id, state="sent", message=None, last_reply="", sent_at=utcnow())
    elif code is not None and code >= 500:
        _record(email_id, state="failed", last_reply=refusal(code, reply))
        log.warning("mail: email %d refused for good (%d)", email_id, code)
    else:
        said = refusal(code, reply) if code is not None else unreachable()
        first, longest = current_app.config["MAIL_RETRY_SECONDS"]
        delay = min(first * 2 ** (attempts - 1), longest)
        if utcnow() + timedelta(seconds=delay) - owed_at > RETRY_FOR:
            _record(email_id, state="failed", last_reply=said)
            log.warning("mail: email %d not sent in %s: given up", email_id, RETRY_FOR)
            return
        due = utcnow() + timedelta(seconds=delay)
        _record(email_id, state="retrying", last_reply=said, due_at=due)
        jobs.enqueue("send_email", email_id, delay=delay)


def sweep_emails() -> int:
    """Queue again every email that has waited stale() past its time; how many."""
    now, waited = utcnow(), stale()
    query = select(EMAILS.c.id).where(_due(now - waited, abandoned_before=now - waited)).limit(1000)
    ids = list(db.session.scalars(query))
    db.session.rollback()  # end the read: the jobs take their own transactions
    for email_id in ids:
        jobs.enqueue("send_email", email_id)
    if ids:
        log.info("mail: %d emails queued again", len(ids))
    return len(ids)


def stale() -> timedelta:
    """How long past its time an email waits, or stays taken by a worker, before the sweep
    queues it again (MAIL_STALE_SECONDS)."""
    return timedelta(seconds=current_app.config["MAIL_STALE_SECONDS"])


def _due(now: datetime, abandoned_before: datetime):
    """Waiting and due by `now`, or taken by a worker before `abandoned_before`, never done."""
    waiting = and_(EMAILS.c.state.in_(("queued", "retrying")), EMAILS.c.due_at <= now)
    abandoned = and_(EMAILS.c.state == "sending", EMAILS.c.due_at <= abandoned_before)
    return or_(waiting, abandoned)


def _deliver(address: str, message: bytes) -> tuple[int | None, bytes | str]:
    """Hand one message to the mail server: its reply code and text (None: no answer)."""
    sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
    try:
        with mailer.connect() as connection:
            connection.host.sendmail(sender, [address], message)
    except smtplib.SMTPRecipientsRefused as error:
        return next(iter(error.recipients.values()))
    except smtplib.SMTPResponseException as error:  # the sender, the data, or a command
        return error.smtp_code, error.smtp_error
    except OSError as error:  # smtplib's other errors are OSErrors too
        log.warning("mail: no mail server: %r", error)
        return None, ""
    return 250, ""


def _record(email_id: int, **values) -> None:
    with committed():
        db.session.execute(update(EMAILS).where(EMAILS.c.id == email_id).values(**values))


def _note_owed(session: Session, _flush_context) -> None:
    """After a flush: the ids of the emails just added, to queue once the commit is done."""
    owed = [obj.id for obj in session.new if isinstance(obj, Email)]
    if owed:
        session.info.setdefault(OWED, []).extend(owed)


def _queue_owed(session: Session) -> None:
    for email_id in session.info.pop(OWED, []):
        jobs.enqueue("send_email", email_id)


def _forget_owed(session: Session, _previous=None) -> None:
    session.info.pop(OWED, None)


sa_event.listen(Session, "after_flush", _note_owed)
sa_event.listen(Session, "after_commit", _queue_owed)
sa_event.listen(Session, "after_soft_rollback", _forget_owed)
