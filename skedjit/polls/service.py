"""The date poll: the one place that writes options and votes, picks, and commits.

Every write takes the event's answers lock first (answers.service.lock_answers, which
bumps `answers_version`: the friend's kept page changes with it), so a vote is counted
or refused whole, never half before a pick and half after; and of two owners (or an
owner and the worker) picking at once, the second finds the date picked.

A voter is an answer whose response is VOTED, with a vote per option. The pick gives
each the response of their vote on the option picked (yes: going; if need be: maybe;
no: can't go; none, for an option added after they voted: maybe), keeping their name
and secret, so their cookie and their link lead to their answer. A capacity set before
then takes the first voters; the rest wait in the order they voted.
"""

import logging
from dataclasses import replace
from datetime import datetime
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update

from .. import mail_limits
from .. import models
from .. import outbox
from .. import tally
from ..answers.service import find_rsvp
from ..answers.service import going_headcount
from ..answers.service import lock_answers
from ..answers.service import remove_where
from ..answers.tokens import hash_token
from ..answers.tokens import new_token
from ..database import committed
from ..extensions import db
from ..invites import reminders
from ..invites.emails import Batch
from ..invites.service import reachable_invitees
from ..links import on_site
from ..mail import mail_enabled
from ..models import CHOICES
from ..models import UNDECIDED
from ..models import VOTED
from ..models import WAITING
from ..models import Event
from ..models import PollOption
from ..models import PollVote
from ..models import Rsvp
from ..models import headcount
from ..models import voting_open
from ..refusals import Refused
from ..timezones import event_end
from ..timezones import format_span
from .forms import MOST_OPTIONS

log = logging.getLogger(__name__)
EVENTS = Event.__table__
#: Most polls one run of a job takes; the next run, a minute later, takes the rest.
BATCH = 50
#: Voters are reminded this long before voting ends.
REMIND_BEFORE = timedelta(days=1)
#: The answer each vote on the option picked becomes (no vote on it: maybe).
CARRIED = {"yes": "yes", "maybe": "maybe", "no": "no", None: "maybe"}


class VotingClosedError(Refused):
    """The owner closed voting, its end has come, or its dates have passed."""

    status = 409

    def __init__(self):
        super().__init__(_("Voting on the date is closed; the votes given stay visible."))


class DatePickedError(Refused):
    """An option is picked already: the event has its date."""

    status = 409

    def __init__(self, when: str):
        super().__init__(_("The date is already picked: %(when)s.", when=when))


class UnknownOptionError(Refused):
    """A vote or a pick names an option the poll does not have (removed, or made up)."""

    def __init__(self):
        super().__init__(
            _("That date is not one of this poll's options. Reload the page and try again.")
        )


class VotesMissingError(Refused):
    """No date marked, or one marked with something but yes, if need be or no."""

    def __init__(self, any_given: bool):
        super().__init__(
            _("Mark each date yes, if need be or no.")
            if any_given
            else _("Mark at least one date: yes, if need be or no.")
        )


class OptionTakenError(Refused):
    field = "time"

    def __init__(self):
        super().__init__(_("That date and time is already an option."))


class OptionCountError(Refused):
    """Adding past the most options, or removing one of the last two."""

    status = 409


def now() -> datetime:
    """The time now (models.utcnow)."""
    return models.utcnow()  # read at each call, so that the tests' clock moves it


def list_options(event_id: int) -> tuple[tally.Option, ...]:
    """The event's options, earliest first, with their votes."""
    return tally.options_of(db.session.execute(tally.SELECT, {"event_id": event_id}))


def list_voters(event_id: int) -> list[Rsvp]:
    """The event's voters, in the order they first voted."""
    query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.response == VOTED)
    return list(db.session.scalars(query.order_by(Rsvp.created_at, Rsvp.id)))


def _locked_poll(event: Event, moment: datetime):
    """Lock the answers; the settings, refused unless votes are taken now."""
    settings = lock_answers(event.id)
    _check_voting(event, settings, moment)
    return settings


def _check_voting(event: Event, settings, moment: datetime) -> None:
    """Under the lock: refuse unless votes are taken at `moment`."""
    if settings.poll == "picked":
        raise DatePickedError(format_span(settings.starts_at, settings.ends_at, event.timezone))
    if not voting_open(
        settings.poll, settings.poll_closes_at, settings.starts_at, settings.ends_at, moment
    ):
        raise VotingClosedError


def withdraw(event: Event, token: str | None) -> bool:
    """Take back the votes the token holds, the voter with them, while voting is open;
    False when it holds none."""
    moment = now()
    which = Rsvp.token_hash == hash_token(token or "")
    return remove_where(event, which, lambda settings: _check_voting(event, settings, moment))


