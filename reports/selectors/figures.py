"""The figures of a comparative report, aggregated in the database from the Parties' last submissions.

Reports read the submitted copy of the replies (``SubmittedAnswer`` and its typed rows, written by the
submission service), never the live answers: drafts never count, and a reply reopened for correction keeps
counting with what it last submitted — marked "under revision since <date>" — until it is submitted again.

``item_figures`` runs a FIXED number of queries whatever the number of Parties, items, fields or reports: each
typed table is read once for all the reports of a batch, filtered on its own consultation column (and on a
plain list of item ids when the batch does not cover every item), so no statement joins or repeats the scopes.
Rank distributions come from a GROUP BY; the lists the reports print in full (who chose what, numbers, texts,
legal references) are read row by row (streamed in chunks on large consultations) and ordered in Python by the Parties'
names. The result is plain JSON: the single source of the HTML, PDF, DOCX and XLSX.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from consultation.models import (
    CHOICE_FIELD_TYPES,
    Consultation,
    Field,
    FieldType,
    Item,
    ItemAddressee,
    Option,
    Party,
    Response,
    ResponseStatus,
    SubmittedAnswer,
    SubmittedAttachment,
    SubmittedChoice,
    SubmittedReference,
    SubmittedValue,
)

from ..audience import Rows, rows_for
from ..models import Audience, ScopeKind
from .scopes import Scope

TEXT_CHUNK = 5000
ROW_CHUNK = 5000
# Above this many answered (Party, item) pairs the row-by-row reads stream through server-side cursors in chunks
# (memory stays flat at 200 x 1,000); below it one fetch each is cheaper (a cursor costs three round trips).
STREAM_FROM_PAIRS = 20_000
ONE_DECIMAL = Decimal("0.1")
TWO_DECIMALS = Decimal("0.01")


def percent(part: int, whole: int) -> float:
    """Share of ``whole`` in percent, one decimal, rounded half up (3/6 → 50.0, 1/6 → 16.7)."""
    if not whole:
        return 0.0
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP))


def number_text(value: Decimal | None) -> str | None:
    """A decimal as plain text without trailing zeros (12.5000 → "12.5", 1E+1 → "10")."""
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


def median_of_sorted(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


def median_of_distribution(distribution: list[int]) -> Decimal | None:
    """Median rank from counts per rank (``distribution[0]`` is how many put the option first)."""
    total = sum(distribution)
    if not total:
        return None

    def nth(position: int) -> int:  # 0-based position in the sorted list of ranks
        seen = 0
        for index, count in enumerate(distribution):
            seen += count
            if position < seen:
                return index + 1
        return len(distribution)

    if total % 2:
        return Decimal(nth(total // 2))
    return Decimal(nth(total // 2 - 1) + nth(total // 2)) / 2


def _party_name(party: dict[str, Any]) -> str:
    return party["name_en"]


@dataclass(frozen=True, slots=True)
class _Field:
    """A field as the figures read it (a plain row: model instances cost more than the figures themselves)."""

    pk: int
    item_id: int
    key: str
    type: str
    label_en: str | None
    label_fr: str | None
    unit: str


@dataclass(frozen=True, slots=True)
class _Option:
    pk: int
    field_id: int
    key: str
    label_en: str | None
    label_fr: str | None


@dataclass
class ItemFigures:
    """Per-item figures for a set of items, computed once and shared by every report that covers them."""

    items: list[dict[str, Any]]
    articles: dict[int, set[int]]
    themes: dict[int, str]
    codes: dict[int, str]
    matrix_columns: dict[int, list[dict[str, Any]]]
    matrix_cells: dict[int, dict[int, tuple[str, int]]]  # Party id → field id → (label, option position)
    parties: dict[int, dict[str, Any]]
    answered: dict[int, set[int]]  # item id → the Parties whose last submission answers it
    submitted_at: dict[int, Any]  # Party id → its last submission
    under_revision: dict[int, Any]  # Party id → reopened since (its last submission still counts)
    addressees: dict[int, set[int]]  # item id → the Parties it is put to (absent: put to every Party)


def item_figures(
    *, consultation: Consultation, item_ids: list[int] | None = None, audience: str = Audience.COMMITTEE
) -> ItemFigures:
    """Every figure that depends on the items only (not on the report's scope), in 14 queries; ``item_ids``
    None means every item of the consultation. ``audience`` "public" reads only what is published
    (``reports.audience``: the same queries, each filtered at its root).

    Run inside one transaction: PostgreSQL then streams the large reads through plain server-side cursors
    (outside a transaction Django must declare them WITH HOLD, which materialises every row first).
    """
    with transaction.atomic():
        return _item_figures(
            consultation=consultation,
            item_ids=item_ids,
            audience=rows_for(consultation_id=consultation.pk, audience=audience),
        )


def _in_scope(queryset: QuerySet, item_ids: list[int] | None, column: str = "item_id") -> QuerySet:
    return queryset if item_ids is None else queryset.filter(**{f"{column}__in": item_ids})


def item_addressees(*, consultation: Consultation, item_ids: list[int] | None) -> dict[int, set[int]]:
    """The Parties each item in scope is put to (one query). An item without addressee rows is put to every
    Party and is absent here, so a report never counts a Party against a question nobody asked it."""
    addressees: dict[int, set[int]] = defaultdict(set)
    for item_id, party_id in _in_scope(
        ItemAddressee.objects.filter(item__consultation=consultation), item_ids
    ).values_list("item_id", "party_id"):
        addressees[item_id].add(party_id)
    return dict(addressees)


def _asked(item_id: int, addressees: dict[int, set[int]], answered: dict[int, set[int]], active: set[int]) -> set[int]:
    """The Parties asked an item, as participation counts them (every active Party, and an inactive one where it
    answered), narrowed to the item's addressees when it has some."""
    asked = active | answered.get(item_id, set())
    return asked & addressees[item_id] if item_id in addressees else asked


def _item_figures(*, consultation: Consultation, item_ids: list[int] | None, audience: Rows) -> ItemFigures:
    item_rows = list(
        _in_scope(Item.objects.filter(consultation=consultation), item_ids, "pk")
        .select_related("theme")
        .order_by("order", "code")
        .only("id", "code", "order", "text_en", "text_fr", "theme__code", "theme__name_en", "theme__name_fr")
    )
    articles_by_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item_id, number, title_en, title_fr in (
        _in_scope(Item.articles.through.objects.filter(item__consultation=consultation), item_ids)
        .order_by("article__number")
        .values_list("item_id", "article__number", "article__title_en", "article__title_fr")
    ):
        articles_by_item[item_id].append({"number": number, "title_en": title_en, "title_fr": title_fr})
    fields = [
        _Field(*row)
        for row in _in_scope(Field.objects.filter(item__consultation=consultation), item_ids)
        .order_by("order", "id")
        .values_list("pk", "item_id", "key", "type", "label_en", "label_fr", "unit")
    ]
    options_by_field: dict[int, list[_Option]] = defaultdict(list)
    for row in (
        _in_scope(Option.objects.filter(field__item__consultation=consultation), item_ids, "field__item_id")
        .order_by("order", "id")
        .values_list("pk", "field_id", "key", "label_en", "label_fr")
    ):
        options_by_field[row[1]].append(_Option(*row))
    parties = {
        row["id"]: row
        for row in audience.parties(Party.objects.order_by("name_en")).values(
            "id", "iso2", "name_en", "name_fr", "is_active"
        )
    }
    place = {party_id: index for index, party_id in enumerate(parties)}  # alphabetical position of each Party

    def by_name(party_ids: list[int]) -> list[int]:
        return sorted(party_ids, key=place.__getitem__)

    submitted = {"consultation": consultation}
    answered: dict[int, set[int]] = defaultdict(set)
    for item_id, party_id in _in_scope(
        audience.answers(SubmittedAnswer.objects.filter(is_answered=True, **submitted)), item_ids
    ).values_list("item_id", "party_id"):
        answered[item_id].add(party_id)
    stream = sum(len(parties) for parties in answered.values()) > STREAM_FROM_PAIRS
    addressees = item_addressees(consultation=consultation, item_ids=item_ids)
    active = {party_id for party_id, party in parties.items() if party["is_active"]}
    # A question put to some Parties only gives its percentages of the Parties asked.
    asked_base = {item_id: len(_asked(item_id, addressees, answered, active)) for item_id in addressees}

    def rows(queryset: QuerySet, chunk: int) -> Any:
        return queryset.iterator(chunk_size=chunk) if stream else queryset

    submitted_at: dict[int, Any] = {}
    under_revision: dict[int, Any] = {}
    for party_id, status, last_submitted, reopened_at in audience.responses(
        Response.objects.filter(
            Exists(SubmittedAnswer.objects.filter(response=OuterRef("pk"))), consultation=consultation
        )
    ).values_list("party_id", "status", "submitted_at", "reopened_at"):
        submitted_at[party_id] = last_submitted  # the submission the copy holds (kept while under revision)
        if status != ResponseStatus.SUBMITTED:
            under_revision[party_id] = reopened_at

    # Who chose what (single and multiple choice) and who ranked what first: counts, Party lists and the matrix.
    parties_by_option: dict[tuple[int, int], list[int]] = defaultdict(list)
    matrix_chosen: dict[tuple[int, int], list[int]] = defaultdict(list)
    for field_id, option_id, party_id in rows(
        _in_scope(audience.typed(SubmittedChoice.objects.filter(**submitted)), item_ids)
        .exclude(rank__gt=1)  # chosen options, and the option each Party ranked first
        .values_list("field_id", "option_id", "party_id"),
        ROW_CHUNK,
    ):
        parties_by_option[(field_id, option_id)].append(party_id)
        matrix_chosen[(party_id, field_id)].append(option_id)
    for key, party_ids in parties_by_option.items():
        parties_by_option[key] = by_name(party_ids)
    replying_per_field: dict[int, set[int]] = defaultdict(set)
    for (field_id, _option_id), party_ids in parties_by_option.items():
        replying_per_field[field_id].update(party_ids)
    # Rankings row by row (Parties x options of the ranking fields only): the distribution per rank, and each
    # Party's whole order for the workbook's sheet of every answer.
    rank_distribution: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    rank_orders: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for field_id, option_id, party_id, rank in rows(
        _in_scope(
            audience.typed(SubmittedChoice.objects.filter(rank__isnull=False, **submitted)), item_ids
        ).values_list("field_id", "option_id", "party_id", "rank"),
        ROW_CHUNK,
    ):
        by_rank = rank_distribution[(field_id, option_id)]
        by_rank[rank] = by_rank.get(rank, 0) + 1
        rank_orders[field_id][party_id].append((rank, option_id))

    # The documents the Parties attached, as they stood at submission (listed by name and size; the file stays
    # behind the access-checked download of the reply).
    attachments_by_item: dict[int, list[tuple[int, int | None, str, int]]] = defaultdict(list)
    for item_id, party_id, attachment_id, name, size in (
        _in_scope(audience.typed(SubmittedAttachment.objects.filter(**submitted)), item_ids)
        .order_by("id")
        .values_list("item_id", "party_id", "attachment_id", "original_name", "size")
    ):
        attachments_by_item[item_id].append((party_id, attachment_id, name, size))

    numbers_by_field: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    texts_by_field: dict[int, list[tuple[int, str, str]]] = defaultdict(list)
    for field_id, party_id, text, number, language in rows(
        _in_scope(audience.typed(SubmittedValue.objects.filter(**submitted)), item_ids).values_list(
            "field_id", "party_id", "text", "number", "answer__language"
        ),
        TEXT_CHUNK,
    ):
        if number is not None:
            numbers_by_field[field_id].append((party_id, number))
        if text:
            texts_by_field[field_id].append((party_id, text, language))
    references_by_field: dict[int, list[tuple[int, int, str, str, str]]] = defaultdict(list)
    for field_id, party_id, position, instrument, provision, url in rows(
        _in_scope(audience.typed(SubmittedReference.objects.filter(**submitted)), item_ids).values_list(
            "field_id", "party_id", "position", "instrument", "provision", "url"
        ),
        TEXT_CHUNK,
    ):
        references_by_field[field_id].append((party_id, position, instrument, provision, url))

    fields_by_item: dict[int, list[_Field]] = defaultdict(list)
    for field in fields:
        fields_by_item[field.item_id].append(field)

    def names(party_ids: list[int]) -> list[str]:
        return [_party_name(parties[p]) for p in party_ids]

    def field_figures(field: _Field) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": field.pk,
            "key": field.key,
            "type": field.type,
            "label_en": field.label_en or "",
            "label_fr": field.label_fr or field.label_en or "",
            "unit": field.unit,
        }
        if field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            replying = len(replying_per_field.get(field.pk, ()))
            out["replying"] = replying
            out["options"] = []
            for option in options_by_field[field.pk]:
                chosen = parties_by_option.get((field.pk, option.pk), [])
                out["options"].append(
                    {
                        "id": option.pk,
                        "key": option.key,
                        "label_en": option.label_en or "",
                        "label_fr": option.label_fr or option.label_en or "",
                        "count": len(chosen),  # an option is chosen at most once per answer, i.e. per Party
                        "percent": percent(len(chosen), asked_base.get(field.item_id, replying)),
                        "parties": names(chosen),
                    }
                )
        elif field.type == FieldType.RANKING:
            options = options_by_field[field.pk]
            out["replying"] = len(replying_per_field.get(field.pk, ()))
            ranked = []
            for option in options:
                by_rank = rank_distribution.get((field.pk, option.pk), {})
                distribution = [by_rank.get(rank, 0) for rank in range(1, len(options) + 1)]
                count = sum(distribution)
                mean = (
                    (Decimal(sum(rank * n for rank, n in enumerate(distribution, start=1))) / count).quantize(
                        TWO_DECIMALS, rounding=ROUND_HALF_UP
                    )
                    if count
                    else None
                )
                median = median_of_distribution(distribution)
                ranked.append(
                    {
                        "id": option.pk,
                        "key": option.key,
                        "label_en": option.label_en or "",
                        "label_fr": option.label_fr or option.label_en or "",
                        "count": count,
                        "mean": float(mean) if mean is not None else None,
                        "median": float(median) if median is not None else None,
                        "distribution": distribution,
                        "first": names(parties_by_option.get((field.pk, option.pk), [])),
                    }
                )
            out["options"] = sorted(ranked, key=lambda o: (o["mean"] is None, o["mean"] or 0))
            option_keys = {option.pk: option.key for option in options}
            out["orders"] = [
                {"party": _party_name(parties[p]), "options": [option_keys[o] for _rank, o in sorted(order)]}
                for p, order in sorted(rank_orders.get(field.pk, {}).items(), key=lambda row: place[row[0]])
            ]
        elif field.type == FieldType.NUMBER:
            numbers = sorted(numbers_by_field.get(field.pk, []), key=lambda row: (row[1], place[row[0]]))
            values = [n for _p, n in numbers]
            out["replying"] = len(numbers)
            out["stats"] = {
                "count": len(values),
                "total": number_text(sum(values, Decimal(0))) if values else None,
                "median": number_text(median_of_sorted(values)),
                "min": number_text(values[0]) if values else None,
                "max": number_text(values[-1]) if values else None,
            }
            out["values"] = [
                {"party": _party_name(parties[p]), "value": number_text(n)}
                for p, n in sorted(numbers, key=lambda row: place[row[0]])
            ]
        elif field.type == FieldType.TEXT:
            out["answers"] = [
                {"party": _party_name(parties[p]), "language": language, "text": text}
                for p, text, language in sorted(texts_by_field.get(field.pk, []), key=lambda row: place[row[0]])
            ]
            out["replying"] = len(out["answers"])
        elif field.type == FieldType.LEGAL_REFERENCES:
            rows = sorted(references_by_field.get(field.pk, []), key=lambda row: (place[row[0]], row[1]))
            out["references"] = [
                {"party": _party_name(parties[p]), "instrument": instrument, "provision": provision, "url": url}
                for p, _position, instrument, provision, url in rows
            ]
            out["replying"] = len({row[0] for row in rows})
        return out

    item_dicts = []
    matrix_columns: dict[int, list[dict[str, Any]]] = {}
    for item in item_rows:
        item_fields = [field_figures(field) for field in fields_by_item[item.pk] if field.type != FieldType.ATTACHMENT]
        asked = _asked(item.pk, addressees, answered, active)
        item_dicts.append(
            {
                "id": item.pk,
                "code": item.code,
                "text_en": item.text_en or "",
                "text_fr": item.text_fr or item.text_en or "",
                "theme": {
                    "code": item.theme.code,
                    "name_en": item.theme.name_en,
                    "name_fr": item.theme.name_fr or item.theme.name_en,
                },
                "articles": articles_by_item.get(item.pk, []),
                "replying": len(answered.get(item.pk, ())),
                "answered_by": names(by_name(list(answered.get(item.pk, ())))),
                "asked": len(asked),
                # Named only for a question put to some Parties (the others say nothing new).
                **({"asked_parties": names(by_name(list(asked)))} if item.pk in addressees else {}),
                "fields": item_fields,
                "attachments": [
                    {"party": _party_name(parties[p]), "id": attachment_id, "name": name, "size": size}
                    for p, attachment_id, name, size in sorted(
                        attachments_by_item.get(item.pk, []), key=lambda row: (place[row[0]], row[2])
                    )
                ],
            }
        )
        matrix_columns[item.pk] = [
            {"field_id": field.pk, "item": item.code, "key": field.key, "type": field.type}
            for field in fields_by_item[item.pk]
            if field.type in CHOICE_FIELD_TYPES
        ]
    return ItemFigures(
        items=item_dicts,
        articles={item.pk: {a["number"] for a in articles_by_item.get(item.pk, [])} for item in item_rows},
        themes={item.pk: item.theme.code for item in item_rows},
        codes={item.pk: item.code for item in item_rows},
        matrix_columns=matrix_columns,
        matrix_cells=_matrix_cells(matrix_chosen, fields_by_item, options_by_field),
        parties=parties,
        answered=answered,
        submitted_at=submitted_at,
        under_revision=under_revision,
        addressees=addressees,
    )


