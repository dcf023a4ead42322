"""Thin views for the bring list: the owner's items, and friends' claims on them."""

from dataclasses import dataclass

from flask import Blueprint
from flask import abort
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_babel import gettext
from flask_babel import ngettext

from .. import event_page
from .. import rate_limits
from ..answers.service import find_rsvp
from ..answers.tokens import answer_token
from ..bring_list import service
from ..bring_list.forms import ClaimForm
from ..bring_list.forms import ItemForm
from ..extensions import csrf
from ..guards import get_event_or_404
from ..guards import require_owner_access
from ..models import Event
from ..owner_access import has_owner_access
from ..refusals import check_form
from ..refusals import showing_again

bp = Blueprint("bring", __name__)

# An id past the databases' 64-bit integers names no item: 404, not an overflow.
ITEM = "<int(max=9223372036854775807):item_id>"


@dataclass(frozen=True)
class ClaimShown:
    """A refused claim, as the bring list shows it again beside its item."""

    item_id: int
    form: ClaimForm
    sentence: str | None = None


def _owned(slug: str) -> Event:
    event = get_event_or_404(slug)
    require_owner_access(event)
    return event


def _listed(event: Event, item_id: int):
    """The item as the list shows it (with who brings it), or 404."""
    item = next((item for item in service.list_items(event.id) if item.id == item_id), None)
    if item is None:
        abort(404)
    return item


def items_page(form: ItemForm, event: Event, refusal=None) -> str:
    """The owner's bring list, with the form that adds to it."""
    owner = has_owner_access(event)
    return render_template(
        "bring/items.html",
        event=event,
        form=form,
        owner=owner,
        items=service.list_items(event.id) if owner else (),
        refusal=refusal,
    )


@bp.get("/events/<slug:slug>/bring")
def items(slug: str):
    return items_page(ItemForm(), get_event_or_404(slug))


@bp.post("/events/<slug:slug>/bring")
def add(slug: str):
    event = _owned(slug)
    form = ItemForm()
    with showing_again(items_page, form, event=event):
        check_form(form)
        item = service.add_item(event.id, *form.fields_given())
    flash(gettext("“%(thing)s” is on the bring list.", thing=item.text))
    return redirect(url_for(".items", slug=slug), 303)


def edit_page(form: ItemForm, event: Event, item, refusal=None) -> str:
    return render_template("bring/edit.html", event=event, item=item, form=form, refusal=refusal)


# One rule for both methods: with two, an id past 64 bits would answer 405, not 404.
@bp.route(f"/events/<slug:slug>/bring/{ITEM}/edit", methods=["GET", "POST"])
def edit(slug: str, item_id: int):
    event = _owned(slug)
    item = _listed(event, item_id)
    if request.method == "GET":
        form = ItemForm(data={"text": item.text, "quantity": item.quantity})
        return edit_page(form, event, item)
    form = ItemForm()
    with showing_again(edit_page, form, event=event, item=item):
        check_form(form)
        service.change_item(event.id, item_id, *form.fields_given())
    flash(gettext("Your changes to the bring list are saved."))
    return redirect(url_for(".items", slug=slug), 303)


@bp.route(f"/events/<slug:slug>/bring/{ITEM}/remove", methods=["GET", "POST"])
def remove(slug: str, item_id: int):
    """GET: who brings it, and a button, since removing it takes back what friends said
    they bring. POST: remove it (a claimed one only once that page was seen)."""
    event = _owned(slug)
    if request.method == "GET":
        return render_template("bring/remove.html", event=event, item=_listed(event, item_id))
    confirmed = bool(request.form.get("confirm"))
    removed = service.remove_item(event.id, item_id, even_if_claimed=confirmed)
    if removed is None:
        abort(404)
    if not removed:  # a friend claimed it since the list was shown: ask first
        return redirect(url_for(".remove", slug=slug, item_id=item_id), 303)
    flash(gettext("It is removed from the bring list."))
    return redirect(url_for(".items", slug=slug), 303)


def mine_page(event: Event, token: str, claim: ClaimShown | None = None) -> str | None:
    """The bring list for the answer a private link holds, to claim from another phone;
    None when no answer holds that link."""
    rsvp = find_rsvp(event.id, token)
    if rsvp is None:
        return None
    return render_template(
        "bring/mine.html",
        event=event,
        my_answer=rsvp,
        token=token,
        items=service.list_items(event.id),
        answers_open=event.answers_open(),
        passed=event.has_passed(),
        claim=claim,
    )


@bp.get("/events/<slug:slug>/rsvp/<token>/bring")
def mine(slug: str, token: str):
    page = mine_page(get_event_or_404(slug), token)
    if page is None:
        abort(404)
    return page


def claim_page(event: Event, item_id: int, token: str | None, form: ClaimForm, refusal=None):
    """The page the claim came from again (the private link's, or the event page), with
    the refusal beside its item."""
    shown = ClaimShown(item_id, form, refusal.sentence if refusal else None)
    page = mine_page(event, token, shown) if token else None
    if page is not None:
        return page
    row = event_page.find_event_page(event.slug, cached=False)
    if row is None:
        abort(404)  # pragma: no cover - deleted between the claim and its page
    return event_page.respond(row, claim=shown)


def _back(slug: str, token: str | None) -> str:
    if token:
        return url_for(".mine", slug=slug, token=token)
    return url_for("events.view", slug=slug, _anchor="bring")


@bp.post(f"/events/<slug:slug>/bring/{ITEM}/claim")
@csrf.exempt  # as the answer form: the event page carries no token; cross_origin.py guards it
@rate_limits.rsvps
def claim(slug: str, item_id: int):
    event = get_event_or_404(slug)
    item = _listed(event, item_id)
    form = ClaimForm(prefix=f"bring-{item_id}")
    link = form.token.data or None
    with showing_again(claim_page, form, event=event, item_id=item_id, token=link):
        check_form(form)
        service.claim(event.id, item_id, link or answer_token(slug), form.amount)
    if item.quantity == 1:
        flash(gettext("Thanks! You bring “%(thing)s”.", thing=item.text))
    else:
        flash(
            ngettext(
                "Thanks! You bring %(num)d of “%(thing)s”.",
                "Thanks! You bring %(num)d of “%(thing)s”.",
                form.amount,
                thing=item.text,
            )
        )
    return redirect(_back(slug, link), 303)


@bp.post(f"/events/<slug:slug>/bring/{ITEM}/release")
@csrf.exempt  # as claim()
@rate_limits.rsvps
def release(slug: str, item_id: int):
    event = get_event_or_404(slug)
    item = _listed(event, item_id)
    form = ClaimForm(prefix=f"bring-{item_id}")
    link = form.token.data or None
    with showing_again(claim_page, form, event=event, item_id=item_id, token=link):
        if not service.release(event.id, item_id, link or answer_token(slug)):
            abort(404)
    flash(gettext("You no longer bring “%(thing)s”.", thing=item.text))
    return redirect(_back(slug, link), 303)
