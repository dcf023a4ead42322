"""It's on if enough say yes: an event that happens only if enough friends are going.

The owner sets the fewest people going (extra guests counted, as the capacity counts
them) and when that is decided, a time before the start. Until then the event page says
"On if 6 say yes by …, 4 so far". At that time the worker's `decide_due` (every minute)
decides each event due, under the event's answers lock, so two workers decide it once:
on when enough are going, else called off. A called-off event takes no more answers,
its .ics says STATUS:CANCELLED with its SEQUENCE one higher, and its invitees (and
friends' confirmed addresses) get an email through the outbox. The owner may decide
early by hand. An event that has passed is never decided.
"""

from flask import Flask

from .state import quorum_of

__all__ = ["init_app", "quorum_of"]


def init_app(app: Flask) -> None:
    """Let the templates say where an event's minimum stands (quorum_of)."""
    app.jinja_env.globals["quorum_of"] = quorum_of
