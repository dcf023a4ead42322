"""The answers as a CSV file, for the owner's spreadsheet."""

import csv
import io

from flask_babel import gettext
from sqlalchemy import select

from ..extensions import db
from ..models import BringClaim
from ..models import BringItem
from ..models import Event
from ..models import Rsvp
from ..models import waitlist_positions
from ..timezones import to_local
from .forms import response_label

#: What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The text as a spreadsheet shows it and never runs: a formula gets a leading '."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def answers_csv(event: Event, rsvps: list[Rsvp]) -> bytes:
    """A header row, then an answer a row, in the reader's language. UTF-8 with a
    byte-order mark, which spreadsheets need to read it as UTF-8 rather than guess."""
    waiting = waitlist_positions(rsvps)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            gettext("Name"),
            gettext("Answer"),
            gettext("Extra people"),
            gettext("Note"),
            # Translators: %(zone)s is a time zone, e.g. Europe/Paris.
            gettext("Answered at (%(zone)s)", zone=event.timezone),
            gettext("Waitlist position"),
            gettext("Items claimed"),
        ]
    )
    brought = items_claimed(event.id)
    for rsvp in rsvps:
        answered = to_local(rsvp.updated_at, event.timezone)
        writer.writerow(
            [
                safe_cell(rsvp.name),
                response_label(rsvp.response),
                rsvp.guests,
                safe_cell(rsvp.note),
                f"{answered:%Y-%m-%d %H:%M}",
                waiting.get(rsvp.id, ""),
                safe_cell("; ".join(brought.get(rsvp.id, []))),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def items_claimed(event_id: int) -> dict[int, list[str]]:
    """What each answer brings, in the bring list's order: "2 × wine", "board game"."""
    query = (
        select(BringClaim.rsvp_id, BringClaim.quantity, BringItem.text)
        .join(BringItem, BringItem.id == BringClaim.item_id)
        .where(BringItem.event_id == event_id)
        .order_by(BringItem.position, BringItem.id)
    )
    brought: dict[int, list[str]] = {}
    for rsvp_id, quantity, text in db.session.execute(query):
        # Translators: how many of a thing on the bring list a friend brings, e.g. "2 × wine".
        shown = text if quantity == 1 else gettext("%(num)d × %(thing)s", num=quantity, thing=text)
        brought.setdefault(rsvp_id, []).append(shown)
    return brought
