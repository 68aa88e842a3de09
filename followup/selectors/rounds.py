"""Cross-round comparison for the Committee and the Secretariat: per Party and item, what changed since the round
the item continues (``Item.continues``), choices by option and texts word by word, side by side."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from consultation.models import CHOICE_FIELD_TYPES, Consultation, Field, FieldType, Item, Option, Party
from consultation.selectors.rounds import submitted_data

WORDS = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str  # "same", "removed" (left column only), "added" (right column only)


@dataclass
class FieldComparison:
    label: str
    type: str
    changed: bool
    before: list[str] = field(default_factory=list)  # choices: option labels; legal refs: one line each
    after: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    left: list[Segment] = field(default_factory=list)  # texts: the earlier text with its removed words marked
    right: list[Segment] = field(default_factory=list)  # ... and the current one with its added words marked


@dataclass
class ItemComparison:
    item: Item
    earlier: Item
    has_before: bool
    has_after: bool
    fields: list[FieldComparison]

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields) or self.has_before != self.has_after


def words_side_by_side(before: str, after: str) -> tuple[list[Segment], list[Segment]]:
    """The two texts cut into words and spaces; words only in ``before`` marked removed, only in ``after`` added
    (difflib's longest matching blocks), for a two-column view that never interleaves them."""
    old, new = WORDS.findall(before or ""), WORDS.findall(after or "")
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            left.append(Segment("".join(old[i1:i2]), "same"))
            right.append(Segment("".join(new[j1:j2]), "same"))
            continue
        if i2 > i1:
            left.append(Segment("".join(old[i1:i2]), "removed"))
        if j2 > j1:
            right.append(Segment("".join(new[j1:j2]), "added"))
    return left, right


def _lines(fld: Field, value: Any, labels: dict[str, str]) -> list[str]:
    if value in (None, "", [], {}):
        return []
    if fld.type == FieldType.SINGLE_CHOICE:
        return [labels.get(value, value)]
    if fld.type in (FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        if fld.type == FieldType.RANKING:
            return [f"{rank}. {labels.get(key, key)}" for rank, key in enumerate(value, 1)]
        return [labels.get(key, key) for key in value]
    if fld.type == FieldType.LEGAL_REFERENCES:
        return [" ".join(p for p in (row.get("instrument", ""), row.get("provision", "")) if p) for row in value]
    if fld.type == FieldType.ATTACHMENT:
        return []
    return [str(value)]


def field_compare(fld: Field, before: Any, after: Any) -> FieldComparison:
    """One field of an item, the earlier round's value against the current one."""
    labels = {o.key: o.label for o in getattr(fld, "option_list", None) or fld.options.all()}
    result = FieldComparison(label=fld.label, type=fld.type, changed=False)
    if fld.type in (FieldType.TEXT, FieldType.NUMBER):
        old, new = str(before or ""), str(after or "")
        result.changed = old.strip() != new.strip()
        result.left, result.right = words_side_by_side(old, new)
        return result
    result.before, result.after = _lines(fld, before, labels), _lines(fld, after, labels)
    result.changed = result.before != result.after
    if fld.type in CHOICE_FIELD_TYPES | {FieldType.LEGAL_REFERENCES}:
        result.removed = [line for line in result.before if line not in result.after]
        result.added = [line for line in result.after if line not in result.before]
    return result


def party_round_comparison(*, consultation: Consultation, party: Party, item_ids: list[int] | None = None):
    """Every item of ``consultation`` that continues an earlier one, for one Party: its submitted answer there and
    here, compared field by field (keys match across rounds: a duplicated item keeps its fields' keys). A fixed
    number of queries (items, fields, options, two reads of submitted values)."""
    items = (
        Item.objects.filter(consultation=consultation, continues__isnull=False)
        .select_related("continues__consultation", "theme")
        .prefetch_related(
            Prefetch("fields", queryset=Field.objects.order_by("order", "id"), to_attr="field_list"),
            Prefetch("field_list__options", queryset=Option.objects.order_by("order", "id"), to_attr="option_list"),
        )
        .order_by("theme__order", "theme__code", "order", "code")
    )
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    items = list(items)
    now = submitted_data(item_ids=[i.pk for i in items], party_id=party.pk)
    then = submitted_data(item_ids=[i.continues_id for i in items], party_id=party.pk)
    comparisons = []
    for item in items:
        after = now.get((item.pk, party.pk))
        before = then.get((item.continues_id, party.pk))
        fields = [
            field_compare(fld, (before or {}).get("data", {}).get(fld.key), (after or {}).get("data", {}).get(fld.key))
            for fld in item.field_list
            if fld.type != FieldType.ATTACHMENT
        ]
        comparisons.append(
            ItemComparison(
                item=item,
                earlier=item.continues,
                has_before=before is not None,
                has_after=after is not None,
                fields=fields,
            )
        )
    return comparisons
