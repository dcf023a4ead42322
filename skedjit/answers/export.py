"""The answers as a CSV file, for the owner's spreadsheet."""

import csv
import io

from flask_babel import gettext

from ..models import Event
from ..models import Rsvp
from ..timezones import to_local
from .forms import RESPONSE_CHOICES

#: What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """The text as a spreadsheet shows it and never runs: a formula gets a leading '."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def answers_csv(event: Event, rsvps: list[Rsvp]) -> bytes:
    """A header row, then an answer a row, in the reader's language. UTF-8 with a
    byte-order mark, which spreadsheets need to read it as UTF-8 rather than guess."""
    responses = {choice.value: str(choice.label) for choice in RESPONSE_CHOICES}
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
        ]
    )
    for rsvp in rsvps:
        answered = to_local(rsvp.updated_at, event.timezone)
        writer.writerow(
            [
                safe_cell(rsvp.name),
                responses[rsvp.response],
                rsvp.guests,
                safe_cell(rsvp.note),
                f"{answered:%Y-%m-%d %H:%M}",
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()
