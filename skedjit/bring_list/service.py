"""Bring list operations: the one place that writes items and claims, and commits.

Every write first takes the event's answer lock (answers.service.lock_answers),
which also bumps its answers_version: claims are checked against what is left
only once no other claim can land in between, and every kept event page is
dropped when the transaction commits.
"""

from datetime import datetime

from flask_babel import gettext
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select

from ..answers.service import find_rsvp
from ..answers.service import lock_answers
from ..answers.service import lock_open
from ..database import committed
from ..extensions import db
from ..models import MOST_ITEMS
from ..models import BringClaim
from ..models import BringItem
from ..refusals import Refused
from .listing import SELECT
from .listing import Item
from .listing import items_of


class ItemGoneError(Refused):
    """The item was removed while the request was on its way (404, as its page)."""

    status = 404

    def __init__(self):
        super().__init__(gettext("That is no longer on the bring list."))


class AnswerFirstError(Refused):
    """Only a friend who answered may say what they bring."""

    status = 403

    def __init__(self):
        super().__init__(gettext("Answer first, then you can say what you bring."))


class NotComingError(Refused):
    """A friend who can't go brings nothing."""

    status = 409

    def __init__(self):
        super().__init__(
            gettext("You answered that you can't go. Change your answer to bring something.")
        )


class TooManyError(Refused):
    """A claim for more than is still needed."""

    status = 409
    field = "quantity"

    def __init__(self, left: int):
        if left == 0:
            sentence = gettext("Friends already bring all of it, so nothing was changed.")
        else:
            sentence = ngettext(
                "You can bring at most %(num)d of it, so nothing was changed.",
                "You can bring at most %(num)d of it, so nothing was changed.",
                left,
            )
        super().__init__(sentence)


class BelowClaimedError(Refused):
    """An item's quantity lowered below what friends already bring."""

    status = 409
    field = "quantity"

    def __init__(self, claimed: int):
        super().__init__(
            ngettext(
                "Friends already bring %(num)d of it: the number cannot be lower.",
                "Friends already bring %(num)d of it: the number cannot be lower.",
                claimed,
            )
        )


class ListFullError(Refused):
    """The list holds as many things as it may."""

    status = 409

    def __init__(self):
        super().__init__(
            ngettext(
                "A bring list holds at most %(num)d thing.",
                "A bring list holds at most %(num)d things.",
                MOST_ITEMS,
            )
        )


def list_items(event_id: int) -> tuple[Item, ...]:
    """The event's bring list, with who brings what."""
    return items_of(db.session.execute(SELECT, {"event_id": event_id}))


def find_item(event_id: int, item_id: int) -> BringItem | None:
    """The event's item with this id as the database has it now, or None."""
    item = db.session.get(BringItem, item_id, populate_existing=True)
    return item if item is not None and item.event_id == event_id else None


def _claimed(item_id: int, leaving_out: int | None = None) -> int:
    query = select(func.coalesce(func.sum(BringClaim.quantity), 0)).where(
        BringClaim.item_id == item_id
    )
    if leaving_out is not None:
        query = query.where(BringClaim.rsvp_id != leaving_out)
    return db.session.scalar(query)


def add_item(event_id: int, text: str, quantity: int) -> BringItem:
    """Put a thing at the end of the list; ListFullError past MOST_ITEMS."""
    with committed():
        lock_answers(event_id)
        count, last = db.session.execute(
            select(func.count(), func.coalesce(func.max(BringItem.position), 0)).where(
                BringItem.event_id == event_id
            )
        ).one()
        if count >= MOST_ITEMS:
            raise ListFullError
        item = BringItem(event_id=event_id, text=text, quantity=quantity, position=last + 1)
        db.session.add(item)
    return item


def change_item(event_id: int, item_id: int, text: str, quantity: int) -> None:
    """Change what an item says and how many are needed; never below what is claimed."""
    with committed():
        lock_answers(event_id)
        item = find_item(event_id, item_id)
        if item is None:
            raise ItemGoneError
        claimed = _claimed(item_id)
        if quantity < claimed:
            raise BelowClaimedError(claimed)
        item.text, item.quantity = text, quantity


def remove_item(event_id: int, item_id: int, even_if_claimed: bool) -> bool | None:
    """Remove an item with its claims: True; False if it has claims and that was not
    said; None if there is no such item."""
    with committed():
        lock_answers(event_id)
        item = find_item(event_id, item_id)
        if item is None:
            return None
        if not even_if_claimed and _claimed(item_id):
            return False
        db.session.delete(item)
    return True


def claim(
    event_id: int, item_id: int, token: str | None, quantity: int, now: datetime | None = None
) -> BringClaim:
    """Say that the answer the token holds brings this many of the item (replacing what it
    said before), if that many are still needed."""
    with committed():
        lock_open(event_id, now)  # before reading what is left: claims wait for each other
        rsvp = find_rsvp(event_id, token)
        if rsvp is None:
            raise AnswerFirstError
        if rsvp.response == "no":
            raise NotComingError
        item = find_item(event_id, item_id)
        if item is None:
            raise ItemGoneError
        left = item.quantity - _claimed(item_id, leaving_out=rsvp.id)
        if quantity > left:
            raise TooManyError(max(left, 0))
        mine = db.session.scalar(
            select(BringClaim).where(BringClaim.item_id == item_id, BringClaim.rsvp_id == rsvp.id)
        )
        if mine is None:
            mine = BringClaim(item_id=item_id, rsvp_id=rsvp.id)
            db.session.add(mine)
        mine.quantity = quantity
    return mine


def release(event_id: int, item_id: int, token: str | None, now: datetime | None = None) -> bool:
    """Take back the claim the token's answer has on the item; False when it has none."""
    with committed():
        lock_open(event_id, now)
        rsvp = find_rsvp(event_id, token)
        if rsvp is None:
            raise AnswerFirstError
        which = BringClaim.item_id == item_id, BringClaim.rsvp_id == rsvp.id
        removed = db.session.execute(delete(BringClaim).where(*which)).rowcount
    return bool(removed)
