"""A Convention article's page: its chapter and the open items that cite it."""

from __future__ import annotations

from typing import Any

from ...models import (
    Article,
    ConsultationStatus,
    Item,
)
from .formatting import _item_markers, translation_marker


def article_page(*, number: int) -> dict[str, Any] | None:
    """An article with its chapter and the items of open consultations that cite it (two queries)."""
    article = Article.objects.select_related("chapter").filter(number=number).first()
    if article is None:
        return None
    items = list(
        Item.objects.filter(articles=article, consultation__status=ConsultationStatus.OPEN)
        .select_related("consultation", "theme")
        .order_by("consultation__slug", "theme__order", "order")
    )
    return {
        "article": article,
        "title_marker": translation_marker(article, "title"),
        "items": [{"item": item, "markers": _item_markers(item)} for item in items],
    }
