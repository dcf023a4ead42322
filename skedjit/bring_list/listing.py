"""What a bring list shows: each item, how many of it friends bring, and who."""

from dataclasses import dataclass

from sqlalchemy import bindparam
from sqlalchemy import select

from ..models import BringClaim
from ..models import BringItem
from ..models import Rsvp

_ITEMS = BringItem.__table__
_CLAIMS = BringClaim.__table__
_RSVPS = Rsvp.__table__


@dataclass(frozen=True, slots=True)
class Claim:
    """How many of an item one friend brings."""

    rsvp_id: int
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Item:
    """One thing on the list, with the claims on it."""

    id: int
    text: str
    quantity: int
    claims: tuple[Claim, ...] = ()

    @property
    def claimed(self) -> int:
        return sum(claim.quantity for claim in self.claims)

    @property
    def missing(self) -> int:
        """How many are still needed."""
        return max(self.quantity - self.claimed, 0)

    def claim_of(self, rsvp_id: int | None) -> Claim | None:
        """The claim this answer has on the item, if any."""
        return next((claim for claim in self.claims if claim.rsvp_id == rsvp_id), None)

    def most_for(self, rsvp_id: int | None) -> int:
        """The most this answer may bring: what is missing, and what it brings already."""
        mine = self.claim_of(rsvp_id)
        return self.missing + (mine.quantity if mine else 0)


#: An event's items in order, each with its claims (and the claimers' names): one SELECT.
SELECT = (
    select(
        _ITEMS.c.id,
        _ITEMS.c.text,
        _ITEMS.c.quantity,
        _CLAIMS.c.rsvp_id,
        _RSVPS.c.name,
        _CLAIMS.c.quantity,
    )
    .select_from(
        _ITEMS.outerjoin(_CLAIMS, _CLAIMS.c.item_id == _ITEMS.c.id).outerjoin(
            _RSVPS, _RSVPS.c.id == _CLAIMS.c.rsvp_id
        )
    )
    .where(_ITEMS.c.event_id == bindparam("event_id"))
    .order_by(_ITEMS.c.position, _ITEMS.c.id, _CLAIMS.c.id)
)


def items_of(rows) -> tuple[Item, ...]:
    """The items the rows of SELECT describe, each with its claims."""
    items: dict[int, tuple[str, int, list[Claim]]] = {}
    for item_id, text, quantity, rsvp_id, name, claimed in rows:
        _text, _quantity, claims = items.setdefault(item_id, (text, quantity, []))
        if rsvp_id is not None:
            claims.append(Claim(rsvp_id, name, claimed))
    return tuple(
        Item(item_id, text, quantity, tuple(claims))
        for item_id, (text, quantity, claims) in items.items()
    )
