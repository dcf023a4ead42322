"""Thin views for inviting friends by email and for leaving an event's emails."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext as _

from .. import outbox
from ..extensions import csrf
from ..guards import authorize
from ..guards import get_event_or_404
from ..guards import require_owner_access
from ..mail import mail_enabled
from ..models import Event
from ..owner_access import has_owner_access
from ..refusals import showing_again
from ..timezones import format_day
from ..timezones import to_local
from . import notices
from . import reminders
from . import service
from .emails import read_confirmation_token
from .emails import read_unsubscribe_token
from .forms import PER_REQUEST
from .forms import InviteForm

bp = Blueprint("invites", __name__)


@bp.before_request
def email_is_on():
    """Without a mail server there is nothing here."""
    if not mail_enabled():
        abort(404)


def invite_page(form: InviteForm, event: Event, refusal=None) -> str:
    owner = has_owner_access(event)
    invitees = service.list_invitees(event.id) if owner else []
    return render_template(
        "invites/invite.html",
        event=event,
        form=form,
        owner=owner,
        invitees=invitees,
        emails=service.last_emails(event.id) if owner else {},
        invited_on={i.id: format_day(to_local(i.invited_at, event.timezone)) for i in invitees},
        per_request=PER_REQUEST,
        per_day=service.PER_DAY,
        refusal=refusal,
    )


@bp.get("/events/<slug:slug>/invite")
def invite_form(slug: str):
    return invite_page(InviteForm(), get_event_or_404(slug))


@bp.post("/events/<slug:slug>/invite")
def invite(slug: str):
    event = get_event_or_404(slug)
    form = InviteForm()
    with showing_again(invite_page, form, event=event):
        authorize(event, form)
        report = notices.invite(event, form.checked, form.note.data or "")
    for sentence in report.summary():
        flash(sentence)
    return redirect(url_for(".invite_form", slug=slug), 303)


@bp.post("/events/<slug:slug>/emails/<int(max=9223372036854775807):email_id>/retry")
def retry(slug: str, email_id: int):
    event = get_event_or_404(slug)
    require_owner_access(event)
    email = service.find_email(event.id, email_id)
    if email is None:
        abort(404)
    outbox.retry(email)
    flash(_("The email to %(address)s is on its way again.", address=email.address))
    return redirect(url_for(".invite_form", slug=slug), 303)


def _invitee_or_404(slug: str, invitee_id: int | None):
    event = get_event_or_404(slug)
    invitee = service.find_invitee(event.id, invitee_id) if invitee_id is not None else None
    if invitee is None:
        abort(404)
    return event, invitee


def _confirmable_or_404(slug: str, token: str):
    """The friend's own address the token confirms, still linked to the token's answer
    (404 once the answer is gone or changed, or the address unsubscribed)."""
    invitee_id, rsvp_id = read_confirmation_token(token) or (None, None)
    event, invitee = _invitee_or_404(slug, invitee_id)
    if invitee.rsvp_id != rsvp_id or invitee.unsubscribed_at is not None:
        abort(404)
    return event, invitee


@bp.get("/events/<slug:slug>/reminders/<token>")
def confirm_form(slug: str, token: str):
    event, invitee = _confirmable_or_404(slug, token)
    return render_template("invites/confirm.html", event=event, invitee=invitee, token=token)


@bp.post("/events/<slug:slug>/reminders/<token>")
def confirm(slug: str, token: str):
    event, invitee = _confirmable_or_404(slug, token)
    if not reminders.confirm(invitee.id, invitee.rsvp_id):
        abort(404)  # changed by a request in between
    flash(
        _(
            "Confirmed: the reminder and any change will go to %(address)s.",
            address=invitee.address,
        )
    )
    return redirect(url_for("events.view", slug=slug), 303)


@bp.get("/events/<slug:slug>/unsubscribe/<token>")
def unsubscribe_form(slug: str, token: str):
    event, invitee = _invitee_or_404(slug, read_unsubscribe_token(token))
    return render_template("invites/unsubscribe.html", event=event, invitee=invitee, token=token)


@bp.post("/events/<slug:slug>/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(slug: str, token: str):
    """Stop the emails: from the page's button, or a mail app's one-click (RFC 8058).

    The signed token is what authorizes this; the page's button also carries a
    CSRF token, checked here. A mail app's one-click has none to send.
    """
    if request.form.get("List-Unsubscribe") != "One-Click":
        csrf.protect()
    event, invitee = _invitee_or_404(slug, read_unsubscribe_token(token))
    service.unsubscribe(invitee)
    return render_template("invites/unsubscribed.html", event=event, invitee=invitee)
