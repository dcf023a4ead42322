"""Thin views for answering an event and for the owner's answer settings."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import rate_limits
from ..events import page
from ..events.access import has_owner_access
from ..events.forms import PasswordForm
from ..events.routes import authorize
from ..events.routes import get_event_or_404
from ..timezones import to_local
from . import service
from .cookies import answer_token
from .cookies import forget_answer
from .cookies import remember_answer
from .forms import AnswerSettingsForm
from .forms import RsvpForm

bp = Blueprint("rsvps", __name__)

CLOSED = "Answers are closed for this event; the answers given stay visible."
FULL = "The event is full — you can still answer maybe."


@bp.post("/events/<slug:slug>/rsvp")
@rate_limits.rsvps
def answer(slug: str):
    event = get_event_or_404(slug)
    form = RsvpForm()
    token = form.token.data or answer_token(slug)
    if not form.validate():
        return page.render_answer_error(slug, form, 400)
    try:
        rsvp, token = service.answer(event, form.answer_fields(), token)
    except service.AnswersClosedError:
        return page.render_answer_error(slug, form, 409, CLOSED)
    except service.EventFullError:
        form.response.errors.append(FULL)
        return page.render_answer_error(slug, form, 409)
    flash(f"Thanks, {rsvp.name}! Your answer is saved.")
    flash(url_for(".change", slug=slug, token=token, _external=True), "change-link")
    response = redirect(url_for("events.view", slug=slug), 303)
    return remember_answer(response, slug, token)


@bp.get("/events/<slug:slug>/rsvp/<token>")
def change(slug: str, token: str):
    event = get_event_or_404(slug)
    rsvp = service.find_rsvp(event.id, token)
    if rsvp is None:
        abort(404)
    form = RsvpForm(obj=rsvp, token=token)
    return render_template("rsvps/change.html", event=event, form=form, rsvp=rsvp)


@bp.post("/events/<slug:slug>/rsvp/withdraw")
@rate_limits.rsvps
def withdraw(slug: str):
    event = get_event_or_404(slug)
    token = request.form.get("token") or answer_token(slug)
    if not service.withdraw(event, token):
        abort(404)
    flash("Your answer is withdrawn.")
    return forget_answer(redirect(url_for("events.view", slug=slug), 303), slug)


def _settings_data(event) -> dict:
    deadline = to_local(event.rsvp_deadline, event.timezone) if event.rsvp_deadline else None
    return {
        "capacity": event.capacity,
        "deadline_date": deadline.date() if deadline else None,
        "deadline_time": deadline.time() if deadline else None,
        "rsvps_closed": event.rsvps_closed,
        "guest_list_hidden": event.guest_list_hidden,
    }


def _render_answers(event, form, unlock, status=200, headers=None):
    return (
        render_template(
            "rsvps/manage.html",
            event=event,
            form=form,
            unlock=unlock,
            owner=has_owner_access(event),
            rsvps=service.list_rsvps(event.id),
        ),
        status,
        headers or {},
    )


@bp.get("/events/<slug:slug>/answers")
def manage(slug: str):
    event = get_event_or_404(slug)
    form = AnswerSettingsForm(data=_settings_data(event))
    return _render_answers(event, form, PasswordForm())


@bp.post("/events/<slug:slug>/answers/unlock")
@rate_limits.wrong_passwords
def unlock(slug: str):
    event = get_event_or_404(slug)
    password = PasswordForm()
    password.validate()
    refusal = authorize(event, password.password)
    if refusal is None:
        return redirect(url_for(".manage", slug=slug), 303)
    form = AnswerSettingsForm(data=_settings_data(event))
    return _render_answers(event, form, password, *refusal)


@bp.post("/events/<slug:slug>/answers")
def save_settings(slug: str):
    event = get_event_or_404(slug)
    if not has_owner_access(event):
        abort(403)
    form = AnswerSettingsForm()
    settings = form.settings(event.timezone) if form.validate() else None
    if settings is None:
        return _render_answers(event, form, PasswordForm(), 400)
    service.update_settings(event, settings)
    flash("Your answer settings are saved.")
    return redirect(url_for("events.view", slug=slug), 303)


@bp.post("/events/<slug:slug>/answers/<int:rsvp_id>/remove")
def remove(slug: str, rsvp_id: int):
    event = get_event_or_404(slug)
    if not has_owner_access(event):
        abort(403)
    if not service.remove(event, rsvp_id):
        abort(404)
    flash("The answer is removed.")
    return redirect(url_for(".manage", slug=slug), 303)