def _matrix_cells(
    chosen: dict[tuple[int, int], list[int]],
    fields_by_item: dict[int, list[_Field]],
    options_by_field: dict[int, list[_Option]],
) -> dict[int, dict[int, tuple[str, int]]]:
    """One cell per (Party, closed field), built once and shared by every report's matrix (memory stays flat
    however many reports cover the same item)."""
    position = {o.pk: index for opts in options_by_field.values() for index, o in enumerate(opts)}
    label = {o.pk: o.label_en or o.key for opts in options_by_field.values() for o in opts}
    ranking = {f.pk for fields in fields_by_item.values() for f in fields if f.type == FieldType.RANKING}
    cells: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    for (party_id, field_id), option_ids in chosen.items():
        option_ids = sorted(option_ids, key=position.__getitem__)
        text = label[option_ids[0]] if len(option_ids) == 1 else "; ".join(label[o] for o in option_ids)
        if field_id in ranking:
            text = "1. " + text
        cells[party_id][field_id] = (text, position[option_ids[0]])
    return cells


def _instrument_key(text: str) -> str:
    """Spellings of one instrument that differ only in case or spacing count together."""
    return " ".join(text.split()).casefold()


def legal_reference_counts(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Legal references counted across Parties: by instrument (references and Parties citing it, most cited first)
    and by the Convention article the questions concern (each reference given under a question counts for every
    article that question is tagged with)."""
    instruments: dict[str, dict[str, Any]] = {}
    articles: dict[int, dict[str, Any]] = {}
    for item in items:
        for field in item["fields"]:
            if field["type"] != FieldType.LEGAL_REFERENCES:
                continue
            for reference in field["references"]:
                key = _instrument_key(reference["instrument"])
                entry = instruments.setdefault(
                    key, {"instrument": " ".join(reference["instrument"].split()), "references": 0, "parties": set()}
                )
                entry["references"] += 1
                entry["parties"].add(reference["party"])
                for article in item["articles"]:
                    counted = articles.setdefault(
                        article["number"],
                        {
                            "number": article["number"],
                            "title_en": article["title_en"],
                            "title_fr": article["title_fr"],
                            "references": 0,
                            "parties": set(),
                        },
                    )
                    counted["references"] += 1
                    counted["parties"].add(reference["party"])

    def plain(entry: dict[str, Any]) -> dict[str, Any]:
        return {**entry, "parties": sorted(entry["parties"])}

    by_instrument = sorted(
        instruments.values(), key=lambda e: (-len(e["parties"]), -e["references"], e["instrument"].casefold())
    )
    return {
        "by_instrument": [plain(e) for e in by_instrument],
        "by_article": [plain(articles[n]) for n in sorted(articles)],
    }


def _party_entry(
    party: dict[str, Any], under_revision: dict[int, Any], submitted_at: dict[int, Any] | None = None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "name_en": party["name_en"],
        "name_fr": party["name_fr"] or party["name_en"],
        "iso2": party["iso2"],
    }
    if submitted_at and submitted_at.get(party["id"]):
        entry["submitted_at"] = submitted_at[party["id"]].isoformat()
    if party["id"] in under_revision:
        since = under_revision[party["id"]]
        entry["under_revision_since"] = since.isoformat() if since else None
    return entry


def _assemble(*, consultation: Consultation, shared: ItemFigures, item_ids: set[int], built_at) -> dict[str, Any]:
    """One report's figures: its items (in questionnaire order), its participation and its matrix."""
    parties = shared.parties
    items = [item for item in shared.items if item["id"] in item_ids]
    replied_ids: set[int] = set().union(*(shared.answered.get(item_id, ()) for item_id in item_ids))
    replied_at = {party_id: shared.submitted_at[party_id] for party_id in replied_ids}
    columns = [column for item in items for column in shared.matrix_columns[item["id"]]]
    replied = [party for pid, party in parties.items() if pid in replied_at]
    not_replied = [party for pid, party in parties.items() if pid not in replied_at and party["is_active"]]
    if item_ids and all(item_id in shared.addressees for item_id in item_ids):  # no item put to every Party
        asked_any: set[int] = set().union(*(shared.addressees[item_id] for item_id in item_ids))
        not_replied = [party for party in not_replied if party["id"] in asked_any]
    field_ids = [column["field_id"] for column in columns]
    no_cells: dict[int, tuple[str, int]] = {}
    matrix_rows = []
    for party in replied:
        row = shared.matrix_cells.get(party["id"], no_cells)
        matrix_rows.append({"party": _party_name(party), "cells": [row.get(field_id) for field_id in field_ids]})
    last_submission = max(replied_at.values(), default=None)
    return {
        "consultation": {
            "slug": consultation.slug,
            "title_en": consultation.title_en or "",
            "title_fr": consultation.title_fr or consultation.title_en or "",
        },
        "built_at": built_at.isoformat(),
        "cutoff": built_at.isoformat(),
        "last_submission": last_submission.isoformat() if last_submission else None,
        "participation": {
            "replied": [_party_entry(p, shared.under_revision, replied_at) for p in replied],
            "not_replied": [_party_entry(p, {}) for p in not_replied],
            "replied_count": len(replied),
            "asked_count": len(replied) + len(not_replied),
        },
        "items": items,
        "legal_references": legal_reference_counts(items),
        "matrix": {"columns": columns, "rows": matrix_rows},
    }


def report_figures(
    *, consultation: Consultation, items: QuerySet[Item], audience: str = Audience.COMMITTEE
) -> dict[str, Any]:
    """Participation, per-field figures, compilations and the Parties × closed-fields matrix for ``items``
    (15 queries whatever the number of Parties, items or fields)."""
    built_at = timezone.now()
    item_ids = list(items.values_list("pk", flat=True))
    shared = item_figures(consultation=consultation, item_ids=item_ids, audience=audience)
    return _assemble(consultation=consultation, shared=shared, item_ids=set(item_ids), built_at=built_at)


@dataclass(frozen=True)
class _CatalogueEntry:
    code: str
    theme: str
    articles: frozenset[int]


def _scope_members(scope: Scope, catalogue: dict[int, _CatalogueEntry]) -> set[int]:
    """The ids of the items a scope covers (the same rule as ``scopes.scope_items``, on the catalogue)."""
    if scope.kind == ScopeKind.ARTICLE:
        return {pk for pk, entry in catalogue.items() if int(scope.key) in entry.articles}
    if scope.kind == ScopeKind.THEME:
        return {pk for pk, entry in catalogue.items() if entry.theme == scope.key}
    if scope.kind == ScopeKind.ITEM:
        return {pk for pk, entry in catalogue.items() if entry.code == scope.key}
    if scope.kind == ScopeKind.ARTICLE_THEME:
        number, _sep, code = scope.key.partition(":")
        return {pk for pk, entry in catalogue.items() if int(number) in entry.articles and entry.theme == code}
    return set(catalogue)


def _catalogue(consultation: Consultation) -> dict[int, _CatalogueEntry]:
    """Each item's code, theme and articles: two small reads, so scopes resolve to plain lists of ids."""
    articles: dict[int, set[int]] = defaultdict(set)
    for item_id, number in Item.articles.through.objects.filter(item__consultation=consultation).values_list(
        "item_id", "article__number"
    ):
        articles[item_id].add(number)
    return {
        pk: _CatalogueEntry(code=code, theme=theme, articles=frozenset(articles.get(pk, ())))
        for pk, code, theme in Item.objects.filter(consultation=consultation).values_list("pk", "code", "theme__code")
    }


def report_figures_many(
    *, consultation: Consultation, scopes: list[Scope], audience: str = Audience.COMMITTEE
) -> dict[str, dict[str, Any]]:
    """The figures of several reports at once, keyed by scope label: the scopes are resolved to item ids
    (2 queries), then the per-item figures are computed once over their union (14 queries) and each report
    is assembled from them in memory."""
    built_at = timezone.now()
    catalogue = _catalogue(consultation)
    members = {scope.label: _scope_members(scope, catalogue) for scope in scopes}
    union = set().union(*members.values()) if members else set()
    shared = item_figures(
        consultation=consultation, item_ids=None if union == set(catalogue) else sorted(union), audience=audience
    )
    return {
        scope.label: _assemble(
            consultation=consultation, shared=shared, item_ids=members[scope.label], built_at=built_at
        )
        for scope in scopes
    }
