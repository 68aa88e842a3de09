"""Reading a Party's reply as one document: themes, items, fields and the current (or submitted) values.

The XLSX round trip, the DOCX/PDF exports and the submission receipt all start from the same
``ReplyDocument``, so the three files always show the same values. The whole questionnaire and the
reply load in a constant number of queries, whatever the number of items.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from ..answer_values import fields_with_specifications, options_of
from ..models import Answer, Attachment, Consultation, Field, FieldType, Item, Option, Party, Response
from .addressees import items_for_party


@dataclass
class FieldValue:
    """One field of an item with the reply's canonical value and a human-readable form of it."""

    field: Field
    value: Any
    options: list[Option]
    attachments: list[str] = field(default_factory=list)
    specification: str = ""

    @property
    def is_blank(self) -> bool:
        return self.value in (None, "", [], {})

    @property
    def option_labels(self) -> dict[str, str]:
        """Labels by option key; the option that asks to specify is followed by the text given."""
        labels = {option.key: option.label for option in self.options}
        if self.specification:
            for option in self.options:
                if option.needs_specification:
                    labels[option.key] = f"{option.label}: {self.specification}"
        return labels

    @property
    def display_lines(self) -> list[str]:
        """The value as lines of plain text (option labels, ranks, number with unit)."""
        if self.is_blank:
            return []
        kind = self.field.type
        labels = self.option_labels
        if kind == FieldType.SINGLE_CHOICE:
            return [labels.get(self.value, str(self.value))]
        if kind == FieldType.MULTIPLE_CHOICE:
            return [labels.get(key, str(key)) for key in self.value]
        if kind == FieldType.RANKING:
            return [f"{rank}. {labels.get(key, str(key))}" for rank, key in enumerate(self.value, start=1)]
        if kind == FieldType.NUMBER:
            return [f"{self.value} {self.field.unit}".strip()]
        if kind == FieldType.LEGAL_REFERENCES:
            return [
                " – ".join(part for part in (row["instrument"], row["provision"], row["url"]) if part)
                for row in self.value
            ]
        if kind == FieldType.ATTACHMENT:
            return list(self.attachments)
        return str(self.value).split("\n")

    @property
    def references(self) -> list[dict[str, str]]:
        return list(self.value) if self.field.type == FieldType.LEGAL_REFERENCES and not self.is_blank else []


@dataclass
class ItemAnswer:
    item: Item
    version: int
    data: dict[str, Any]
    fields: list[FieldValue]

    @property
    def articles(self) -> list:
        return list(self.item.articles.all())


@dataclass
class ThemeSection:
    theme: Any
    items: list[ItemAnswer]


@dataclass
class ReplyDocument:
    """Everything an export of one Party's reply shows."""

    consultation: Consultation
    party: Party
    response: Response | None
    themes: list[ThemeSection]
    submitted_at: datetime.datetime | None = None
    submission_sequence: int | None = None
    generated_at: datetime.datetime = field(default_factory=timezone.now)

    @property
    def items(self) -> list[ItemAnswer]:
        return [entry for section in self.themes for entry in section.items]

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def questionnaire_items(*, consultation: Consultation, party_id: int | None = None) -> list[Item]:
    """The consultation's items in reading order (those put to the Party, when one is given), with theme,
    articles, fields and options (4 queries)."""
    items = Item.objects.filter(consultation=consultation)
    if party_id is not None:
        items = items_for_party(items, party_id=party_id)
    return list(
        items.select_related("theme")
        .prefetch_related(
            "articles",
            Prefetch("fields", queryset=Field.objects.order_by("order", "id").prefetch_related("options")),
        )
        .order_by("theme__order", "theme__code", "order", "code")
    )


def reply_document_get(
    *,
    consultation: Consultation,
    party: Party,
    response: Response | None,
    snapshot: dict[str, dict[str, Any]] | None = None,
    submitted_at: datetime.datetime | None = None,
    submission_sequence: int | None = None,
) -> ReplyDocument:
    """The reply as a document: current answers, or a submission's ``snapshot`` (keyed by item code)."""
    items = questionnaire_items(consultation=consultation, party_id=party.pk)
    if snapshot is not None:
        by_code = snapshot
    elif response is not None and response.pk:
        by_code = {
            row["item__code"]: row
            for row in Answer.objects.filter(response=response).values("item__code", "data", "version")
        }
    else:
        by_code = {}
    attachment_names: dict[int, str] = {}
    if response is not None and response.pk:
        attachment_names = dict(Attachment.objects.filter(answer__response=response).values_list("pk", "original_name"))
    sections: list[ThemeSection] = []
    for item in items:
        stored = by_code.get(item.code) or {}
        data = stored.get("data") or {}
        values = []
        for item_field in fields_with_specifications(list(item.fields.all())):
            value = data.get(item_field.key)
            names = []
            if item_field.type == FieldType.ATTACHMENT and value:
                names = [attachment_names.get(pk, f"#{pk}") for pk in value]
            values.append(FieldValue(field=item_field, value=value, options=options_of(item_field), attachments=names))
        entry = ItemAnswer(item=item, version=int(stored.get("version") or 0), data=data, fields=values)
        if not sections or sections[-1].theme.pk != item.theme_id:
            sections.append(ThemeSection(theme=item.theme, items=[]))
        sections[-1].items.append(entry)
    return ReplyDocument(
        consultation=consultation,
        party=party,
        response=response,
        themes=sections,
        submitted_at=submitted_at,
        submission_sequence=submission_sequence,
    )
