"""Thin views for creating, viewing, editing and deleting events."""

import secrets

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext

from .. import event_page
from .. import rate_limits
from ..extensions import csrf
from ..guards import authorize
from ..guards import get_event_or_404
from ..guards import refuse_cohost
from ..invites.notices import invitee_count
from ..models import Event
from ..owner_access import drop_owner_access
from ..owner_access import grant_owner_access
from ..owner_access import has_owner_access
from ..owner_access import is_cohost
from ..refusals import check_form
from ..refusals import showing_again
from ..timezones import format_when
from ..timezones import to_local
from . import service
from .forms import CreateEventForm
from .forms import DeleteEventForm
from .forms import EditEventForm
from .forms import EditPollForm
from .forms import remind_value

bp = Blueprint("events", __name__, cli_group=None)


def event_form_data(event: Event) -> dict:
    """The event's values as its form shows them, in the event's own zone."""
    local = to_local(event.starts_at, event.timezone)
    end = to_local(event.ends_at, event.timezone) if event.ends_at else None
    return {
        "version": event.version,
        "title": event.title,
        "date": local.date(),
        "time": local.time(),
        "end_date": end.date() if end else None,
        "end_time": end.time() if end else None,
        "timezone": event.timezone,
        "location": event.location,
        "description": event.description,
        "hide_preview": event.hide_preview,
        "remind": remind_value(event.remind_hours),
        "language": event.language,
    }


def flash_all(sentences: list[str]) -> None:
    for sentence in sentences:
        flash(sentence)


@bp.get("/")
def index():
    return render_template("index.html")


def create_page(form: CreateEventForm, refusal=None, fresh: bool = False) -> str:
    return render_template("events/create.html", form=form, refusal=refusal, fresh=fresh)


@bp.get("/create")
def create_form():
    return create_page(CreateEventForm(nonce=secrets.token_urlsafe(16)), fresh=True)


@bp.post("/create")
@csrf.exempt  # the form checks its own token: a stale one shows it again (FormExpired)
def create():
    form = CreateEventForm()
    with showing_again(create_page, form):
        check_form(form)
        rate_limits.creates.take()
        event, told = service.create_event(
            form.event_fields(), form.password.data, form.nonce.data or None
        )
    grant_owner_access(event)
    flash_all([gettext("Your event is ready. Send its link to your friends."), *told])
    return redirect(url_for(".view", slug=event.slug), 303)


@bp.get("/events/<slug:slug>")
def view(slug: str):
    return event_page.serve(slug)


def edit_page(form: EditEventForm, event: Event, refusal=None) -> str:
    conflict = None
    if isinstance(refusal, service.EditConflictError):
        # Show what the event says now; saving again replaces it, knowingly.
        form.version.data = event.version
        when = (
            gettext("Date not decided yet")
            if event.date_undecided
            else format_when(event.starts_at, event.timezone)
        )
        conflict = event_form_data(event) | {"when": when}
    owner = has_owner_access(event)
    return render_template(
        "events/edit.html",
        form=form,
        event=event,
        owner=owner,
        cohost=is_cohost(event),
        invitees=invitee_count(event) if owner else None,  # how many: the owner's to know
        conflict=conflict,
        refusal=refusal,
    )


def edit_form_of(event: Event) -> type[EditEventForm]:
    """The edit form for the event: without its times while its date is polled."""
    return EditPollForm if event.date_undecided else EditEventForm


@bp.get("/events/<slug:slug>/edit")
def edit_form(slug: str):
    event = get_event_or_404(slug)
    return edit_page(edit_form_of(event)(data=event_form_data(event)), event)


@bp.post("/events/<slug:slug>/edit")
@csrf.exempt  # as create()
def edit(slug: str):
    event = get_event_or_404(slug)
    form = edit_form_of(event)()
    with showing_again(edit_page, form, event=event):
        authorize(event, form)
        if form.new_password.data:
            refuse_cohost(event)
        told = service.edit_event(event, *form.edit(), notify=form.notify.data)
    if form.new_password.data:
        grant_owner_access(event)  # the new password voided this browser's access too
    flash_all([gettext("Your changes are saved."), *told])
    return redirect(url_for(".view", slug=slug), 303)


def delete_page(form: DeleteEventForm, event: Event, refusal=None) -> str:
    owner = has_owner_access(event)
    return render_template(
        "events/delete.html",
        form=form,
        event=event,
        owner=owner,
        invitees=invitee_count(event) if owner else None,  # how many: the owner's to know
        refusal=refusal,
    )


@bp.get("/events/<slug:slug>/delete")
def delete_form(slug: str):
    return delete_page(DeleteEventForm(), get_event_or_404(slug))


@bp.post("/events/<slug:slug>/delete")
def delete(slug: str):
    event = get_event_or_404(slug)
    form = DeleteEventForm()
    with showing_again(delete_page, form, event=event):
        authorize(event, form)
    flash_all(service.delete_event(event, notify=form.notify.data))
    drop_owner_access(slug)
    return redirect(url_for(".index"), 303)
