"""Thin views for the date poll: creating one, voting, and the owner's controls."""

import secrets

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from .. import event_page
from .. import rate_limits
from .. import tally
from ..answers.forms import VoteForm
from ..answers.forms import choice_label
from ..answers.service import find_rsvp
from ..answers.tokens import answer_token
from ..answers.tokens import forget_answer
from ..answers.tokens import remember_answer
from ..events import service as events
from ..extensions import csrf
from ..forms import Form
from ..forms import PasswordForm
from ..guards import authorize
from ..guards import get_event_or_404
from ..guards import require_owner_access
from ..invites import reminders
from ..models import Event
from ..owner_access import grant_owner_access
from ..owner_access import has_owner_access
from ..refusals import check_form
from ..refusals import showing_again
from ..timezones import format_span
from ..timezones import to_local
from . import service
from .forms import SHOWN_OPTIONS
from .forms import AddOptionForm
from .forms import CreatePollForm
from .forms import PickForm
from .forms import PollSettingsForm

bp = Blueprint("polls", __name__)
bp.add_app_template_global(choice_label)
bp.add_app_template_global(format_span)

# An id past the databases' 64-bit integers names no option: 404, not an overflow.
OPTION = "<int(max=9223372036854775807):option_id>"


def _of_a_poll(slug: str) -> Event:
    """The event made as a poll, its date picked or not; 404 for one made with its date."""
    event = get_event_or_404(slug)
    if event.poll is None:
        abort(404)
    return event


def _polled(slug: str) -> Event:
    """The event whose date is still polled, or 404 (an event with its date has no poll)."""
    event = get_event_or_404(slug)
    if not event.date_undecided:
        abort(404)
    return event


def create_page(form: CreatePollForm, refusal=None, fresh: bool = False) -> str:
    return render_template(
        "polls/create.html", form=form, refusal=refusal, fresh=fresh, shown=SHOWN_OPTIONS
    )


@bp.get("/create/poll")
def create_form():
    return create_page(CreatePollForm(nonce=secrets.token_urlsafe(16)), fresh=True)


@bp.post("/create/poll")
@csrf.exempt  # the form checks its own token, as events.create does
def create():
    form = CreatePollForm()
    with showing_again(create_page, form):
        check_form(form)
        rate_limits.creates.take()
        event, told = events.create_event(
            form.event_fields(), form.password.data, form.nonce.data or None, form.options
        )
    grant_owner_access(event)
    flash(gettext("Your poll is ready. Send its link to your friends to vote on the date."))
    for sentence in told:
        flash(sentence)
    return redirect(url_for("events.view", slug=event.slug), 303)


def vote_page(slug: str, form: VoteForm, refusal=None):
    """The event page, or the voter's own link's page, again with refused votes."""
    if form.token.data:
        event = get_event_or_404(slug)
        rsvp = find_rsvp(event.id, form.token.data)
        if rsvp is not None:
            return change_page(event, rsvp, form.token.data, form, refusal)
        form.token.data = None  # a link no voter holds (any more): votes as a new voter's
    event = event_page.find_event_page(slug, cached=False)
    if event is None:
        abort(404)  # pragma: no cover - deleted between the vote and its page
    return event_page.respond(event, form, refusal)


@bp.post("/events/<slug:slug>/vote")
@csrf.exempt  # anonymous, and guarded by cross_origin.py, as the answer form
@rate_limits.rsvps
def vote(slug: str):
    event = _of_a_poll(slug)
    form = VoteForm()
    with showing_again(vote_page, form, slug=slug):
        check_form(form)
        rsvp, token, told = service.vote(
            event,
            form.name.data,
            form.votes,
            form.token.data or answer_token(slug),
            form.reminder_address(),
        )
    flash(gettext("Thanks, %(name)s! Your votes are saved.", name=rsvp.name))
    if told:
        flash(told)
    flash(url_for("rsvps.change", slug=slug, token=token, _external=True), "change-link")
    return remember_answer(redirect(url_for("events.view", slug=slug), 303), slug, token)


@bp.post("/events/<slug:slug>/vote/withdraw")
@csrf.exempt  # as vote()
@rate_limits.rsvps
def withdraw(slug: str):
    event = _of_a_poll(slug)
    if not service.withdraw(event, request.form.get("token") or answer_token(slug)):
        abort(404)
    flash(gettext("Your votes are withdrawn."))
    return forget_answer(redirect(url_for("events.view", slug=slug), 303), slug)


def change_page(event: Event, rsvp, token: str, form: VoteForm | None = None, refusal=None):
    if rsvp is None:
        abort(404)
    if form is None:
        address = reminders.address_for(rsvp.id)
        options = service.list_options(event.id)
        votes = {o.id: o.choice_of(rsvp.id) for o in options if o.choice_of(rsvp.id)}
        form = VoteForm(
            data={
                "name": rsvp.name,
                "token": token,
                "remind": address is not None,
                "email": address,
            },
            votes=votes,
        )
    return render_template(
        "polls/change.html",
        event=event,
        rsvp=rsvp,
        form=form,
        options=service.list_options(event.id),
        voting_open=event.voting_open(),
        refusal=refusal,
    )


