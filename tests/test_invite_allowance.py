"""The daily allowance of invitations holds when several requests take from it at once."""

import threading

from sqlalchemy import select

from skedjit.extensions import db
from skedjit.invites import service
from skedjit.models import Event

REQUESTS = 12
EACH = 10  # 12 × 10 wanted, 50 allowed: exactly 5 requests get theirs


def test_parallel_requests_never_take_more_than_the_day_allows(app, make_event):
    slug = make_event()
    with app.app_context():
        event_id = db.session.scalar(select(Event.id).where(Event.slug == slug))
    start = threading.Barrier(REQUESTS)
    outcomes: list[str] = []

    def take() -> None:
        with app.app_context():
            start.wait(timeout=30)
            try:
                service.take_allowance(event_id, EACH)
            except service.AllowanceError as short:
                outcomes.append(f"refused, {short.left} left")
            else:
                outcomes.append("taken")

    threads = [threading.Thread(target=take) for _ in range(REQUESTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert outcomes.count("taken") == service.PER_DAY // EACH
    assert sorted(set(outcomes)) == ["refused, 0 left", "taken"]
    with app.app_context():
        counted = db.session.scalar(select(Event.invites_counted).where(Event.id == event_id))
    assert counted == service.PER_DAY
