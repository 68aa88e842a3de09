"""Items with their answers (reply page, item fragment, read-only reply), each read in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.db.models import Count, Prefetch
from django.utils.http import RFC3986_SUBDELIMS

from ...answer_values import SPECIFY_SUFFIX, fields_of, number_places, number_rule, options_of, specification_key
from ...forms import item_prefix
from ...models import (
    Answer,
    Article,
    Attachment,
    Consultation,
    Field,
    FieldType,
    Item,
    Option,
    Response,
    Theme,
)
from ..addressees import items_for_party
from .conflicts import conflict_view
from .formatting import ValueDisplay, _item_markers, translation_marker, ui_language, value_display

LEGAL_REFERENCE_BLANK_ROWS = 3


# --- An item's fields, options and articles ----------------------------------------------------
# Pages that read many items at once attach them as plain lists (``Prefetch(..., to_attr=...)``): half the time of
# prefetched managers for 100 items. Everything here reads them through these helpers, which fall back on the
# related managers (prefetched or not) for items read otherwise (``fields_of`` and ``options_of`` live in
# ``answer_values``, which the save services share).


def _articles_of(item: Item) -> list[Article]:
    articles = getattr(item, "article_list", None)
    return list(item.articles.all()) if articles is None else articles


def _items_as_lists(consultation_id: int, item_ids: list[int], *, articles: bool, party_id: int | None = None):
    """The given items of the consultation in page order, with ``field_list`` (each field with ``option_list``)
    and, if asked, ``article_list``."""
    lookups = [
        Prefetch("fields", queryset=Field.objects.order_by("order", "id"), to_attr="field_list"),
        Prefetch("field_list__options", queryset=Option.objects.order_by("order", "id"), to_attr="option_list"),
    ]
    if articles:
        lookups.append(Prefetch("articles", queryset=Article.objects.order_by("number"), to_attr="article_list"))
    items = Item.objects.filter(consultation_id=consultation_id, pk__in=item_ids)
    if party_id is not None:
        items = items_for_party(items, party_id=party_id)
    return items.prefetch_related(*lookups).order_by("theme__order", "theme__code", "order", "code")


def _items_queryset(consultation_id: int, party_id: int | None = None):
    """The consultation's items (only those put to the Party, when one is given) with what their forms need."""
    items = Item.objects.filter(consultation_id=consultation_id)
    if party_id is not None:
        items = items_for_party(items, party_id=party_id)
    return (
        items.select_related("theme")
        .prefetch_related(
            Prefetch("articles", queryset=Article.objects.order_by("number")),
            Prefetch("fields", queryset=Field.objects.order_by("order", "id")),
            Prefetch("fields__options", queryset=Option.objects.order_by("order", "id")),
        )
        .order_by("theme__order", "theme__code", "order", "code")
    )


@dataclass
class FieldView:
    """One field of an item's form with the value to show in it."""

    field: Field
    dom_id: str
    value: Any
    display: ValueDisplay
    label_marker: str = ""
    options: list[dict[str, Any]] = field(default_factory=list)
    rows: list[dict[str, str]] = field(default_factory=list)
    files: list[Attachment] = field(default_factory=list)
    rank_choices: list[int] = field(default_factory=list)
    error: str = ""
    prefix: str = ""
    # The field's texts read once here as plain values: a page of 100 items renders 200 fields, and each
    # translated attribute read in a template resolves the active language again.
    shown: dict[str, Any] = field(default_factory=dict)
    input_type: str = ""
    # "Other (please specify)": the text typed for the option that asks for one.
    specification: str = ""

    @property
    def input_name(self) -> str:
        return f"{self.prefix}f-{self.field.key}"

    @property
    def specification_name(self) -> str:
        return f"{self.input_name}{SPECIFY_SUFFIX}"

    @property
    def counts(self) -> dict[str, int]:
        """Words and characters of a free text as saved (the page's script recounts as one types)."""
        text = self.value if isinstance(self.value, str) else ""
        return {"words": len(text.split()), "characters": len(text)}

    @property
    def type(self) -> str:
        return self.field.type


