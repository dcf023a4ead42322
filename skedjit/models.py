"""Database models."""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import Boolean
from sqlalchemy import CheckConstraint
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy import case
from sqlalchemy import false
from sqlalchemy import literal
from sqlalchemy import null
from sqlalchemy import true
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.types import TypeDecorator

from .extensions import db
from .timezones import has_passed


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


#: Hours before the start friends may be reminded, the owner's choice (None: off), and
#: what the create form offers first.
REMIND_CHOICES = (168, 24, 2)
DEFAULT_REMIND_HOURS = 24


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a UTC instant")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: What an event with a minimum going becomes at its decision time (see quorum/).
DECISIONS = ("on", "off")
#: The states of a date poll (polls/): friends vote, the owner closed voting, an option
#: became the event's time. While it is open or closed, the date is not decided.
POLL_STATES = ("open", "closed", "picked")
UNDECIDED = ("open", "closed")


class Event(db.Model):
    """An event shared by its link."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("min_going >= 1", name="min_going"),
        CheckConstraint(f"decision IN {DECISIONS}", name="decision"),
        CheckConstraint(f"poll IN {POLL_STATES}", name="poll"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The six characters of the event's link, /events/<slug>.
    slug: Mapped[str] = mapped_column(String(6), unique=True)
    title: Mapped[str] = mapped_column(String(120))
    #: When it starts, as a UTC instant; shown in `timezone`. While its date is polled,
    #: the last option's start (and `ends_at` that option's end): the poll lasts until
    #: then, and is deleted when such an event would be.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When it ends (after `starts_at`), or None when no end was given.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: IANA zone name the event's times are given in.
    timezone: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    #: Link previews (Open Graph) say only "you're invited", no details.
    hide_preview: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    password_hash: Mapped[str] = mapped_column(String(60))
    #: Most people going, extra guests included; None: no limit.
    capacity: Mapped[int | None] = mapped_column()
    #: Answers are taken until then (a UTC instant), if set.
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The owner closed answers by hand.
    rsvps_closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Friends see only the counts, not who answered.
    guest_list_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: Bumped by every change to the answers (the event's `version` follows its details).
    answers_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Bumped when the password changes; owner access granted earlier lapses.
    password_version: Mapped[int] = mapped_column(default=1)
    #: Bumped when the owner revokes the co-host links: the access they gave lapses.
    hosts_version: Mapped[int] = mapped_column(default=0, server_default="0")
    #: SHA-256 of the one owner recovery link out (see recovery.py), and when it lapses.
    recovery_hash: Mapped[str | None] = mapped_column(String(64))
    recovery_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: SHA-256 of the nonce of the create form that made it: the same form sent again
    #: leads here instead of making a second event.
    create_nonce_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: Where the owner's receipt went (given on the create form); used for nothing else.
    owner_email: Mapped[str | None] = mapped_column(String(254))
    #: Invitation emails sent since `invites_counted_since` (see invites/service.py).
    invites_counted: Mapped[int] = mapped_column(default=0, server_default="0")
    invites_counted_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Friends are reminded this many hours before the start (REMIND_CHOICES); None: never.
    remind_hours: Mapped[int | None] = mapped_column()
    #: When the reminder is due; None once a worker took it, or when there is none to send.
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: The language its emails and calendar files are written in (i18n.LANGUAGES): the
    #: owner's page language when it was made.
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    #: The site's address the event was made at (links.site_url): the worker's links
    #: in reminders start with it.
    site_url: Mapped[str | None] = mapped_column(String(255))
    #: It's on if at least this many people are going (extra guests included) at
    #: `decide_at`, a UTC instant before the start; None: no minimum (see quorum/).
    min_going: Mapped[int | None] = mapped_column()
    decide_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: "on" or "off" once decided (at `decide_at`, or earlier by the owner), and when.
    decision: Mapped[str | None] = mapped_column(String(3))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Its date poll's state (POLL_STATES), or None: it was made with its date.
    poll: Mapped[str | None] = mapped_column(String(6))
    #: Voting ends then (a UTC instant), if the owner set it; the best option is picked
    #: then if `poll_auto_pick`. Voters are reminded at `poll_remind_at`, a day before.
    poll_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    poll_auto_pick: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    poll_remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: Bumped by every change made through the ORM (change() and the password); guards
    #: against lost updates, and is the calendar's SEQUENCE plus one.
    version: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When the event's details last changed (the calendar's LAST-MODIFIED): set by
    #: change() only. Answers and bookkeeping (lockout, allowance) leave it as it is.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    def change(self, **details) -> None:
        """Change the event's details: its version and `updated_at` move with them."""
        for name, value in details.items():
            setattr(self, name, value)
        self.updated_at = utcnow()
        self.schedule_reminder()

    def schedule_reminder(self, now: datetime | None = None) -> None:
        """Set when friends are reminded: that time if it is still to come; a reminder
        not yet sent keeps waiting (it goes late, if the event has not started). A
        reminder already sent is not sent again unless the start moved past it. A called-off
        event, or one whose date is not decided, has nothing to remind of."""
        wanted = self.remind_hours and self.decision != "off" and self.poll not in UNDECIDED
        due = self.starts_at - timedelta(hours=self.remind_hours) if wanted else None
        if due is None or due > (now or utcnow()):
            self.remind_at = due
        elif self.id is not None:  # decided in the UPDATE, against a worker's claim
            waiting = type(self).__table__.c.remind_at.is_not(None)
            self.remind_at = case((waiting, literal(due, UTCDateTime())), else_=null())

    def answers_open(self, now: datetime | None = None) -> bool:
        """Tell whether friends may still answer (never once it is called off)."""
        return answers_open(
            self.rsvps_closed,
            self.rsvp_deadline,
            self.starts_at,
            self.ends_at,
            now or utcnow(),
            self.decision,
            self.poll,
        )

    @property
    def date_undecided(self) -> bool:
        """Its date is still polled: friends vote on options rather than answer."""
        return self.poll in UNDECIDED

    def voting_open(self, now: datetime | None = None) -> bool:
        """Tell whether friends may vote on its dates now."""
        return voting_open(
            self.poll, self.poll_closes_at, self.starts_at, self.ends_at, now or utcnow()
        )

    def has_passed(self, now: datetime | None = None) -> bool:
        return has_passed(self.starts_at, self.ends_at, now or utcnow())

    def __repr__(self) -> str:
        return f"<Event {self.slug} {self.title!r}>"


