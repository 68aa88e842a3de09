"""What the templates show ready-made: translation markers and answer values made readable."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ...answer_values import specified_labels
from ...models import (
    Attachment,
    Field,
    FieldType,
    Item,
    TranslationStatus,
)


def ui_language() -> str:
    """The interface language as a two-letter code (``fr-ch`` reads as ``fr``)."""
    return (get_language() or "en")[:2]


def translation_marker(obj: Any, attribute: str) -> str:
    """A discreet note when ``attribute`` is shown in the other language (modeltranslation fell back)."""
    language = ui_language()
    if getattr(obj, f"{attribute}_{language}", None):
        return ""
    if language == "fr" and getattr(obj, f"{attribute}_en", None):
        return _("(English text — no French translation yet)")
    if language == "en" and getattr(obj, f"{attribute}_fr", None):
        return _("(French text — no English translation yet)")
    return ""


def _item_markers(item: Item) -> dict[str, str]:
    fallback = translation_marker(item, "text")
    unofficial = ""
    if not fallback and ui_language() == "fr" and item.translation_status == TranslationStatus.UNOFFICIAL:
        unofficial = _("Unofficial translation")
    return {"fallback": fallback, "unofficial": unofficial, "context_fallback": translation_marker(item, "context")}


@dataclass
class ValueDisplay:
    """An answer value made readable: ``kind`` is empty, text, list, ordered, references or files."""

    kind: str
    text: str = ""
    items: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.kind == "empty"


def value_display(
    fld: Field, value: Any, *, attachments: dict[int, Attachment] | None = None, specification: Any = ""
) -> ValueDisplay:
    """The readable form of one field's value (option labels, with the "please specify" text given, numbers with
    units, rows, files)."""
    if value in (None, "", [], {}):
        return ValueDisplay("empty")
    labels = specified_labels(fld, value, specification) if fld.has_options else {}
    if fld.type == FieldType.SINGLE_CHOICE:
        return ValueDisplay("text", text=labels.get(value, str(value)))
    if fld.type == FieldType.MULTIPLE_CHOICE:
        return ValueDisplay("list", items=[labels.get(key, key) for key in value])
    if fld.type == FieldType.RANKING:
        return ValueDisplay("ordered", items=[labels.get(key, key) for key in value])
    if fld.type == FieldType.NUMBER:
        return ValueDisplay("text", text=f"{value} {fld.unit}".strip())
    if fld.type == FieldType.LEGAL_REFERENCES:
        return ValueDisplay("references", items=list(value))
    if fld.type == FieldType.ATTACHMENT:
        found = [attachments[pk] for pk in value if attachments and pk in attachments]
        return ValueDisplay("files", items=found)
    return ValueDisplay("text", text=str(value))


def value_as_text(fld: Field, value: Any) -> str:
    """One plain-text line per value, for diffs and the merge box."""
    shown = value_display(fld, value)
    if shown.kind == "empty":
        return ""
    if shown.kind == "text":
        return shown.text
    if shown.kind == "ordered":
        return "\n".join(f"{rank}. {label}" for rank, label in enumerate(shown.items, start=1))
    if shown.kind == "references":
        return "\n".join(
            " – ".join(part for part in (row.get("instrument"), row.get("provision"), row.get("url")) if part)
            for row in shown.items
        )
    if shown.kind == "files":
        return "\n".join(f"#{pk}" for pk in value)
    return "\n".join(str(entry) for entry in shown.items)
