"""Thin views for answering an event and for the owner's answer settings."""

from flask import Blueprint
from flask import Response
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext

from .. import changes
from .. import cohosts
from .. import event_page
from .. import rate_limits
from ..answers import service
from ..answers.export import answers_csv
from ..answers.forms import AnswerSettingsForm
from ..answers.forms import RsvpForm
from ..answers.forms import form_response
from ..answers.forms import response_label
from ..answers.tokens import answer_token
from ..answers.tokens import forget_answer
from ..answers.tokens import remember_answer
from ..calendar import attachment_disposition
from ..extensions import csrf
from ..forms import PasswordForm
from ..guards import authorize
from ..guards import get_event_or_404
from ..guards import require_owner_access
from ..invites import reminders
from ..invites.emails import read_still_coming_token
from ..invites.emails import still_coming_token_fits
from ..models import Event
from ..models import Rsvp
from ..models import waitlist_positions
from ..owner_access import has_owner_access
from ..owner_access import is_cohost
from ..quorum.forms import MinimumForm
from ..quorum.forms import minimum_data
from ..refusals import check_form
from ..refusals import showing_again
from ..timezones import format_span
from ..timezones import to_local

bp = Blueprint("rsvps", __name__)
bp.add_app_template_global(response_label)


@bp.post("/events/<slug:slug>/rsvp")
@csrf.exempt  # anonymous, and guarded by cross_origin.py: the page carries no token
@rate_limits.rsvps
def answer(slug: str):
    event = get_event_or_404(slug)
    form = RsvpForm()
    token = form.token.data or answer_token(slug)
    with showing_again(event_page.answer_page, form, slug=slug):
        check_form(form)
        rsvp, token, told = service.answer(
            event, form.answer_fields(), token, email=form.reminder_address()
        )
    flash(gettext("Thanks, %(name)s! Your answer is saved.", name=rsvp.name))
    if told:
        flash(told)
    flash(url_for(".change", slug=slug, token=token, _external=True), "change-link")
    return remember_answer(redirect(url_for("events.view", slug=slug), 303), slug, token)


@bp.get("/events/<slug:slug>/rsvp/<token>")
def change(slug: str, token: str):
    event = get_event_or_404(slug)
    if event.date_undecided:  # the voter's link: their votes until the date is picked
        return redirect(url_for("polls.change", slug=slug, token=token), 303)
    rsvp = service.find_rsvp(event.id, token)
    if rsvp is None:
        abort(404)
    address = reminders.address_for(rsvp.id)
    form = RsvpForm(obj=rsvp, token=token, remind=address is not None, email=address)
    form.response.data = form_response(rsvp.response)
    return render_template(
        "rsvps/change.html",
        event=event,
        form=form,
        rsvp=rsvp,
        answers_open=event.answers_open(),
        passed=event.has_passed(),
        still_coming=changes.choices(rsvp.response)
        if changes.asks_again(rsvp.response, rsvp.updated_at, changes.of_event(event.id))
        else (),
        waiting=waitlist_positions(service.waitlist(event.id)).get(rsvp.id),
    )


def _asked_or_404(slug: str, token: str) -> tuple[Event, Rsvp, str]:
    """The event, the answer a "Still coming?" link is for, and the response it gives."""
    event = get_event_or_404(slug)
    rsvp_id, response, made = read_still_coming_token(token) or (None, None, None)
    rsvp = service.answer_of(event.id, rsvp_id) if rsvp_id is not None else None
    if rsvp is None or not still_coming_token_fits(rsvp, made):
        abort(404)
    return event, rsvp, response


@bp.get("/events/<slug:slug>/still-coming/<token>")
def still_coming_form(slug: str, token: str):
    """What the email's link will do, and a button that does it: a mail scanner that
    follows the link changes nothing."""
    event, rsvp, response = _asked_or_404(slug, token)
    return render_template(
        "rsvps/still_coming.html",
        event=event,
        rsvp=rsvp,
        label=dict(changes.choices(rsvp.response))[response],
        when=format_span(event.starts_at, event.ends_at, event.timezone),
        answers_open=event.answers_open(),
        token=token,
    )


