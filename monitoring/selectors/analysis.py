"""What the rapporteurs read: an item's submitted replies with their figures, texts and codings; progress; the
Party × code matrix and its quotes. Only the submitted copy is read (``consultation.Submitted*``): drafts, and
the changes of a reply reopened for correction, never show here."""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import get_language

from consultation.models import (
    Consultation,
    Field,
    FieldType,
    Item,
    Option,
    Party,
    SubmittedAnswer,
    SubmittedChoice,
    SubmittedReference,
    SubmittedValue,
)

from ..models import Code, CodeGroup, Coding

SEARCH_CONFIGS = (("en", "english"), ("fr", "french"))
START, STOP = "\x02", "\x03"


@dataclass
class Segment:
    text: str
    coded: bool = False
    hit: bool = False
    codes: list[str] = field(default_factory=list)


@dataclass
class TextAnswer:
    field: Field
    text: str
    segments: list[Segment]


@dataclass
class Reply:
    submitted: SubmittedAnswer
    party: Party
    figures: list[tuple[str, str]]
    texts: list[TextAnswer]
    codings: list[Coding]

    @property
    def needs_review(self) -> int:
        return sum(1 for coding in self.codings if coding.needs_review)


def text_segments(text: str, codings: list[Coding], hits: list[tuple[int, int]]) -> list[Segment]:
    """The text cut at every coding's and search hit's boundary; each piece knows whether it is coded (by
    which codes) and whether it is a hit. Joined, the pieces give the text back unchanged, so offsets read from
    the page's selection are offsets in the submitted text."""
    ranges = [
        (c.start, c.end, c.code.name)
        for c in codings
        if c.start is not None and c.end is not None and not c.needs_review
    ]
    cuts = {0, len(text)}
    for start, end, _name in ranges:
        cuts |= {max(0, min(start, len(text))), max(0, min(end, len(text)))}
    for start, end in hits:
        cuts |= {start, end}
    points = sorted(cuts)
    segments = []
    for start, end in itertools.pairwise(points):
        if start == end:
            continue
        codes = sorted({name for s, e, name in ranges if s <= start and end <= e})
        hit = any(s <= start and end <= e for s, e in hits)
        segments.append(Segment(text=text[start:end], coded=bool(codes), hit=hit, codes=codes))
    return segments


def _terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query or "", flags=re.UNICODE) if len(term) > 1]


def plain_hits(text: str, query: str) -> list[tuple[int, int]]:
    """Case-insensitive occurrences of the query's words (the SQLite fallback, and PostgreSQL's when the
    headline cannot be mapped back to the text)."""
    hits = []
    for term in _terms(query):
        for match in re.finditer(re.escape(term), text, flags=re.IGNORECASE):
            hits.append((match.start(), match.end()))
    return sorted(hits)


def headline_hits(text: str, headline: str) -> list[tuple[int, int]] | None:
    """Hit positions from a PostgreSQL headline marked with START/STOP, or None if it is not the text itself."""
    hits, plain, position, start = [], [], 0, None
    for char in headline:
        if char == START:
            start = position
        elif char == STOP and start is not None:
            hits.append((start, position))
            start = None
        else:
            plain.append(char)
            position += 1
    return hits if "".join(plain) == text else None


def _search(values: Any, query: str) -> tuple[set[int], dict[int, list[tuple[int, int]]]]:
    """Ids of the submitted answers whose texts match, and hits per SubmittedValue id. PostgreSQL: full-text
    search in English and in French (stemmed: "criminalise" finds "criminalising"); elsewhere icontains."""
    if connection.vendor != "postgresql":
        condition = Q()
        for term in _terms(query):
            condition |= Q(text__icontains=term)
        rows = list(values.filter(condition).values_list("pk", "answer_id", "text")) if condition else []
        return {answer_id for _pk, answer_id, _text in rows}, {pk: plain_hits(text, query) for pk, _a, text in rows}
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVector

    matched: set[int] = set()
    hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for _language, config in SEARCH_CONFIGS:
        search = SearchQuery(query, config=config, search_type="websearch")
        rows = (
            values.annotate(vector=SearchVector("text", config=config))
            .filter(vector=search)
            .annotate(
                headline=SearchHeadline(
                    "text", search, config=config, start_sel=START, stop_sel=STOP, highlight_all=True
                )
            )
            .values_list("pk", "answer_id", "text", "headline")
        )
        for pk, answer_id, text, headline in rows:
            matched.add(answer_id)
            found = headline_hits(text, headline)
            hits[pk] = sorted(set(hits[pk]) | set(found if found is not None else plain_hits(text, query)))
    return matched, dict(hits)