@bp.get("/events/<slug:slug>/vote/<token>")
def change(slug: str, token: str):
    """A voter's own link: their votes to change; once the date is picked, their answer."""
    event = get_event_or_404(slug)
    if not event.date_undecided:
        return redirect(url_for("rsvps.change", slug=slug, token=token), 303)
    return change_page(event, find_rsvp(event.id, token), token)


def _settings_data(event: Event) -> dict:
    closes = to_local(event.poll_closes_at, event.timezone) if event.poll_closes_at else None
    return {
        "closes_date": closes.date() if closes else None,
        "closes_time": closes.time() if closes else None,
        "auto_pick": event.poll_auto_pick,
        "closed": event.poll == "closed",
    }


def manage_page(form=None, event: Event = None, refusal=None) -> str:
    """The owner's poll page: each option with its votes, picking one, adding and removing
    options, and when voting ends. `form` is whichever of its forms was posted."""
    owner = has_owner_access(event)
    forms = {
        "unlock": PasswordForm(formdata=None),
        "pick": PickForm(formdata=None),
        "settings": PollSettingsForm(formdata=None, data=_settings_data(event)),
        "add": AddOptionForm(formdata=None),
    }
    for name, shown in forms.items():
        if type(form) is type(shown):
            forms[name] = form
    options = service.list_options(event.id) if owner else ()
    voters = service.list_voters(event.id) if owner else []
    return render_template(
        "polls/manage.html",
        event=event,
        owner=owner,
        options=options,
        best=tally.best(options),
        names={voter.id: voter.name for voter in voters},
        refusal=refusal,
        voting_open=event.voting_open(),
        **forms,
    )


@bp.get("/events/<slug:slug>/poll")
def manage(slug: str):
    return manage_page(event=_polled(slug))


@bp.post("/events/<slug:slug>/poll/unlock")
@csrf.exempt  # the form checks its own token: a stale one shows it again
def unlock(slug: str):
    event = _polled(slug)
    form = PasswordForm()
    with showing_again(manage_page, form, event=event):
        authorize(event, form)
    return redirect(url_for(".manage", slug=slug), 303)


@bp.post("/events/<slug:slug>/poll/pick")
@csrf.exempt  # the form checks its own token: a stale one shows it again
def pick(slug: str):
    event = _of_a_poll(slug)  # picked already: a 409 that says what was picked
    form = PickForm()
    with showing_again(manage_page, form, event=event):
        authorize(event, form)
        told = service.pick(event, form.option_id(), notify=form.notify.data)
    flash(gettext("The date is picked. Friends who voted now have their answers."))
    for sentence in told:
        flash(sentence)
    return redirect(url_for("events.view", slug=slug), 303)


@bp.post("/events/<slug:slug>/poll/settings")
@csrf.exempt  # the form checks its own token: a stale one shows it again
def save_settings(slug: str):
    event = _polled(slug)
    require_owner_access(event)
    form = PollSettingsForm()
    with showing_again(manage_page, form, event=event):
        check_form(form)
        service.update_settings(event, **form.settings(event.timezone))
    flash(gettext("Your poll settings are saved."))
    return redirect(url_for(".manage", slug=slug), 303)


@bp.post("/events/<slug:slug>/poll/options")
@csrf.exempt  # the form checks its own token: a stale one shows it again
def add_option(slug: str):
    event = _polled(slug)
    require_owner_access(event)
    form = AddOptionForm()
    with showing_again(manage_page, form, event=event):
        service.add_option(event, *form.option(event.timezone))
    flash(gettext("The date is added to the poll."))
    return redirect(url_for(".manage", slug=slug), 303)


@bp.route(f"/events/<slug:slug>/poll/options/{OPTION}/remove", methods=["GET", "POST"])
@csrf.exempt  # as add_option(): its POST checks its own token
def remove_option(slug: str, option_id: int):
    """GET: who voted on it, and a button, since removing it takes their votes away.
    POST: remove it (one with votes only once that page was seen)."""
    event = _polled(slug)
    require_owner_access(event)
    option = next((o for o in service.list_options(event.id) if o.id == option_id), None)
    if option is None:
        abort(404)
    if request.method == "GET" or (option.votes and not request.form.get("confirm")):
        names = {voter.id: voter.name for voter in service.list_voters(event.id)}
        return render_template("polls/remove.html", event=event, option=option, names=names)
    form = Form()  # its token: an owner form
    with showing_again(manage_page, form, event=event):
        check_form(form)
        if not service.remove_option(event, option_id):
            abort(404)  # pragma: no cover - removed by a request in between
    flash(gettext("The date is removed from the poll, with its votes."))
    return redirect(url_for(".manage", slug=slug), 303)
