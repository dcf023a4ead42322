"""Thin views for asking for a recovery link and for setting a new password with it."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext as _

from ..guards import get_event_or_404
from ..mail import mail_enabled
from ..models import Event
from ..owner_access import grant_owner_access
from ..refusals import check_form
from ..refusals import showing_again
from . import service
from .forms import AskForLinkForm
from .forms import NewPasswordForm

bp = Blueprint("recovery", __name__)


@bp.before_request
def email_is_on():
    """Without a mail server there is no link to send."""
    if not mail_enabled():
        abort(404)


def ask_page(form: AskForLinkForm, event: Event, refusal=None) -> str:
    return render_template("recovery/ask.html", form=form, event=event, refusal=refusal)


@bp.get("/events/<slug:slug>/forgot")
def ask_form(slug: str):
    return ask_page(AskForLinkForm(), get_event_or_404(slug))


@bp.post("/events/<slug:slug>/forgot")
def ask(slug: str):
    event = get_event_or_404(slug)
    form = AskForLinkForm()
    with showing_again(ask_page, form, event=event):
        check_form(form)
        service.send_link(event)
    flash(
        _(
            "If an email address was given when this event was created, a link to set a new "
            "password is on its way to it. It works once, for an hour."
        )
    )
    return redirect(url_for(".ask_form", slug=slug), 303)


def new_password_page(form: NewPasswordForm, event: Event, token: str, refusal=None) -> str:
    return render_template(
        "recovery/new_password.html", form=form, event=event, token=token, refusal=refusal
    )


@bp.get("/events/<slug:slug>/recover/<token>")
def new_password_form(slug: str, token: str):
    event = get_event_or_404(slug)
    service.check_link(event, token)
    return new_password_page(NewPasswordForm(), event, token)


@bp.post("/events/<slug:slug>/recover/<token>")
def new_password(slug: str, token: str):
    event = get_event_or_404(slug)
    form = NewPasswordForm()
    with showing_again(new_password_page, form, event=event, token=token):
        check_form(form)
        service.set_new_password(event, token, form.new_password.data)
    grant_owner_access(event)
    flash(_("Your new password is saved. This browser may change the event for 12 hours."))
    return redirect(url_for("events.view", slug=slug), 303)