def item_replies(
    *,
    item: Item,
    party_ids: list[int] | None = None,
    option_id: int | None = None,
    language: str = "",
    query: str = "",
) -> list[Reply]:
    """Every submitted, answered reply to the item (filtered), with its figures beside its texts and codings."""
    answers = SubmittedAnswer.objects.filter(item=item, is_answered=True).select_related("party")
    if party_ids:
        answers = answers.filter(party_id__in=party_ids)
    if option_id:
        answers = answers.filter(
            pk__in=SubmittedChoice.objects.filter(item=item, option_id=option_id).values("answer_id")
        )
    if language:
        answers = answers.filter(language=language)
    values = SubmittedValue.objects.filter(item=item, field__type=FieldType.TEXT).exclude(text="")
    hits: dict[int, list[tuple[int, int]]] = {}
    query = (query or "").strip()
    if query:
        matched, hits = _search(values.filter(answer__in=answers), query)
        answers = answers.filter(pk__in=matched)
    ordered = sorted(answers, key=lambda answer: answer.party.name)
    ids = [answer.pk for answer in ordered]
    fields = {f.pk: f for f in item.fields.all()}
    labels = dict(Option.objects.filter(field__item=item).values_list("pk", f"label_{_language_suffix()}"))
    labels_en = dict(Option.objects.filter(field__item=item).values_list("pk", "label_en"))
    figures: dict[int, list[tuple[str, str]]] = defaultdict(list)
    choices = (
        SubmittedChoice.objects.filter(answer_id__in=ids)
        .order_by("field__order", "rank", "option__order")
        .values_list("answer_id", "field_id", "option_id", "rank")
    )
    for answer_id, field_id, choice, rank in choices:
        value = labels.get(choice) or labels_en.get(choice, "")
        figures[answer_id].append((fields[field_id].label, f"{rank}. {value}" if rank else value))
    numbers = SubmittedValue.objects.filter(
        answer_id__in=ids, field__type=FieldType.NUMBER, number__isnull=False
    ).values_list("answer_id", "field_id", "number")
    for answer_id, field_id, number in numbers:
        if number is None:  # excluded by the query; the column is nullable
            continue
        unit = fields[field_id].unit
        figures[answer_id].append((fields[field_id].label, f"{number.normalize():f}{' ' + unit if unit else ''}"))
    references = (
        SubmittedReference.objects.filter(answer_id__in=ids)
        .order_by("position")
        .values_list("answer_id", "field_id", "instrument", "provision")
    )
    for answer_id, field_id, instrument, provision in references:
        figures[answer_id].append((fields[field_id].label, f"{instrument} {provision}".strip()))
    codings_by_response: dict[int, list[Coding]] = defaultdict(list)
    response_ids = [answer.response_id for answer in ordered]
    for coding in (
        Coding.objects.with_review().filter(item=item, response_id__in=response_ids).select_related("code", "field")
    ):
        codings_by_response[coding.response_id].append(coding)
    texts_by_answer: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for pk, answer_id, field_id, text in (
        values.filter(answer_id__in=ids).order_by("field__order").values_list("pk", "answer_id", "field_id", "text")
    ):
        texts_by_answer[answer_id].append((pk, field_id, text))
    replies = []
    for answer in ordered:
        codings = codings_by_response[answer.response_id]
        texts = [
            TextAnswer(
                field=fields[field_id],
                text=text,
                segments=text_segments(text, [c for c in codings if c.field_id == field_id], hits.get(pk, [])),
            )
            for pk, field_id, text in texts_by_answer[answer.pk]
        ]
        replies.append(
            Reply(submitted=answer, party=answer.party, figures=figures[answer.pk], texts=texts, codings=codings)
        )
    return replies


def _language_suffix() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