def vote(
    event: Event, name: str, votes: dict[int, str], token: str | None, email: str | None
) -> tuple[Rsvp, str, str | None]:
    """Add a voter, or change the votes of the one the token holds, with the address that
    hears of the pick (`email`: "" for none, None to leave it as it is); returns the voter,
    its token, and what to tell about the emails. Votes on options the poll does not have
    are UnknownOptionError, storing nothing."""
    if not votes or not set(votes.values()) <= set(CHOICES):
        raise VotesMissingError(any_given=bool(votes))
    moment = now()
    with committed():
        _locked_poll(event, moment)
        options = set(
            db.session.scalars(select(PollOption.id).where(PollOption.event_id == event.id))
        )
        if not votes.keys() <= options:
            raise UnknownOptionError
        rsvp = find_rsvp(event.id, token)
        if rsvp is None:
            token = new_token()
            rsvp = Rsvp(event_id=event.id, token_hash=hash_token(token), response=VOTED)
        rsvp.name, rsvp.updated_at = name, moment
        db.session.add(rsvp)
        db.session.flush()
        db.session.execute(delete(PollVote).where(PollVote.rsvp_id == rsvp.id))
        db.session.add_all(
            PollVote(option_id=option_id, rsvp_id=rsvp.id, choice=choice)
            for option_id, choice in votes.items()
        )
        told = reminders.follow(event, rsvp, email) if email is not None else None
    return rsvp, token, told


def add_option(event: Event, starts_at: datetime, ends_at: datetime | None) -> None:
    """Offer one more option while voting is open; refused if it is one already, or the
    poll has the most."""
    with committed():
        _locked_poll(event, now())
        options = list_options(event.id)
        if any((o.starts_at, o.ends_at) == (starts_at, ends_at) for o in options):
            raise OptionTakenError
        if len(options) >= MOST_OPTIONS:
            raise OptionCountError(
                _("A poll offers at most %(num)d dates: remove one first.", num=MOST_OPTIONS)
            )
        db.session.add(PollOption(event_id=event.id, starts_at=starts_at, ends_at=ends_at))
        db.session.flush()
        _follow_the_last(event.id)


def remove_option(event: Event, option_id: int) -> bool:
    """Take an option and its votes away while voting is open; False if there is no such
    option. The last two stay: the owner picks one instead."""
    with committed():
        _locked_poll(event, now())
        options = list_options(event.id)
        if option_id not in {option.id for option in options}:
            return False
        if len(options) <= 2:
            raise OptionCountError(_("A poll keeps at least two dates: pick one instead."))
        db.session.execute(delete(PollOption).where(PollOption.id == option_id))
        _follow_the_last(event.id)
    return True


def _follow_the_last(event_id: int) -> None:
    """Give the undecided event the last option's times (see models.Event.starts_at)."""
    options = db.session.execute(
        select(PollOption.starts_at, PollOption.ends_at).where(PollOption.event_id == event_id)
    ).all()
    starts_at, ends_at = max(options, key=lambda option: event_end(*option))
    db.session.execute(
        update(EVENTS).where(EVENTS.c.id == event_id).values(starts_at=starts_at, ends_at=ends_at)
    )


def update_settings(
    event: Event, closes_at: datetime | None, auto_pick: bool, closed: bool
) -> None:
    """Set when voting ends and whether the best option is picked then; close or reopen
    voting. Voters are reminded a day before it ends, if that is still to come."""
    moment = now()
    with committed():
        settings = lock_answers(event.id)
        if settings.poll not in UNDECIDED:
            raise DatePickedError(format_span(settings.starts_at, settings.ends_at, event.timezone))
        remind_at = closes_at - REMIND_BEFORE if closes_at else None
        db.session.execute(
            update(EVENTS)
            .where(EVENTS.c.id == event.id)
            .values(
                poll="closed" if closed else "open",
                poll_closes_at=closes_at,
                poll_auto_pick=auto_pick,
                poll_remind_at=remind_at
                if remind_at and remind_at > moment and not closed
                else None,
            )
        )


def pick(event: Event, option_id: int, notify: bool) -> list[str]:
    """Make the option the event's time and the voters' votes their answers; tell the
    invitees if asked. What to tell the owner."""
    moment = now()
    with committed():
        settings = lock_answers(event.id)
        if settings.poll == "picked":
            raise DatePickedError(format_span(settings.starts_at, settings.ends_at, event.timezone))
        option = db.session.get(PollOption, option_id) if option_id is not None else None
        if settings.poll is None or option is None or option.event_id != event.id:
            raise UnknownOptionError
        return _pick(event, settings, option, moment, in_request=True, notify=notify)


def _pick(
    event: Event, settings, option: PollOption, moment: datetime, in_request: bool, notify: bool
):
    """Under the lock: the pick, the answers carried over and the news owed."""
    db.session.refresh(event)
    event.change(
        starts_at=option.starts_at, ends_at=option.ends_at, poll="picked", poll_remind_at=None
    )
    db.session.flush()
    settings = replace(settings, poll="picked", starts_at=option.starts_at, ends_at=option.ends_at)
    _carry_over(event.id, option.id, settings.capacity, moment)
    log.info("polls: event %d picked option %d", event.id, option.id)
    return _owe_picked(event, in_request) if notify else []


