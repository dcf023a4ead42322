"""Thin views for creating, viewing, editing and deleting events."""

import click
from flask import Blueprint
from flask import abort
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from wtforms import Field

from .. import rate_limits
from ..calendar import calendar_domain
from ..calendar import event_uid
from ..invites import notices
from ..models import Event
from ..timezones import format_when
from ..timezones import to_local
from . import lockout
from . import page
from . import service
from .access import drop_owner_access
from .access import grant_owner_access
from .access import has_owner_access
from .forms import CreateEventForm
from .forms import DeleteEventForm
from .forms import EditEventForm

bp = Blueprint("events", __name__, cli_group=None)


@bp.cli.command("prune-tombstones")
def prune_tombstones_command():
    """Remove the calendar tombstones of events deleted more than 30 days ago."""
    click.echo(f"Removed {service.prune_tombstones_now()} old tombstones.")


def get_event_or_404(slug: str) -> Event:
    """Load an event by its slug, or answer 404."""
    event = service.find_event(slug)
    if event is None:
        abort(404)
    return event


def authorize(event: Event, password: Field) -> tuple[int, dict] | None:
    """Check owner access or the typed password: None when allowed, else (status, headers)."""
    if has_owner_access(event):
        return None
    if password.errors:
        return 400, {}
    if not password.data:
        password.errors.append("Enter the event's password.")
        return 400, {}
    try:
        right = lockout.check_password(event, password.data, current_app.config["BCRYPT_ROUNDS"])
    except lockout.PasswordLockedError as locked:
        password.errors.append(locked.sentence)
        return 429, {"Retry-After": str(locked.seconds)}
    if not right:
        password.errors.append("That is not this event's password. Check it and try again.")
        return 403, {}
    grant_owner_access(event)
    return None


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
    }


@bp.get("/")
def index():
    return render_template("index.html")


@bp.get("/create")
def create_form():
    return render_template("events/create.html", form=CreateEventForm(), fresh=True)


@bp.post("/create")
@rate_limits.creates
def create():
    form = CreateEventForm()
    if not form.validate():
        return render_template("events/create.html", form=form), 400
    rounds = current_app.config["BCRYPT_ROUNDS"]
    event = service.create_event(form.event_fields(), form.password.data, rounds)
    grant_owner_access(event)
    flash("Your event is ready. Send its link to your friends.")
    if receipt := notices.send_receipt(event):
        flash(receipt)
    return redirect(url_for(".view", slug=event.slug), 303)


@rate_limits.form_page("events.create")
def create_refused(message: str):
    """A refused create shows the form again with what was typed (passwords aside)."""
    return render_template("events/create.html", form=CreateEventForm(), refusal=message), 429


@bp.get("/events/<slug:slug>")
def view(slug: str):
    response = page.serve(slug)
    if response is None:
        abort(404)
    return response


@bp.get("/events/<slug:slug>/edit")
def edit_form(slug: str):
    event = get_event_or_404(slug)
    form = EditEventForm(data=event_form_data(event))
    return _render_edit(event, form)


def _render_edit(event: Event, form: EditEventForm, **context) -> str:
    return render_template(
        "events/edit.html",
        form=form,
        event=event,
        owner=has_owner_access(event),
        invitees=notices.invitee_count(event),
        **context,
    )


@bp.post("/events/<slug:slug>/edit")
@rate_limits.wrong_passwords
def edit(slug: str):
    event = get_event_or_404(slug)
    form = EditEventForm()
    valid = form.validate()
    refusal = authorize(event, form.password)
    if refusal is None and valid:
        try:
            if form.version.data and form.version.data != str(event.version):
                raise service.EditConflictError
            rounds = current_app.config["BCRYPT_ROUNDS"]
            before = notices.what_invitees_see(event)
            service.update_event(event, form.event_fields(), form.new_password.data, rounds)
        except service.EditConflictError:
            return edit_conflict(slug, form)
        if form.new_password.data:
            grant_owner_access(event)
        flash("Your changes are saved.")
        for sentence in notices.tell_changed(event, before) if form.notify.data else []:
            flash(sentence)
        return redirect(url_for(".view", slug=slug), 303)
    return _render_edit(event, form), *(refusal or (400, {}))


def edit_conflict(slug: str, form: EditEventForm):
    """409: someone saved first. Show what the event says now and keep this person's input."""
    event = get_event_or_404(slug)
    form.version.data = str(event.version)  # saving again replaces theirs, knowingly
    conflict = event_form_data(event) | {"when": format_when(event.starts_at, event.timezone)}
    return _render_edit(event, form, conflict=conflict), 409


@bp.get("/events/<slug:slug>/delete")
def delete_form(slug: str):
    return _render_delete(get_event_or_404(slug), DeleteEventForm())


def _render_delete(event: Event, form: DeleteEventForm) -> str:
    return render_template(
        "events/delete.html",
        form=form,
        event=event,
        owner=has_owner_access(event),
        invitees=notices.invitee_count(event),
    )


@bp.post("/events/<slug:slug>/delete")
@rate_limits.wrong_passwords
def delete(slug: str):
    event = get_event_or_404(slug)
    form = DeleteEventForm()
    form.validate()
    refusal = authorize(event, form.password)
    if refusal is None:
        title = event.title
        invitees = notices.reachable_addresses(event) if form.notify.data else []
        tombstone = service.delete_event(event, event_uid(event.slug, event.id, calendar_domain()))
        drop_owner_access(slug)
        flash(f"“{title}” is deleted. Its link no longer works.")
        for sentence in notices.tell_cancelled(tombstone, invitees):
            flash(sentence)
        return redirect(url_for(".index"), 303)
    return _render_delete(event, form), *refusal
