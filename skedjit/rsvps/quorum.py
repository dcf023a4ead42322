"""Thin views for the owner's minimum going: set it, remove it, or decide early by hand."""

from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext

from ..forms import PasswordForm
from ..guards import get_event_or_404
from ..guards import require_owner_access
from ..quorum import service
from ..quorum.forms import MinimumForm
from ..refusals import check_form
from ..refusals import showing_again
from .routes import answers_page
from .routes import bp


def _owned(slug: str):
    event = get_event_or_404(slug)
    require_owner_access(event)
    return event


def minimum_page(form: MinimumForm, event, refusal=None) -> str:
    """The owner's answers page with the minimum's form as it was sent."""
    return answers_page(PasswordForm(), event, minimum=form, minimum_refusal=refusal)


@bp.post("/events/<slug:slug>/minimum")
def set_minimum(slug: str):
    event = _owned(slug)
    form = MinimumForm()
    with showing_again(minimum_page, form, event=event):
        check_form(form)
        service.set_minimum(event, form.min_going.data, form.decide_at(event.timezone))
    flash(gettext("The minimum is saved: friends see it on the event's page."))
    return redirect(url_for(".manage", slug=slug, _anchor="minimum"), 303)


@bp.post("/events/<slug:slug>/minimum/remove")
def remove_minimum(slug: str):
    service.remove_minimum(_owned(slug))
    flash(gettext("The minimum is removed: the event is on, whoever says yes."))
    return redirect(url_for(".manage", slug=slug, _anchor="minimum"), 303)


@bp.post("/events/<slug:slug>/minimum/on")
def confirm(slug: str):
    service.decide_by_hand(_owned(slug), "on")
    flash(gettext("It's on! Friends see it on the event's page."))
    return redirect(url_for(".manage", slug=slug, _anchor="minimum"), 303)


@bp.get("/events/<slug:slug>/minimum/off")
def call_off_form(slug: str):
    """What calling it off does, and a button that does it."""
    event = _owned(slug)
    service.check_decidable(event)
    return render_template("quorum/call_off.html", event=event)


@bp.post("/events/<slug:slug>/minimum/off")
def call_off(slug: str):
    told = service.decide_by_hand(_owned(slug), "off")
    for sentence in [gettext("The event is called off."), *told]:
        flash(sentence)
    return redirect(url_for(".manage", slug=slug, _anchor="minimum"), 303)
