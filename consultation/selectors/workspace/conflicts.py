"""Two versions of an answer side by side, when a colleague saved first."""

from __future__ import annotations

from typing import Any

from ...answer_values import fields_of
from ...models import (
    Answer,
    FieldType,
    Item,
)
from .formatting import value_as_text, value_display


def conflict_view(*, item: Item, mine: dict[str, Any], theirs: Answer) -> list[dict[str, Any]]:
    """Both versions field by field, and a merge proposal for free-text fields."""
    rows = []
    for fld in fields_of(item):
        if fld.type == FieldType.ATTACHMENT:
            continue
        my_value, their_value = mine.get(fld.key), theirs.data.get(fld.key)
        my_text, their_text = value_as_text(fld, my_value), value_as_text(fld, their_value)
        if fld.type == FieldType.TEXT and my_text != their_text and my_text and their_text:
            merged = f"{their_text}\n\n{my_text}"
        else:
            merged = my_text or their_text
        rows.append(
            {
                "field": fld,
                "mine": value_display(fld, my_value),
                "theirs": value_display(fld, their_value),
                "differs": my_text.strip() != their_text.strip(),
                "mergeable": fld.type == FieldType.TEXT,
                "merged": merged,
            }
        )
    return rows
