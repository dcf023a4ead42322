"""Thin views for hosting together: the owner's co-host links, and opening one."""

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import url_for
from flask_babel import gettext

from .. import cohosts
from ..guards import get_event_or_404
from ..guards import refuse_cohost
from ..guards import require_owner_access
from ..owner_access import grant_owner_access
from ..owner_access import has_owner_access
from ..owner_access import is_cohost

bp = Blueprint("hosting", __name__)

#: The flash category of a new link: shown once (base.html).
LINK_SHOWN = "cohost-link"


def _creator_only(slug: str):
    event = get_event_or_404(slug)
    require_owner_access(event)
    refuse_cohost(event)
    return event


@bp.post("/events/<slug:slug>/cohosts")
def make_link(slug: str):
    event = _creator_only(slug)
    token = cohosts.make_link(event)
    flash(url_for(".join_form", slug=slug, token=token, _external=True), LINK_SHOWN)
    return redirect(url_for("rsvps.manage", slug=slug, _anchor="hosting"), 303)


@bp.post("/events/<slug:slug>/cohosts/revoke")
def revoke(slug: str):
    event = _creator_only(slug)
    cohosts.revoke_all(event)
    flash(gettext("Every co-host link is revoked, and the access it gave has ended."))
    return redirect(url_for("rsvps.manage", slug=slug, _anchor="hosting"), 303)


def _link_or_404(slug: str, token: str):
    event = get_event_or_404(slug)
    if not cohosts.opens(event, token):
        abort(404)
    return event


@bp.get("/events/<slug:slug>/host/<token>")
def join_form(slug: str, token: str):
    """What the link gives, and a button: a link preview that opens it takes nothing."""
    return render_template("hosting/join.html", event=_link_or_404(slug, token), token=token)


@bp.post("/events/<slug:slug>/host/<token>")
def join(slug: str, token: str):
    event = _link_or_404(slug, token)
    if has_owner_access(event) and not is_cohost(event):
        flash(gettext("This browser already has the owner's access to this event, and keeps it."))
    else:
        grant_owner_access(event, cohost=True)
        flash(gettext("You are a co-host: you can change this event in this browser."))
    return redirect(url_for("events.view", slug=slug), 303)
