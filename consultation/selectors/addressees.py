"""Which items a Party is asked: every item without addressees, and those addressed to it.

Every page, file and count that lists a Party's items filters them here, so a follow-up question on a
recommendation addressed to three Parties is never shown to, required from or counted against a fourth.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from ..models import Item, ItemAddressee


def items_for_party(queryset: QuerySet[Item], *, party_id: int | OuterRef | None) -> QuerySet[Item]:
    """``queryset`` narrowed to the items put to the Party (a subquery each, no join: counts stay exact).

    ``party_id`` may also be an ``OuterRef`` to a Party id of the query that ``queryset`` is a subquery of (e.g.
    ``Exists(items_for_party(..., party_id=OuterRef("pk")))`` over Parties): "is any item put to this Party"."""
    restricted = ItemAddressee.objects.filter(item_id=OuterRef("pk"))
    if party_id is None:
        return queryset.filter(~Exists(restricted))
    # One level deeper than ``queryset``: an outer reference must skip the item query to reach the Party.
    party = OuterRef(party_id) if isinstance(party_id, OuterRef) else party_id
    return queryset.filter(~Exists(restricted) | Exists(restricted.filter(party_id=party)))


def item_is_put_to(*, item: Item, party_id: int) -> bool:
    """Whether the Party is asked this item (one query)."""
    rows = ItemAddressee.objects.filter(item=item)
    return not rows.exists() or rows.filter(party_id=party_id).exists()


def addressed_q(prefix: str, party_field: str) -> Q:
    """A condition for rows that name an item (``prefix`` to it, e.g. "item") and a Party (``party_field``):
    true when the item has no addressees or lists that Party."""
    restricted = ItemAddressee.objects.filter(item_id=OuterRef(f"{prefix}_id"))
    return ~Exists(restricted) | Exists(restricted.filter(party_id=OuterRef(party_field)))
