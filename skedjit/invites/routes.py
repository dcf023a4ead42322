"""Thin views for inviting friends by email and for leaving an event's emails."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from .. import rate_limits
from ..events.access import has_owner_access
from ..events.routes import authorize
from ..events.routes import get_event_or_404
from ..extensions import csrf
from ..mail import mail_enabled
from ..timezones import format_day
from ..timezones import to_local
from . import notices
from . import service
from .emails import read_unsubscribe_token
from .forms import PER_REQUEST
from .forms import InviteForm

bp = Blueprint("invites", __name__)

#: Seconds after which a failed send may be tried again.
RETRY_AFTER = 60


@bp.before_request
def email_is_on():
    """Without a mail server there is nothing here."""
    if not mail_enabled():
        abort(404)


def _render(event, form: InviteForm, status: int = 200, headers=None, **context):
    owner = has_owner_access(event)
    invitees = service.list_invitees(event.id) if owner else []
    body = render_template(
        "invites/invite.html",
        event=event,
        form=form,
        owner=owner,
        invitees=invitees,
        invited_on={i.id: format_day(to_local(i.invited_at, event.timezone)) for i in invitees},
        per_request=PER_REQUEST,
        per_day=service.PER_DAY,
        **context,
    )
    return body, status, headers or {}


@bp.get("/events/<slug:slug>/invite")
def invite_form(slug: str):
    event = get_event_or_404(slug)
    form = InviteForm()
    if request.args.get("again") == "failed" and has_owner_access(event):
        form.addresses.data = "\n".join(service.failed_addresses(event.id))
    return _render(event, form)


@bp.post("/events/<slug:slug>/invite")
@rate_limits.wrong_passwords
def invite(slug: str):
    event = get_event_or_404(slug)
    form = InviteForm()
    valid = form.validate()
    refusal = authorize(event, form.password)
    if refusal is not None or not valid:
        return _render(event, form, *(refusal or (400, {})))
    try:
        report = notices.invite(event, form.checked, form.note.data or "")
    except service.AllowanceError as short:
        return _render(
            event, form, 429, {"Retry-After": str(short.seconds)}, refusal=short.sentence
        )
    if report.failed:
        form.addresses.data = "\n".join(report.failed)  # ready to send again
        return _render(event, form, 503, {"Retry-After": str(RETRY_AFTER)}, report=report)
    for sentence in report.summary("Invitation"):
        flash(sentence)
    return redirect(url_for(".invite_form", slug=slug), 303)


def _invitee_or_404(slug: str, token: str):
    event = get_event_or_404(slug)
    invitee_id = read_unsubscribe_token(token)
    invitee = service.find_invitee(event.id, invitee_id) if invitee_id is not None else None
    if invitee is None:
        abort(404)
    return event, invitee


@bp.get("/events/<slug:slug>/unsubscribe/<token>")
def unsubscribe_form(slug: str, token: str):
    event, invitee = _invitee_or_404(slug, token)
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
    event, invitee = _invitee_or_404(slug, token)
    service.unsubscribe(invitee)
    return render_template("invites/unsubscribed.html", event=event, invitee=invitee)