@bp.post("/events/<slug:slug>/still-coming/<token>")
@rate_limits.rsvps
def still_coming(slug: str, token: str):
    event, rsvp, response = _asked_or_404(slug, token)
    rsvp = service.say_again(event, rsvp.id, response)
    if rsvp is None:
        abort(404)  # removed by a request in between
    flash(gettext("Thanks, %(name)s! Your answer is saved.", name=rsvp.name))
    return redirect(url_for("events.view", slug=slug), 303)


@bp.post("/events/<slug:slug>/rsvp/withdraw")
@csrf.exempt  # as answer()
@rate_limits.rsvps
def withdraw(slug: str):
    event = get_event_or_404(slug)
    if not service.withdraw(event, request.form.get("token") or answer_token(slug)):
        abort(404)
    flash(gettext("Your answer is withdrawn."))
    return forget_answer(redirect(url_for("events.view", slug=slug), 303), slug)


def _settings_data(event: Event) -> dict:
    deadline = to_local(event.rsvp_deadline, event.timezone) if event.rsvp_deadline else None
    return {
        "capacity": event.capacity,
        "deadline_date": deadline.date() if deadline else None,
        "deadline_time": deadline.time() if deadline else None,
        "rsvps_closed": event.rsvps_closed,
        "guest_list_hidden": event.guest_list_hidden,
    }


def answers_page(
    form, event: Event, settings=None, refusal=None, minimum=None, minimum_refusal=None
) -> str:
    """The owner's answers page; `form` is the password form or the settings form posted,
    `minimum` the minimum going's form (quorum.py)."""
    owner = has_owner_access(event)
    unlock = form if isinstance(form, PasswordForm) else PasswordForm()
    if settings is None:
        settings = form if isinstance(form, AnswerSettingsForm) else None
    rsvps = service.list_rsvps(event.id) if owner else []
    moves = changes.of_event(event.id) if owner else ()
    return render_template(
        "rsvps/manage.html",
        event=event,
        form=settings or AnswerSettingsForm(data=_settings_data(event)),
        unlock=unlock,
        owner=owner,
        rsvps=rsvps,
        changes=changes.history(moves),
        asked_again=changes.asked_again(rsvps, moves),
        waiting=waitlist_positions(rsvps),
        cohost_links=cohosts.active_links(event.id) if owner and not is_cohost(event) else None,
        refusal=refusal,
        minimum=minimum or MinimumForm(data=minimum_data(event)),
        minimum_refusal=minimum_refusal,
    )


@bp.get("/events/<slug:slug>/answers")
def manage(slug: str):
    return answers_page(PasswordForm(), get_event_or_404(slug))


@bp.get("/events/<slug:slug>/answers.csv")
def export(slug: str):
    event = get_event_or_404(slug)
    require_owner_access(event)
    headers = {
        "Content-Disposition": attachment_disposition(event.title, ".csv"),
        "Cache-Control": "no-store",  # friends' names and notes: kept by no cache
    }
    csv = answers_csv(event, service.list_rsvps(event.id))
    return Response(csv, headers=headers, content_type="text/csv; charset=utf-8")


@bp.post("/events/<slug:slug>/answers/unlock")
def unlock(slug: str):
    event = get_event_or_404(slug)
    form = PasswordForm()
    with showing_again(answers_page, form, event=event):
        authorize(event, form)
    return redirect(url_for(".manage", slug=slug), 303)


@bp.post("/events/<slug:slug>/answers")
def save_settings(slug: str):
    event = get_event_or_404(slug)
    require_owner_access(event)
    form = AnswerSettingsForm()
    with showing_again(answers_page, form, event=event):
        check_form(form)
        service.update_settings(event, form.settings(event.timezone))
    flash(gettext("Your answer settings are saved."))
    return redirect(url_for("events.view", slug=slug), 303)


# An id past the databases' 64-bit integers names no answer: 404, not an overflow.
@bp.post("/events/<slug:slug>/answers/<int(max=9223372036854775807):rsvp_id>/remove")
def remove(slug: str, rsvp_id: int):
    event = get_event_or_404(slug)
    require_owner_access(event)
    if not service.remove(event, rsvp_id):
        abort(404)
    flash(gettext("The answer is removed."))
    return redirect(url_for(".manage", slug=slug), 303)
