"""The figures of a comparative report, aggregated in the database from submitted replies only.

``report_figures`` runs a FIXED number of queries whatever the number of Parties, items or fields:
counts, groupings and ranks come from GROUP BY over the typed answer rows (``AnswerChoice``,
``AnswerValue``, ``LegalReference``); only the lists the report prints in full (Party names under
each option, numbers, texts, legal references) are read row by row, and texts are streamed with
``.iterator()``. The result is plain JSON: the single source of the HTML, PDF, DOCX and XLSX.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils import timezone

from consultation.models import (
    CHOICE_FIELD_TYPES,
    Answer,
    AnswerChoice,
    AnswerValue,
    Consultation,
    Field,
    FieldType,
    Item,
    LegalReference,
    Option,
    Party,
    Response,
    ResponseStatus,
)

from ..models import ScopeKind
from .scopes import Scope, scope_items

SUBMITTED = ResponseStatus.SUBMITTED
TEXT_CHUNK = 5000
ROW_CHUNK = 5000
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


def item_figures(*, consultation: Consultation, items: QuerySet[Item]) -> ItemFigures:
    """Every figure that depends on the items only (not on the report's scope), in 14 queries.

    Run inside one transaction: PostgreSQL then streams the large reads through plain server-side cursors
    (outside a transaction Django must declare them WITH HOLD, which materialises every row first).
    """
    with transaction.atomic():
        return _item_figures(consultation=consultation, items=items)


def _item_figures(*, consultation: Consultation, items: QuerySet[Item]) -> ItemFigures:
    item_ids = items.values("pk")
    item_rows = list(
        Item.objects.filter(pk__in=item_ids)
        .select_related("theme")
        .order_by("order", "code")
        .only("id", "code", "order", "text_en", "text_fr", "theme__code", "theme__name_en", "theme__name_fr")
    )
    articles_by_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for link in (
        Item.articles.through.objects.filter(item_id__in=item_ids).select_related("article").order_by("article__number")
    ):
        articles_by_item[link.item_id].append(
            {"number": link.article.number, "title_en": link.article.title_en, "title_fr": link.article.title_fr}
        )
    fields = list(Field.objects.filter(item_id__in=item_ids).order_by("order", "id"))
    options_by_field: dict[int, list[Option]] = defaultdict(list)
    for option in Option.objects.filter(field__item_id__in=item_ids).order_by("order", "id"):
        options_by_field[option.field_id].append(option)
    parties = {
        row["id"]: row
        for row in Party.objects.order_by("name_en").values("id", "iso2", "name_en", "name_fr", "is_active")
    }

    answered = Answer.objects.filter(
        response__consultation=consultation, response__status=SUBMITTED, item_id__in=item_ids, is_answered=True
    )
    replying_per_item = {
        row["item_id"]: row["n"]
        # one answer per reply and item, one reply per Party: counting answers counts Parties
        for row in answered.values("item_id").annotate(n=Count("id"))
    }
    scope_filter = {
        "answer__response__consultation": consultation,
        "answer__response__status": SUBMITTED,
        "answer__item_id__in": item_ids,
    }
    choices = AnswerChoice.objects.filter(**scope_filter)
    option_counts = {
        (row["field_id"], row["option_id"]): row["n"]
        for row in choices.values("field_id", "option_id").annotate(
            n=Count("id")  # an option is chosen at most once per answer, i.e. once per Party
        )
    }
    replying_per_field = {
        row["field_id"]: row["n"] for row in choices.values("field_id").annotate(n=Count("answer_id", distinct=True))
    }
    # Who chose what (single and multiple choice) and who ranked what first: the Party lists and the matrix.
    parties_by_option: dict[tuple[int, int], list[int]] = defaultdict(list)
    matrix_cells: dict[tuple[int, int], list[int]] = defaultdict(list)
    for field_id, option_id, party_id in (
        choices.filter(Q(rank__isnull=True) | Q(rank=1))
        .order_by("answer__response__party__name_en", "option__order", "option_id")
        .values_list("field_id", "option_id", "answer__response__party_id")
        .iterator(chunk_size=ROW_CHUNK)
    ):
        parties_by_option[(field_id, option_id)].append(party_id)
        matrix_cells[(party_id, field_id)].append(option_id)
    rank_distribution: dict[tuple[int, int], dict[int, int]] = defaultdict(dict)
    for row in choices.filter(rank__isnull=False).values("field_id", "option_id", "rank").annotate(n=Count("id")):
        rank_distribution[(row["field_id"], row["option_id"])][row["rank"]] = row["n"]

    values = AnswerValue.objects.filter(**scope_filter)
    number_stats = {
        row["field_id"]: row
        for row in values.filter(number__isnull=False)
        .values("field_id")
        .annotate(total=Sum("number"), low=Min("number"), high=Max("number"), n=Count("id"))
    }
    numbers_by_field: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for field_id, party_id, number in (
        values.filter(number__isnull=False)
        .order_by("field_id", "number", "answer__response__party__name_en")
        .values_list("field_id", "answer__response__party_id", "number")
        .iterator(chunk_size=ROW_CHUNK)
    ):
        numbers_by_field[field_id].append((party_id, number))
    texts_by_field: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for field_id, party_id, text, language in (
        values.exclude(text="")
        .order_by("field_id", "answer__response__party__name_en")
        .values_list("field_id", "answer__response__party_id", "text", "answer__language")
        .iterator(chunk_size=TEXT_CHUNK)
    ):
        party = parties[party_id]
        texts_by_field[field_id].append({"party": _party_name(party), "language": language, "text": text})
    references_by_field: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for field_id, party_id, instrument, provision, url in (
        LegalReference.objects.filter(**scope_filter)
        .order_by("field_id", "answer__response__party__name_en", "position")
        .values_list("field_id", "answer__response__party_id", "instrument", "provision", "url")
        .iterator(chunk_size=TEXT_CHUNK)
    ):
        references_by_field[field_id].append(
            {"party": _party_name(parties[party_id]), "instrument": instrument, "provision": provision, "url": url}
        )

    fields_by_item: dict[int, list[Field]] = defaultdict(list)
    for field in fields:
        fields_by_item[field.item_id].append(field)

    def field_figures(field: Field) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": field.pk,
            "key": field.key,
            "type": field.type,
            "label_en": field.label_en or "",
            "label_fr": field.label_fr or field.label_en or "",
            "unit": field.unit,
        }
        if field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
            replying = replying_per_field.get(field.pk, 0)
            out["replying"] = replying
            out["options"] = [
                {
                    "id": option.pk,
                    "key": option.key,
                    "label_en": option.label_en or "",
                    "label_fr": option.label_fr or option.label_en or "",
                    "count": option_counts.get((field.pk, option.pk), 0),
                    "percent": percent(option_counts.get((field.pk, option.pk), 0), replying),
                    "parties": [_party_name(parties[p]) for p in parties_by_option.get((field.pk, option.pk), [])],
                }
                for option in options_by_field[field.pk]
            ]
        elif field.type == FieldType.RANKING:
            options = options_by_field[field.pk]
            out["replying"] = replying_per_field.get(field.pk, 0)
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
                        "first": [_party_name(parties[p]) for p in parties_by_option.get((field.pk, option.pk), [])],
                    }
                )
            out["options"] = sorted(ranked, key=lambda o: (o["mean"] is None, o["mean"] or 0))
        elif field.type == FieldType.NUMBER:
            stats = number_stats.get(field.pk)
            numbers = numbers_by_field.get(field.pk, [])
            out["replying"] = len(numbers)
            out["stats"] = {
                "count": stats["n"] if stats else 0,
                "total": number_text(stats["total"]) if stats else None,
                "median": number_text(median_of_sorted([n for _p, n in numbers])),
                "min": number_text(stats["low"]) if stats else None,
                "max": number_text(stats["high"]) if stats else None,
            }
            out["values"] = sorted(
                ({"party": _party_name(parties[p]), "value": number_text(n)} for p, n in numbers),
                key=lambda row: row["party"],
            )
        elif field.type == FieldType.TEXT:
            out["answers"] = texts_by_field.get(field.pk, [])
            out["replying"] = len(out["answers"])
        elif field.type == FieldType.LEGAL_REFERENCES:
            out["references"] = references_by_field.get(field.pk, [])
            out["replying"] = len({row["party"] for row in out["references"]})
        return out

    item_dicts = []
    matrix_columns: dict[int, list[dict[str, Any]]] = {}
    for item in item_rows:
        item_fields = [field_figures(field) for field in fields_by_item[item.pk] if field.type != FieldType.ATTACHMENT]
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
                "replying": replying_per_item.get(item.pk, 0),
                "fields": item_fields,
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
        matrix_cells=_matrix_cells(matrix_cells, fields_by_item, options_by_field),
        parties=parties,
    )


def _matrix_cells(
    chosen: dict[tuple[int, int], list[int]],
    fields_by_item: dict[int, list[Field]],
    options_by_field: dict[int, list[Option]],
) -> dict[int, dict[int, tuple[str, int]]]:
    """One cell per (Party, closed field), built once and shared by every report's matrix (memory stays flat
    however many reports cover the same item)."""
    position = {o.pk: index for opts in options_by_field.values() for index, o in enumerate(opts)}
    label = {o.pk: o.label_en or o.key for opts in options_by_field.values() for o in opts}
    ranking = {f.pk for fields in fields_by_item.values() for f in fields if f.type == FieldType.RANKING}
    cells: dict[int, dict[int, tuple[str, int]]] = defaultdict(dict)
    for (party_id, field_id), option_ids in chosen.items():
        text = label[option_ids[0]] if len(option_ids) == 1 else "; ".join(label[o] for o in option_ids)
        if field_id in ranking:
            text = "1. " + text
        cells[party_id][field_id] = (text, position[option_ids[0]])
    return cells


def _party_entry(party: dict[str, Any]) -> dict[str, str]:
    return {"name_en": party["name_en"], "name_fr": party["name_fr"] or party["name_en"], "iso2": party["iso2"]}


def _assemble(
    *,
    consultation: Consultation,
    shared: ItemFigures,
    item_ids: set[int],
    replied_ids: set[int],
    last_submission,
    built_at,
) -> dict[str, Any]:
    """One report's figures: its items (in questionnaire order), its participation and its matrix."""
    parties = shared.parties
    items = [item for item in shared.items if item["id"] in item_ids]
    columns = [column for item in items for column in shared.matrix_columns[item["id"]]]
    replied = [party for pid, party in parties.items() if pid in replied_ids]
    not_replied = [party for pid, party in parties.items() if pid not in replied_ids and party["is_active"]]
    field_ids = [column["field_id"] for column in columns]
    no_cells: dict[int, tuple[str, int]] = {}
    matrix_rows = []
    for party in replied:
        row = shared.matrix_cells.get(party["id"], no_cells)
        matrix_rows.append({"party": _party_name(party), "cells": [row.get(field_id) for field_id in field_ids]})
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
            "replied": [_party_entry(p) for p in replied],
            "not_replied": [_party_entry(p) for p in not_replied],
            "replied_count": len(replied),
            "asked_count": len(replied) + len(not_replied),
        },
        "items": items,
        "matrix": {"columns": columns, "rows": matrix_rows},
    }