def item_progress(*, item_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per item: (replies coded, replies submitted and answered)."""
    submitted = dict(
        SubmittedAnswer.objects.filter(item_id__in=item_ids, is_answered=True)
        .values("item_id")
        .annotate(n=Count("pk"))
        .values_list("item_id", "n")
    )
    coded = dict(
        Coding.objects.filter(item_id__in=item_ids)
        .values("item_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("item_id", "n")
    )
    return {item_id: (coded.get(item_id, 0), submitted.get(item_id, 0)) for item_id in item_ids}


def codebook_of(*, consultation: Consultation) -> list[tuple[CodeGroup | None, list[Code]]]:
    """The codebook grouped for display: each group with its codes, then the codes outside any group."""
    codes = list(Code.objects.filter(consultation=consultation).select_related("group"))
    groups = list(CodeGroup.objects.filter(consultation=consultation))
    grouped: list[tuple[CodeGroup | None, list[Code]]] = [
        (group, [c for c in codes if c.group_id == group.pk]) for group in groups
    ]
    loose = [c for c in codes if c.group_id is None]
    if loose:
        grouped.append((None, loose))
    return grouped


@dataclass
class Matrix:
    title: str
    codes: list[Code]
    parties: list[Party]
    counts: dict[tuple[int, int], int]
    parties_per_code: dict[int, int]

    def cell(self, party_id: int, code_id: int) -> int:
        return self.counts.get((party_id, code_id), 0)

    @property
    def rows(self) -> list[tuple[Party, list[tuple[Code, int]]]]:
        return [(party, [(code, self.cell(party.pk, code.pk)) for code in self.codes]) for party in self.parties]

    @property
    def totals(self) -> list[tuple[Code, int]]:
        return [(code, self.parties_per_code.get(code.pk, 0)) for code in self.codes]


def scope_item_ids(*, consultation: Consultation, scope: str) -> tuple[list[int], str]:
    """``item:<id>``, ``article:<number>`` or ``theme:<code>`` to the consultation's item ids and a title."""
    kind, _sep, value = (scope or "").partition(":")
    items = Item.objects.filter(consultation=consultation)
    if kind == "item" and value.isdigit():
        items = items.filter(pk=int(value))
        first = items.first()
        return [i.pk for i in items], (first.code if first else "")
    if kind == "article" and value.isdigit():
        return list(items.filter(articles__number=int(value)).values_list("pk", flat=True)), f"Art. {value}"
    if kind == "theme" and value:
        found = list(items.filter(theme__code=value).select_related("theme"))
        return [i.pk for i in found], (found[0].theme.name if found else value)
    return [], ""


def code_matrix(*, consultation: Consultation, item_ids: list[int], title: str = "") -> Matrix:
    """Parties × codes over these items: codings per cell (flagged ones left out until reviewed), and per code
    the number of Parties with at least one ("14 Parties describe ...")."""
    codings = Coding.objects.current().filter(consultation=consultation, item_id__in=item_ids)
    counts = {
        (party_id, code_id): n
        for party_id, code_id, n in codings.values("party_id", "code_id")
        .annotate(n=Count("pk"))
        .values_list("party_id", "code_id", "n")
    }
    parties_per_code = dict(
        codings.values("code_id").annotate(n=Count("party_id", distinct=True)).values_list("code_id", "n")
    )
    party_ids = set(
        SubmittedAnswer.objects.filter(item_id__in=item_ids, is_answered=True).values_list("party_id", flat=True)
    ) | {party_id for party_id, _code in counts}
    parties = sorted(Party.objects.filter(pk__in=party_ids), key=lambda party: party.name)
    codes = list(Code.objects.filter(consultation=consultation))
    return Matrix(title=title, codes=codes, parties=parties, counts=counts, parties_per_code=parties_per_code)


def quotes_of(
    *, consultation: Consultation, item_ids: list[int], code_id: int | None = None, party_id: int | None = None
) -> list[Coding]:
    codings = Coding.objects.with_review().filter(consultation=consultation, item_id__in=item_ids)
    if code_id:
        codings = codings.filter(code_id=code_id)
    if party_id:
        codings = codings.filter(party_id=party_id)
    return list(
        codings.select_related("code", "party", "item", "field").order_by("party__name_en", "item__order", "start")
    )