@dataclass
class ItemView:
    """An item as the reply page shows it: texts, markers, articles, fields and its answer's state."""

    item: Item
    answer: Answer | None
    fields: list[FieldView]
    markers: dict[str, str]
    articles: list[Article]
    language: str
    missing_required: list[Field] = field(default_factory=list)
    base_version: int | None = None
    theirs: Answer | None = None
    conflict_rows: list[dict[str, Any]] = field(default_factory=list)
    # A round created from an earlier one: the Party's submitted answer there, shown beside the form, and the
    # revision that confirmed it unchanged when the current version is that confirmation.
    previous: Any = None
    previous_fields: list[dict[str, Any]] = field(default_factory=list)
    confirmed: Any = None
    # The delegation's teamwork on the item (``selectors.teamwork.ItemTeam``), set by the reply page only.
    team: Any = None

    @property
    def version(self) -> int:
        """The version the form is based on: the saved one, or the one a refused section save posted."""
        if self.base_version is not None:
            return self.base_version
        return self.answer.version if self.answer else 0

    @property
    def dom_id(self) -> str:
        return f"item-{self.item.pk}"

    @property
    def prefix(self) -> str:
        return item_prefix(self.item.pk)

    @property
    def url_code(self) -> str:
        """The item's code as its URLs carry it (quoted as ``reverse`` quotes it)."""
        return quote(self.item.code, safe=RFC3986_SUBDELIMS + "~:@")

    @property
    def has_errors(self) -> bool:
        return any(fv.error for fv in self.fields)

    @property
    def has_attachments(self) -> bool:
        return any(fv.type == FieldType.ATTACHMENT for fv in self.fields)


def _field_view(
    fld: Field,
    item: Item,
    value: Any,
    attachments: dict[int, Attachment],
    errors: dict[str, str],
    specification: Any = "",
) -> FieldView:
    options = options_of(fld)
    view = FieldView(
        field=fld,
        dom_id=f"i{item.pk}-{fld.key}",
        value=value,
        display=value_display(fld, value, attachments=attachments, specification=specification),
        label_marker=translation_marker(fld, "label"),
        error=errors.get(fld.key, ""),
        prefix=item_prefix(item.pk),
        shown={
            "key": fld.key,
            "label": fld.label,
            "help": fld.help,
            "required": fld.required,
            "unit": fld.unit,
            "rule": number_rule(fld) if fld.type == FieldType.NUMBER else "",
            "whole": fld.type == FieldType.NUMBER and number_places(fld) == 0,
            "suggested_words": fld.suggested_words,
            "max_length": fld.max_length,
        },
        specification=specification if isinstance(specification, str) else "",
    )
    if fld.type == FieldType.SINGLE_CHOICE:
        view.input_type = "radio"
        view.options = [
            {"option": o, "key": o.key, "label": o.label, "checked": value == o.key, "specify": o.needs_specification}
            for o in options
        ]
    elif fld.type == FieldType.MULTIPLE_CHOICE:
        chosen = set(value or [])
        view.input_type = "checkbox"
        view.options = [
            {"option": o, "key": o.key, "label": o.label, "checked": o.key in chosen, "specify": o.needs_specification}
            for o in options
        ]
    elif fld.type == FieldType.RANKING:
        if isinstance(value, dict):  # ranks as typed in a refused save: show them again, unchanged
            typed = value
            ordered = sorted(options, key=lambda o: typed.get(o.key, len(options) + 1))
            view.options = [{"option": o, "rank": typed.get(o.key)} for o in ordered]
            view.display = ValueDisplay("empty")
        else:
            ranked = list(value or [])
            by_key = {o.key: o for o in options}
            ordered = [by_key[key] for key in ranked if key in by_key] + [o for o in options if o.key not in ranked]
            view.options = [
                {"option": o, "rank": (ranked.index(o.key) + 1) if o.key in ranked else None} for o in ordered
            ]
        view.rank_choices = list(range(1, len(options) + 1))
    elif fld.type == FieldType.LEGAL_REFERENCES:
        view.rows = [dict(row) for row in (value or [])]
        view.rows += [{"instrument": "", "provision": "", "url": "", "blank": True}] * LEGAL_REFERENCE_BLANK_ROWS
    elif fld.type == FieldType.ATTACHMENT:
        view.files = [attachments[pk] for pk in (value or []) if pk in attachments]
    return view


def item_view(
    *,
    item: Item,
    answer: Answer | None,
    attachments: dict[int, Attachment],
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    language: str | None = None,
    base_version: int | None = None,
    theirs: Answer | None = None,
) -> ItemView:
    """Build the view of one item; ``data``/``errors`` show what the person typed after a refused save.

    After a refused section save, ``base_version`` is the version the form goes on from and ``theirs`` the
    newer answer a colleague saved meanwhile (shown beside the typed value).
    """
    from ...answer_values import answer_data_missing

    fields = fields_of(item)
    shown = data if data is not None else (answer.data if answer else {})
    return ItemView(
        item=item,
        answer=answer,
        fields=[
            _field_view(
                fld, item, shown.get(fld.key), attachments, errors or {}, shown.get(specification_key(fld.key), "")
            )
            for fld in fields
        ],
        markers=_item_markers(item),
        articles=_articles_of(item),
        language=language or (answer.language if answer and answer.version else ui_language()),
        missing_required=answer_data_missing(fields=fields, data=shown),
        base_version=base_version,
        theirs=theirs,
        conflict_rows=conflict_view(item=item, mine=shown, theirs=theirs) if theirs is not None else [],
    )