def report_figures(*, consultation: Consultation, items: QuerySet[Item]) -> dict[str, Any]:
    """Participation, per-field figures, compilations and the Parties × closed-fields matrix for ``items``
    (15 queries whatever the number of Parties, items or fields)."""
    built_at = timezone.now()
    shared = item_figures(consultation=consultation, items=items)
    replying_rows = list(
        Response.objects.filter(
            consultation=consultation,
            status=SUBMITTED,
            answers__item_id__in=items.values("pk"),
            answers__is_answered=True,
        )
        .values("party_id")
        .annotate(last=Max("submitted_at"))
    )
    return _assemble(
        consultation=consultation,
        shared=shared,
        item_ids={item["id"] for item in shared.items},
        replied_ids={row["party_id"] for row in replying_rows},
        last_submission=max((row["last"] for row in replying_rows), default=None),
        built_at=built_at,
    )


def _scope_members(scope: Scope, shared: ItemFigures) -> set[int]:
    if scope.kind == ScopeKind.ARTICLE:
        return {pk for pk, numbers in shared.articles.items() if int(scope.key) in numbers}
    if scope.kind == ScopeKind.THEME:
        return {pk for pk, code in shared.themes.items() if code == scope.key}
    if scope.kind == ScopeKind.ITEM:
        return {pk for pk, code in shared.codes.items() if code == scope.key}
    if scope.kind == ScopeKind.ARTICLE_THEME:
        number, _sep, code = scope.key.partition(":")
        return {pk for pk, numbers in shared.articles.items() if int(number) in numbers and shared.themes[pk] == code}
    return set(shared.codes)