def _carry_over(event_id: int, option_id: int, capacity: int | None, moment: datetime) -> None:
    """Give each voter, in the order they voted, the answer of their vote on the option:
    going while places are left, then the waitlist."""
    voters = list_voters(event_id)
    given = dict(
        db.session.execute(
            select(PollVote.rsvp_id, PollVote.choice).where(PollVote.option_id == option_id)
        ).all()
    )
    free = None if capacity is None else capacity - going_headcount(event_id)
    waiting = False
    for rsvp in voters:
        response = CARRIED[given.get(rsvp.id)]
        if response == "yes" and free is not None:
            needed = headcount("yes", rsvp.guests)
            if waiting or needed > free:  # nobody after jumps the first waiting
                response, rsvp.waiting_since, waiting = WAITING, rsvp.created_at, True
            else:
                free -= needed
        rsvp.response, rsvp.updated_at = response, moment
    db.session.flush()


def _owe_picked(event: Event, in_request: bool) -> list[str]:
    """Owe every address that may be emailed about the event the date, with its calendar
    file; what to tell the owner."""
    invitees = reachable_invitees(event.id) if mail_enabled() else []
    if not invitees:
        return []
    try:
        if in_request:
            mail_limits.reserve(len(invitees), commit=False)
        else:
            mail_limits.reserve_for_instance(len(invitees))
    except Refused as refused:
        return [
            _("The invited friends were not told the date: %(reason)s", reason=refused.sentence)
        ]
    for invitee, message in zip(invitees, Batch(event).picked(invitees), strict=True):
        outbox.owe("picked", message, event.id, invitee.id)
    count = len(invitees)
    return [
        ngettext(
            "The date is on its way to %(count)s address.",
            "The date is on its way to %(count)s addresses.",
            count,
            count=count,
        )
    ]


def _due(column, moment: datetime, *conditions):
    query = (
        select(EVENTS.c.id, EVENTS.c.site_url)
        .where(column <= moment, EVENTS.c.poll.in_(UNDECIDED), *conditions)
        .order_by(column)
        .limit(BATCH)
    )
    events = db.session.execute(query).all()
    db.session.rollback()  # end the read: each poll takes a transaction of its own
    return events


def pick_due(moment: datetime | None = None) -> int:
    """The periodic job: pick the best option of each poll whose voting has ended, where
    the owner asked for it; how many were picked here (not by another worker)."""
    moment = moment or now()
    picked = 0
    for event_id, url in _due(EVENTS.c.poll_closes_at, moment, EVENTS.c.poll_auto_pick):
        try:
            with on_site(url), committed():
                picked += _pick_when_due(event_id, moment)
        except Exception:
            log.exception("polls: event %d not picked this time", event_id)
    return picked


def _pick_when_due(event_id: int, moment: datetime) -> bool:
    settings = lock_answers(event_id)
    event = db.session.get(Event, event_id, populate_existing=True)
    due = (
        event.poll_auto_pick and event.poll_closes_at is not None and event.poll_closes_at <= moment
    )
    if settings.poll not in UNDECIDED or not due:
        return False  # picked, or changed, since it was found
    options = list_options(event_id)
    chosen = tally.best(options) or options[0]
    _pick(
        event,
        settings,
        db.session.get(PollOption, chosen.id),
        moment,
        in_request=False,
        notify=True,
    )
    return True


def remind_due(moment: datetime | None = None) -> int:
    """The periodic job: claim each poll whose voters are due a reminder, and owe it; how
    many were claimed here. The claim clears `poll_remind_at`, so it goes once."""
    moment = moment or now()
    claimed = 0
    for event_id, url in _due(EVENTS.c.poll_remind_at, moment):
        try:
            with on_site(url), committed():
                claimed += _remind(event_id, moment)
        except Exception:
            log.exception("polls: event %d not reminded this time", event_id)
    return claimed


def _remind(event_id: int, moment: datetime) -> bool:
    taken = db.session.execute(
        update(EVENTS)
        .where(EVENTS.c.id == event_id, EVENTS.c.poll_remind_at <= moment, EVENTS.c.poll == "open")
        .values(poll_remind_at=None)
    ).rowcount
    if not taken:
        return False
    event = db.session.get(Event, event_id, populate_existing=True)
    invitees = reachable_invitees(event_id)
    if invitees and mail_enabled():
        mail_limits.reserve_for_instance(len(invitees))  # refused: rolled back, tried again
        for invitee, message in zip(invitees, Batch(event).vote_reminders(invitees), strict=True):
            outbox.owe("vote_reminder", message, event_id, invitee.id)
    log.info("polls: event %d reminds %d addresses to vote", event_id, len(invitees))
    return True
