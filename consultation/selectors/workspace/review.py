"""Review, sign-off and the read-only reply."""

from __future__ import annotations

from typing import Any

from accounts.models import DelegationMembership, DelegationRole

from ...models import (
    Answer,
    Attachment,
    Response,
)
from .formatting import _item_markers, value_display
from .items import _answers_by_item, _attachments_by_id, _items_queryset


def party_heads(*, party_id: int) -> list[Any]:
    """Who must sign: the Party's heads of delegation."""
    return [
        m.user
        for m in DelegationMembership.objects.filter(party_id=party_id, role=DelegationRole.HEAD)
        .select_related("user")
        .order_by("user__last_name", "user__email")
    ]


def reply_readonly_context(*, response: Response) -> dict[str, Any]:
    """Everything ``templates/consultation/_reply_readonly.html`` needs, in a fixed number of queries.

    Returns ``{"reply": response, "reply_themes": [{"theme", "items": [...]}], "reply_missing": [...],
    "reply_answered": int, "reply_item_total": int}``; each item has ``item``, ``markers``, ``articles``,
    ``answer`` (or None), ``fields`` (``field``, ``display``, ``missing``) and ``dom_id``.
    """
    items = list(_items_queryset(response.consultation_id, response.party_id))
    answers = _answers_by_item(response)
    attachments = _attachments_by_id(response)
    themes: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    answered = 0
    for item in items:
        answer = answers.get(item.pk)
        data = answer.data if answer else {}
        if answer and answer.is_answered:
            answered += 1
        fields = []
        for fld in item.fields.all():
            value = data.get(fld.key)
            display = value_display(fld, value, attachments=attachments)
            is_missing = fld.required and display.is_empty
            fields.append({"field": fld, "display": display, "missing": is_missing})
            if is_missing:
                missing.append({"item": item, "field": fld, "dom_id": f"i{item.pk}-{fld.key}"})
        if not themes or themes[-1]["theme"].pk != item.theme_id:
            themes.append({"theme": item.theme, "items": []})
        themes[-1]["items"].append(
            {
                "item": item,
                "dom_id": f"item-{item.pk}",
                "markers": _item_markers(item),
                "articles": list(item.articles.all()),
                "answer": answer,
                "fields": fields,
            }
        )
    return {
        "reply": response,
        "reply_themes": themes,
        "reply_missing": missing,
        "reply_answered": answered,
        "reply_item_total": len(items),
    }


def reply_marks_rows(*, response: Response) -> list[dict[str, Any]]:
    """The sign-off page's "not for publication" choices: each answered item, then its documents, as they stand.

    Each row has ``item``, ``answer``, ``confidential`` (the recorded mark, or the consultation's default when
    never decided), ``reason`` and ``documents`` (``document``, ``confidential``, ``reason``). Two queries.
    """
    if response.pk is None:
        return []
    default = response.consultation.confidential_by_default
    answers = list(
        Answer.objects.filter(response=response, is_answered=True)
        .select_related("item")
        .order_by("item__order", "item__code")
    )
    documents: dict[int, list[dict[str, Any]]] = {}
    for document in Attachment.objects.filter(answer__response=response).only(
        "id", "answer_id", "original_name", "size", "confidential", "confidential_reason"
    ):
        documents.setdefault(document.answer_id, []).append(
            {
                "document": document,
                "confidential": default if document.confidential is None else document.confidential,
                "reason": document.confidential_reason,
            }
        )
    return [
        {
            "item": answer.item,
            "answer": answer,
            "confidential": default if answer.confidential is None else answer.confidential,
            "reason": answer.confidential_reason,
            "documents": documents.get(answer.pk, []),
        }
        for answer in answers
    ]