PARTICIPATION_KEYS = {
    ScopeKind.OVERVIEW: (),
    ScopeKind.ARTICLE: ("item__articles__number",),
    ScopeKind.THEME: ("item__theme__code",),
    ScopeKind.ITEM: ("item__code",),
    ScopeKind.ARTICLE_THEME: ("item__articles__number", "item__theme__code"),
}


def _participation_key(scope: Scope) -> tuple:
    if scope.kind == ScopeKind.ARTICLE:
        return (int(scope.key),)
    if scope.kind == ScopeKind.ARTICLE_THEME:
        number, _sep, code = scope.key.partition(":")
        return (int(number), code)
    if scope.kind == ScopeKind.OVERVIEW:
        return ()
    return (scope.key,)


def report_figures_many(*, consultation: Consultation, scopes: list[Scope]) -> dict[str, dict[str, Any]]:
    """The figures of several reports at once, keyed by scope label: the per-item figures are computed once
    over the union of their items (14 queries), participation with one GROUP BY per kind of scope."""
    built_at = timezone.now()
    condition = Q()
    for scope in scopes:
        condition |= Q(pk__in=scope_items(consultation=consultation, kind=scope.kind, key=scope.key).values("pk"))
    union = Item.objects.filter(consultation=consultation).filter(condition)
    shared = item_figures(consultation=consultation, items=union)
    answered = Answer.objects.filter(
        response__consultation=consultation, response__status=SUBMITTED, is_answered=True, item__in=union
    )
    replying: dict[tuple, set[int]] = defaultdict(set)
    last: dict[tuple, Any] = {}
    for kind in sorted({scope.kind for scope in scopes}):
        keys = PARTICIPATION_KEYS[kind]
        for row in answered.values(*keys, "response__party_id").annotate(last=Max("response__submitted_at")):
            key = (kind, *(row[k] for k in keys))
            replying[key].add(row["response__party_id"])
            last[key] = max(filter(None, (last.get(key), row["last"])), default=None)
    figures = {}
    for scope in scopes:
        key = (scope.kind, *_participation_key(scope))
        figures[scope.label] = _assemble(
            consultation=consultation,
            shared=shared,
            item_ids=_scope_members(scope, shared),
            replied_ids=replying.get(key, set()),
            last_submission=last.get(key),
            built_at=built_at,
        )
    return figures