class EventChange(db.Model):
    """One edit that moved the event's time (its start, end or zone) or its place: what
    they were before it and after (see changes.py). It goes with the event."""

    __tablename__ = "event_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    starts_before: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    zone_before: Mapped[str] = mapped_column(String(64))
    place_before: Mapped[str] = mapped_column(String(200))
    starts_after: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    zone_after: Mapped[str] = mapped_column(String(64))
    place_after: Mapped[str] = mapped_column(String(200))


class CohostLink(db.Model):
    """A secret link that gives whoever opens it owner access, but not the password (see
    cohosts.py). Only its SHA-256 is kept."""

    __tablename__ = "cohost_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Tombstone(db.Model):
    """What calendars need to hear that a deleted event is cancelled, kept 30 days."""

    __tablename__ = "tombstones"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(6), unique=True)
    #: The calendar UID the event had, so subscribed calendars match it.
    uid: Mapped[str] = mapped_column(String(255))
    #: One more than the event's last calendar SEQUENCE.
    sequence: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    def __repr__(self) -> str:
        return f"<Tombstone {self.slug} {self.title!r}>"


class Invitee(db.Model):
    """An address that hears about the event by email: one the owner invited, or a
    friend's own, given with their answer (see invites/reminders.py)."""

    __tablename__ = "invitees"
    __table_args__ = (UniqueConstraint("event_id", "address_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: The address as checked, e.g. Ana@example.org.
    address: Mapped[str] = mapped_column(String(254))
    #: The address in lower case: one invitee per address, however it is typed.
    address_key: Mapped[str] = mapped_column(String(254))
    #: When it was last sent an invitation, or when a friend gave it.
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: The owner invited it (it is on the invite list). A friend's own address is not,
    #: and is emailed only once it is confirmed.
    invited: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    #: When its owner confirmed the emails asked for with `rsvp`'s answer.
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The answer given with this address ("Email me a reminder and any change").
    rsvp_id: Mapped[int | None] = mapped_column(
        ForeignKey("rsvps.id", ondelete="SET NULL"), index=True
    )
    #: The invitee asked for no more emails about the event.
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<Invitee {self.address!r}>"


class PasswordGuesses(db.Model):
    """Password attempts on one event from one client address, or from all ("*").

    See lockout.py. The address is kept only as a keyed hash.
    """

    __tablename__ = "password_guesses"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: Attempts counted since `since` and not yet cleared by the right password.
    attempts: Mapped[int] = mapped_column(default=0)
    since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: No password from the address is checked before then, if set.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


EMAIL_STATES = ("queued", "sending", "retrying", "sent", "failed")


class Email(db.Model):
    """One email owed, and how sending it goes (see outbox.py).

    It is added in the same transaction as the change it tells of; the queue carries only
    its id. The message is kept until it is sent.
    """

    __tablename__ = "emails"
    __table_args__ = (
        CheckConstraint(f"state IN {EMAIL_STATES}", name="state"),
        Index("ix_emails_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: invitation, change, cancellation, called_off, reminder, confirmation, receipt or
    #: recovery.
    kind: Mapped[str] = mapped_column(String(20))
    #: The event it is about (none for a cancellation: the event is gone).
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    invitee_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitees.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str] = mapped_column(String(254))
    #: The whole message as it goes over SMTP; dropped once it is sent.
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    #: The mail server's last reply when it did not take the message, as a sentence.
    last_reply: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: When it may be tried next (queued, retrying), or when a worker took it (sending).
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MailDay(db.Model):
    """Emails this instance sent on one UTC day (see mail_limits.py)."""

    __tablename__ = "mail_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    sent: Mapped[int] = mapped_column(default=0)


#: The longest an event may last: longer is refused (it also bounds the calendar's work).
LONGEST_EVENT = timedelta(days=366)
RESPONSES = ("yes", "maybe", "no")
#: The answer of a friend who would go but found the event full: their turn is kept.
WAITING = "wait"
#: The answer of a friend who voted on the dates of a poll: the pick gives them one of
#: RESPONSES (or WAITING) from their vote on the option picked.
VOTED = "vote"


def headcount(response: str, guests: int) -> int:
    """People an answer brings: the friend and their extra people, when going.

    answers.service.going_headcount() says the same in SQL.
    """
    return 1 + guests if response == "yes" else 0


def in_waitlist_order(answers):
    """The waiting answers among these, first come first: the order places are offered in."""
    waiting = [answer for answer in answers if answer.response == WAITING]
    return sorted(waiting, key=lambda answer: (answer.waiting_since, answer.id))


def waitlist_positions(answers) -> dict[int, int]:
    """Each waiting answer's place in the waitlist by answer id: 1 is the next to go."""
    return {answer.id: number for number, answer in enumerate(in_waitlist_order(answers), 1)}


def minimum_within(min_going: int | None, capacity: int | None) -> bool:
    """A minimum going the capacity lets the event reach (either may be unset)."""
    return min_going is None or capacity is None or min_going <= capacity


def answers_open(
    closed: bool,
    deadline: datetime | None,
    starts_at: datetime,
    ends_at: datetime | None,
    now: datetime,
    decision: str | None = None,
    poll: str | None = None,
) -> bool:
    """Answers are taken unless the owner closed them, the deadline has come, the event
    has passed, it is called off or its date is still polled (friends vote instead)."""
    before_deadline = deadline is None or now < deadline
    return (
        decision != "off"
        and poll not in UNDECIDED
        and not closed
        and before_deadline
        and not has_passed(starts_at, ends_at, now)
    )


class Rsvp(db.Model):
    """A friend's answer: going, maybe, can't go, waiting for a place, or voted on the
    dates of a poll."""

    __tablename__ = "rsvps"
    __table_args__ = (
        CheckConstraint("response IN ('yes', 'maybe', 'no', 'wait', 'vote')", name="response"),
        CheckConstraint("guests BETWEEN 0 AND 10", name="guests"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    response: Mapped[str] = mapped_column(String(5))
    #: Extra people the friend brings along.
    guests: Mapped[int] = mapped_column(default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    #: SHA-256 of the secret that lets its browser (or its link) change the answer.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: When the friend joined the waitlist: the first waiting moves up first.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a freed place moved them from the waitlist to going, until they answer again.
    promoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def headcount(self) -> int:
        """People this answer brings when going."""
        return headcount(self.response, self.guests)

    def __repr__(self) -> str:
        return f"<Rsvp {self.name!r} {self.response}>"


#: The most things one bring list holds, and the most of one thing (bring_list/).
MOST_ITEMS = 50
MOST_OF_ONE = 99


class BringItem(db.Model):
    """Something the owner asks friends to bring, and how many of it (see bring_list/)."""

    __tablename__ = "bring_items"
    __table_args__ = (CheckConstraint("quantity BETWEEN 1 AND 99", name="quantity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    #: What to bring, as the owner typed it: "bottles of wine".
    text: Mapped[str] = mapped_column(String(120))
    #: How many are needed: 1 when the owner gave no number.
    quantity: Mapped[int] = mapped_column(default=1)
    #: Where it stands on the list (the order it was added in).
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class BringClaim(db.Model):
    """How many of an item one friend's answer brings. It goes with the answer."""

    __tablename__ = "bring_claims"
    __table_args__ = (
        UniqueConstraint("item_id", "rsvp_id"),
        CheckConstraint("quantity >= 1", name="quantity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("bring_items.id", ondelete="CASCADE"))
    rsvp_id: Mapped[int] = mapped_column(ForeignKey("rsvps.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(default=1)


def voting_open(
    poll: str | None,
    closes_at: datetime | None,
    starts_at: datetime,
    ends_at: datetime | None,
    now: datetime,
) -> bool:
    """Votes are taken while the poll is open, before its closing time, until its last
    option has passed (`starts_at` and `ends_at` are that option's while it is polled)."""
    return (
        poll == "open"
        and (closes_at is None or now < closes_at)
        and not has_passed(starts_at, ends_at, now)
    )


#: A vote on one option: the keys are data; polls/ says them.
CHOICES = ("yes", "maybe", "no")


class PollOption(db.Model):
    """A date and time friends vote on, with an optional end, in the event's zone."""

    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PollVote(db.Model):
    """One voter's yes, if need be ('maybe') or no on one option. It goes with either."""

    __tablename__ = "poll_votes"
    __table_args__ = (CheckConstraint(f"choice IN {CHOICES}", name="choice"),)

    option_id: Mapped[int] = mapped_column(
        ForeignKey("poll_options.id", ondelete="CASCADE"), primary_key=True
    )
    rsvp_id: Mapped[int] = mapped_column(
        ForeignKey("rsvps.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    choice: Mapped[str] = mapped_column(String(5))
