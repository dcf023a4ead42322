"""The event page, Skedjit's hot path: GET /events/<slug>.

A link lands in a group chat and everyone opens it at once, so the page is built
to be the same bytes for every friend who has not answered, and to cost no query
and no Flask once a process has answered one such friend.

- data.py reads what the page shows: one indexed SELECT of the event's columns, one
  of its answers, one of its changes and one of its bring list (items joined with
  their claims; never one per row), on an autocommit connection.
- rows.py keeps those rows per process while nothing changes.
- render.py makes the page for one viewer, keeps rendered pages, and answers 304s.
- shared.py sends a cookie-less friend the answer Flask last made for one, before
  Flask runs at all.
- share.py says what sharing the event says (previews, mailto:, QR code, calendars).

Invariants that whoever changes this package, its templates or the tables they
show must keep:

- A friend's page depends on what it shows and nothing else: no session is written,
  no cookie set, no per-viewer token rendered. The answer form is protected from
  cross-site posting by cross_origin.py, not by a token.
- The render key, which is also the ETag (render.py), covers everything the page
  shows: a digest of every row data.py reads, whether answers are open, the distance
  phrase ("in 3 days", "has passed"), the changes it tells of, the language, the
  scheme and host of its links, and the release (code, templates, static files). A
  page for a viewer with owner access adds the hours left; one for a friend who
  answered adds that answer. Anything new the page shows must be read by data.py or
  be in the key.
- What the page shows changes with time only at whole minutes (event times,
  deadlines and ends have no seconds; a change is told of until a whole minute),
  which is how long shared.py keeps an answer.
- A page that carries a one-off message or a refused answer is rendered fresh and
  kept nowhere (`Cache-Control: no-store`).
- Rows are reused only while the process hears every change. On SQLite, `PRAGMA
  data_version`. On PostgreSQL, triggers on `events`, `rsvps`, `event_changes`,
  `bring_items` and `bring_claims` notify the event's slug on every insert, update
  and delete, whoever writes (the app, a worker, psql): nothing may disable them,
  and a new table whose rows the page shows needs the same trigger in its
  migration. This process's own commits drop its rows at once.
"""

from flask import Flask

from . import rows
from . import shared
from .render import answer_page
from .render import respond
from .render import serve
from .rows import find_event_page

__all__ = ["answer_page", "find_event_page", "init_app", "respond", "serve"]


def init_app(app: Flask) -> None:
    """Give the app its kept rows, the watch that keeps them fresh, and the shared page."""
    rows.init_app(app)
    shared.init_app(app)
