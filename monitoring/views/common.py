"""What every Analysis page does first: find the consultation or item and check the reader may code it;
parse the small numbers and id lists the forms post."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts import access
from consultation.models import Consultation, Item

from ..selectors.assignments import (
    is_rapporteur_of_item,
)


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_view_consultation(request.user, consultation), reason="analysis consultation")
    return consultation


def _item(request: HttpRequest, slug: str, item_id: int) -> tuple[Consultation, Item]:
    consultation = _consultation(request, slug)
    item: Item = get_object_or_404(Item.objects.select_related("theme"), pk=item_id, consultation=consultation)
    return consultation, item


def _require_coder(request: HttpRequest, item: Item) -> None:
    allowed = access.can_code_item(request.user, is_rapporteur=is_rapporteur_of_item(user=request.user, item=item))
    access.require(request, allowed, reason="code item", obj=item, leak_safe=False)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pk(value: Any) -> int:
    """An id read from the request for a lookup: 0, which no row has, when it is not a number."""
    return _int(value) or 0


def _ids(values: list[str]) -> list[int]:
    return [number for number in (_int(v) for v in values) if number is not None]