def with_previous_rounds(views: list[ItemView], *, party_id: int | None) -> list[ItemView]:
    """Attach to each item view the Party's submitted answer to the item it continues, and whether the current
    version confirmed it unchanged (none for a round that continues no other; three at most, whatever the number
    of items)."""
    from ..rounds import confirmed_versions, previous_answers

    previous = previous_answers(items=[view.item for view in views], party_id=party_id)
    # Only an item with an earlier answer can have been confirmed unchanged: no query for rounds without any.
    confirmed = confirmed_versions(
        answer_ids=[view.answer.pk for view in views if view.answer and view.answer.pk and view.item.pk in previous]
    )
    for view in views:
        earlier = previous.get(view.item.pk)
        if earlier is not None:
            view.previous = earlier
            view.previous_fields = [
                {"label": fv.shown["label"], "display": value_display(fv.field, earlier.data.get(fv.field.key))}
                for fv in view.fields
                if fv.type != FieldType.ATTACHMENT
            ]
        if view.answer is not None:
            view.confirmed = confirmed.get(view.answer.pk)
    return views


def _attachments_by_id(response: Response, item_ids: list[int] | None = None) -> dict[int, Attachment]:
    if response.pk is None:
        return {}
    qs = Attachment.objects.filter(answer__response=response)
    if item_ids is not None:
        qs = qs.filter(answer__item_id__in=item_ids)
    return {
        a.pk: a for a in qs.only("id", "answer_id", "field_id", "original_name", "size", "content_type", "confidential")
    }


def _answers_by_item(response: Response, item_ids: list[int] | None = None) -> dict[int, Answer]:
    if response.pk is None:
        return {}
    qs = Answer.objects.filter(response=response).select_related("updated_by")
    if item_ids is not None:
        qs = qs.filter(item_id__in=item_ids)
    return {a.item_id: a for a in qs}


def reply_for_party(*, consultation: Consultation, party_id: int) -> Response:
    """The Party's reply, or an unsaved draft if nobody has saved anything yet (GET never writes)."""
    response = (
        Response.objects.filter(consultation=consultation, party_id=party_id)
        .select_related("party", "submitted_by", "ready_by", "ready_reset_by", "last_activity_by")
        .first()
    )
    if response is None:
        response = Response(consultation=consultation, party_id=party_id)
    response.consultation = consultation
    return response


def theme_sections(*, consultation: Consultation, response: Response) -> list[dict[str, Any]]:
    """The consultation's themes with their item counts and how many the Party answered (two queries).

    The answered counts group this reply's answers only: counting them inside the themes' GROUP BY joined
    every Party's answers (54 ms at 48 Parties x 1,000 items), a correlated subquery ran once per item.
    """
    put_to = items_for_party(Item.objects.filter(consultation=consultation), party_id=response.party_id)
    themes = (
        Theme.objects.filter(items__in=put_to.values("pk"))
        .annotate(item_count=Count("items"))
        .order_by("order", "code")
    )
    answered: dict[int, int] = {}
    if response.pk is not None:
        answered = dict(
            Answer.objects.filter(response_id=response.pk, is_answered=True)
            .order_by()
            .values("item__theme_id")
            .annotate(n=Count("id"))
            .values_list("item__theme_id", "n")
        )
    return [{"theme": t, "item_count": t.item_count, "answered": answered.get(t.pk, 0)} for t in themes]


def section_items(*, consultation: Consultation, item_ids: list[int], party_id: int | None = None) -> list[Item]:
    """The consultation's items among ``item_ids``, in page order, each with ``field_list`` (its fields in order,
    each with ``option_list``): three queries. Ids of other consultations' items, or of no item, are simply absent
    from the result."""
    if not item_ids:
        return []
    return list(_items_as_lists(consultation.pk, item_ids, articles=False, party_id=party_id))


def attachment_values(*, response: Response, item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The saved values of the given items' answers (item pk to data), to carry their documents over (one query)."""
    if response.pk is None or not item_ids:
        return {}
    return dict(Answer.objects.filter(response=response, item_id__in=item_ids).values_list("item_id", "data"))


def item_for_reply(*, consultation: Consultation, code: str, party_id: int | None = None) -> Item | None:
    """One item of the consultation with what its form needs, or None (also when it is not put to the Party)."""
    return _items_queryset(consultation.pk, party_id).filter(code=code).first()


def item_view_for(
    *,
    item: Item,
    response: Response,
    data: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    language: str | None = None,
) -> ItemView:
    """The item's fragment state, read fresh (used after saves and by "take theirs")."""
    answers = _answers_by_item(response, [item.pk])
    attachments = _attachments_by_id(response, [item.pk])
    view = item_view(
        item=item,
        answer=answers.get(item.pk),
        attachments=attachments,
        data=data,
        errors=errors,
        language=language,
    )
    return with_previous_rounds([view], party_id=response.party_id)[0]
