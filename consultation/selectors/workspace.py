"""Reads of the delegation workspace: home, reply page, history, review and the read-only reply.

Every function here costs a fixed number of queries whatever the number of items: items come
with their fields, options and articles prefetched, and the Party's answers and attachments are
fetched in one query each. What the templates show (translation markers, readable values,
diffs) is computed here so the templates only format.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.db.models import Count, F, Prefetch, Q, Value, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import DelegationMembership, DelegationRole

from ..answer_values import LEGAL_REFERENCE_MAX_ROWS, fields_of, options_of
from ..forms import item_prefix
from ..models import (
    Answer,
    AnswerRevision,
    Article,
    Attachment,
    Consultation,
    ConsultationStatus,
    Field,
    FieldType,
    Item,
    Option,
    Party,
    Response,
    Theme,
    TranslationStatus,
)

# The reply page is one section form. Above this many items, or above this many values its section form could
# post, it shows one theme section at a time, in pages cut so that neither limit is passed. The budget stays under
# Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000), leaving room for the CSRF token.
REPLY_PAGE_MAX_ITEMS = 100
SECTION_FIELD_BUDGET = 900
# What one item can post at most: its base version and language, then per field (see ``_post_cost_annotation``).
ITEM_CONTROL_INPUTS = 2
LEGAL_REFERENCE_INPUTS_PER_ROW = 3  # instrument, provision, link
LATEST_EDITS_PER_CONSULTATION = 5
LEGAL_REFERENCE_BLANK_ROWS = 3


# --- Translations ------------------------------------------------------------------------------


def _ui_language() -> str:
    return (get_language() or "en")[:2]


def translation_marker(obj: Any, attribute: str) -> str:
    """A discreet note when ``attribute`` is shown in the other language (modeltranslation fell back)."""
    language = _ui_language()
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
    if not fallback and _ui_language() == "fr" and item.translation_status == TranslationStatus.UNOFFICIAL:
        unofficial = _("Unofficial translation")
    return {"fallback": fallback, "unofficial": unofficial, "context_fallback": translation_marker(item, "context")}


# --- An item's fields, options and articles ----------------------------------------------------
# Pages that read many items at once attach them as plain lists (``Prefetch(..., to_attr=...)``): half the time of
# prefetched managers for 100 items. Everything here reads them through these helpers, which fall back on the
# related managers (prefetched or not) for items read otherwise (``fields_of`` and ``options_of`` live in
# ``answer_values``, which the save services share).


def _articles_of(item: Item) -> list[Article]:
    articles = getattr(item, "article_list", None)
    return list(item.articles.all()) if articles is None else articles


def _items_as_lists(consultation_id: int, item_ids: list[int], *, articles: bool):
    """The given items of the consultation in page order, with ``field_list`` (each field with ``option_list``)
    and, if asked, ``article_list``."""
    lookups = [
        Prefetch("fields", queryset=Field.objects.order_by("order", "id"), to_attr="field_list"),
        Prefetch("field_list__options", queryset=Option.objects.order_by("order", "id"), to_attr="option_list"),
    ]
    if articles:
        lookups.append(Prefetch("articles", queryset=Article.objects.order_by("number"), to_attr="article_list"))
    return (
        Item.objects.filter(consultation_id=consultation_id, pk__in=item_ids)
        .prefetch_related(*lookups)
        .order_by("theme__order", "theme__code", "order", "code")
    )


# --- Displaying answer values ------------------------------------------------------------------


@dataclass
class ValueDisplay:
    """An answer value made readable: ``kind`` is empty, text, list, ordered, references or files."""

    kind: str
    text: str = ""
    items: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.kind == "empty"


def value_display(fld: Field, value: Any, *, attachments: dict[int, Attachment] | None = None) -> ValueDisplay:
    """The readable form of one field's value (option labels, numbers with units, rows, files)."""
    if value in (None, "", [], {}):
        return ValueDisplay("empty")
    labels = {option.key: option.label for option in options_of(fld)} if fld.has_options else {}
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


_TOKENS = re.compile(r"\s+|[^\s]+")


def text_diff(before: str, after: str) -> list[dict[str, str]]:
    """A word-level diff: segments ``{"op": "equal"|"delete"|"insert", "text": ...}`` in reading order."""
    old, new = _TOKENS.findall(before or ""), _TOKENS.findall(after or "")
    segments: list[dict[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append({"op": "equal", "text": "".join(old[i1:i2])})
            continue
        if op in ("delete", "replace"):
            segments.append({"op": "delete", "text": "".join(old[i1:i2])})
        if op in ("insert", "replace"):
            segments.append({"op": "insert", "text": "".join(new[j1:j2])})
    return segments


# --- Items with their answers (reply page, item fragment, read-only reply) ---------------------


def _items_queryset(consultation_id: int):
    return (
        Item.objects.filter(consultation_id=consultation_id)
        .select_related("theme")
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

    @property
    def input_name(self) -> str:
        return f"{self.prefix}f-{self.field.key}"

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
    fld: Field, item: Item, value: Any, attachments: dict[int, Attachment], errors: dict[str, str]
) -> FieldView:
    options = options_of(fld)
    view = FieldView(
        field=fld,
        dom_id=f"i{item.pk}-{fld.key}",
        value=value,
        display=value_display(fld, value, attachments=attachments),
        label_marker=translation_marker(fld, "label"),
        error=errors.get(fld.key, ""),
        prefix=item_prefix(item.pk),
        shown={"key": fld.key, "label": fld.label, "help": fld.help, "required": fld.required, "unit": fld.unit},
    )
    if fld.type == FieldType.SINGLE_CHOICE:
        view.input_type = "radio"
        view.options = [{"option": o, "key": o.key, "label": o.label, "checked": value == o.key} for o in options]
    elif fld.type == FieldType.MULTIPLE_CHOICE:
        chosen = set(value or [])
        view.input_type = "checkbox"
        view.options = [{"option": o, "key": o.key, "label": o.label, "checked": o.key in chosen} for o in options]
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
    from ..answer_values import answer_data_missing

    fields = fields_of(item)
    shown = data if data is not None else (answer.data if answer else {})
    return ItemView(
        item=item,
        answer=answer,
        fields=[_field_view(fld, item, shown.get(fld.key), attachments, errors or {}) for fld in fields],
        markers=_item_markers(item),
        articles=_articles_of(item),
        language=language or (answer.language if answer and answer.version else _ui_language()),
        missing_required=answer_data_missing(fields=fields, data=shown),
        base_version=base_version,
        theirs=theirs,
        conflict_rows=conflict_view(item=item, mine=shown, theirs=theirs) if theirs is not None else [],
    )


def _attachments_by_id(response: Response, item_ids: list[int] | None = None) -> dict[int, Attachment]:
    if response.pk is None:
        return {}
    qs = Attachment.objects.filter(answer__response=response)
    if item_ids is not None:
        qs = qs.filter(answer__item_id__in=item_ids)
    return {a.pk: a for a in qs.only("id", "answer_id", "field_id", "original_name", "size", "content_type")}


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
        .select_related("party", "submitted_by", "ready_by", "last_activity_by")
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
    themes = (
        Theme.objects.filter(items__consultation=consultation)
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


# --- The section form's size and the reply page's pages ----------------------------------------


def _post_cost_annotation():
    """The most values one item's inputs can post in a section form, computed by the database for many items at
    once (one GROUP BY): its base version and language; one per text, number or single choice; one per option of a
    multiple choice (ticked boxes) or a ranking (a rank each); three per legal reference row, up to the row cap;
    none for attachments (they have forms of their own)."""
    single = [FieldType.TEXT, FieldType.NUMBER, FieldType.SINGLE_CHOICE]
    per_option = [FieldType.MULTIPLE_CHOICE, FieldType.RANKING]
    return (
        Value(ITEM_CONTROL_INPUTS)
        + Count("fields", filter=Q(fields__type__in=single), distinct=True)
        + Count("fields", filter=Q(fields__type=FieldType.LEGAL_REFERENCES), distinct=True)
        * Value(LEGAL_REFERENCE_INPUTS_PER_ROW * LEGAL_REFERENCE_MAX_ROWS)
        + Count("fields__options", filter=Q(fields__type__in=per_option), distinct=True)
    )


def item_post_costs(*, consultation_id: int, theme_id: int | None = None) -> list[tuple[int, int, int]]:
    """``(item pk, theme pk, post cost)`` of every item of the consultation (or of one of its themes), in page
    order (one query)."""
    items = Item.objects.filter(consultation_id=consultation_id)
    if theme_id is not None:
        items = items.filter(theme_id=theme_id)
    return list(
        items.annotate(post_cost=_post_cost_annotation())
        .order_by("theme__order", "theme__code", "order", "code")
        .values_list("pk", "theme_id", "post_cost")
    )


def section_pages(costs: list[tuple[int, int]]) -> list[list[int]]:
    """Cut ``(item pk, post cost)`` pairs, in order, into pages of at most ``REPLY_PAGE_MAX_ITEMS`` items whose
    costs add up to at most ``SECTION_FIELD_BUDGET``; an item above the budget on its own gets a page to itself."""
    pages: list[list[int]] = []
    used = 0
    for pk, cost in costs:
        if not pages or len(pages[-1]) >= REPLY_PAGE_MAX_ITEMS or used + cost > SECTION_FIELD_BUDGET:
            pages.append([])
            used = 0
        pages[-1].append(pk)
        used += cost
    return pages or [[]]


@dataclass
class PostedState:
    """What a refused section save posted for one item, to show it again: the typed value, the errors (by field
    key), the language, the version the form goes on from and, after a conflict, the colleague's newer answer."""

    data: dict[str, Any] | None
    errors: dict[str, str] = field(default_factory=dict)
    language: str | None = None
    base_version: int | None = None
    theirs: Answer | None = None


NOTHING_POSTED = PostedState(data=None)  # an item shown from its saved answer


@dataclass
class ReplyPage:
    consultation: Consultation
    response: Response
    sections: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    current_theme: Theme | None
    paginated: bool
    page: int
    page_count: int
    item_total: int
    answered_total: int
    post_cost: int = 0

    @property
    def item_count(self) -> int:
        return sum(len(group["items"]) for group in self.groups)


def reply_page(
    *,
    consultation: Consultation,
    response: Response,
    theme_code: str = "",
    page: int = 1,
    posted: dict[int, PostedState] | None = None,
) -> ReplyPage:
    """Items grouped by theme with their answers; one theme section at a time, in pages, for large consultations.

    The page is one section form: its pages are cut (``section_pages``) so that the form can never post more
    than ``SECTION_FIELD_BUDGET`` values nor hold more than ``REPLY_PAGE_MAX_ITEMS`` items. ``posted`` (item pk
    to ``PostedState``) shows again what a refused section save posted. A fixed number of queries.
    """
    sections = theme_sections(consultation=consultation, response=response)
    item_total = sum(s["item_count"] for s in sections)
    current = next((s for s in sections if s["theme"].code == theme_code), sections[0] if sections else None)
    if item_total > REPLY_PAGE_MAX_ITEMS:  # one theme at a time whatever the costs: read only that theme's
        paginated = True
        costs = item_post_costs(consultation_id=consultation.pk, theme_id=current["theme"].pk)
    else:
        costs = item_post_costs(consultation_id=consultation.pk)
        paginated = sum(cost for _pk, _theme, cost in costs) > SECTION_FIELD_BUDGET
    current_theme = None
    pages = [[pk for pk, _theme, _cost in costs]]
    if (theme_code or paginated) and current is not None:
        current_theme = current["theme"]
        pages = section_pages([(pk, cost) for pk, theme, cost in costs if theme == current_theme.pk])
    page = min(max(page, 1), len(pages))
    page_item_ids = pages[page - 1]
    cost_of = {pk: cost for pk, _theme, cost in costs}
    items = list(_items_as_lists(consultation.pk, page_item_ids, articles=True).select_related("theme"))
    answers = _answers_by_item(response, page_item_ids)
    attachments = _attachments_by_id(response, page_item_ids)
    posted = posted or {}
    groups: list[dict[str, Any]] = []
    for item in items:
        if not groups or groups[-1]["theme"].pk != item.theme_id:
            groups.append({"theme": item.theme, "items": []})
        state = posted.get(item.pk, NOTHING_POSTED)
        view = item_view(
            item=item,
            answer=answers.get(item.pk),
            attachments=attachments,
            data=state.data,
            errors=state.errors,
            language=state.language,
            base_version=state.base_version,
            theirs=state.theirs,
        )
        groups[-1]["items"].append(view)
    return ReplyPage(
        consultation=consultation,
        response=response,
        sections=sections,
        groups=groups,
        current_theme=current_theme,
        paginated=paginated or bool(theme_code),
        page=page,
        page_count=len(pages),
        item_total=item_total,
        answered_total=sum(s["answered"] for s in sections),
        post_cost=sum(cost_of.get(pk, 0) for pk in page_item_ids),
    )


def item_reply_page(*, consultation: Consultation, item: Item) -> tuple[str, int]:
    """The theme code and page number of the reply page that shows ``item`` (``""`` and 1 when the reply is one
    page), cut as ``reply_page`` cuts it, so a form posted from elsewhere (an attachment, the item page) comes back
    to its item instead of the first page of the first theme. Two or three queries."""
    if Item.objects.filter(consultation_id=consultation.pk).count() > REPLY_PAGE_MAX_ITEMS:
        costs = item_post_costs(consultation_id=consultation.pk, theme_id=item.theme_id)
    else:
        costs = item_post_costs(consultation_id=consultation.pk)
        if sum(cost for _pk, _theme, cost in costs) <= SECTION_FIELD_BUDGET:
            return "", 1
    pages = section_pages([(pk, cost) for pk, theme, cost in costs if theme == item.theme_id])
    page = next((number for number, ids in enumerate(pages, 1) if item.pk in ids), 1)
    return item.theme.code, page


def section_items(*, consultation: Consultation, item_ids: list[int]) -> list[Item]:
    """The consultation's items among ``item_ids``, in page order, each with ``field_list`` (its fields in order,
    each with ``option_list``): three queries. Ids of other consultations' items, or of no item, are simply absent
    from the result."""
    if not item_ids:
        return []
    return list(_items_as_lists(consultation.pk, item_ids, articles=False))


def attachment_values(*, response: Response, item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The saved values of the given items' answers (item pk to data), to carry their documents over (one query)."""
    if response.pk is None or not item_ids:
        return {}
    return dict(Answer.objects.filter(response=response, item_id__in=item_ids).values_list("item_id", "data"))


def item_for_reply(*, consultation: Consultation, code: str) -> Item | None:
    """One item of the consultation with what its form needs, or None."""
    return _items_queryset(consultation.pk).filter(code=code).first()


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
    return item_view(
        item=item,
        answer=answers.get(item.pk),
        attachments=attachments,
        data=data,
        errors=errors,
        language=language,
    )


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


# --- History -----------------------------------------------------------------------------------

# How a version was made (``AnswerRevision.source``, a plain string): said in the reader's language. A web save
# says nothing; an unknown source is shown as stored.
REVISION_SOURCE_LABELS = {
    "web": "",
    "import": gettext_lazy("imported from the Excel file"),
    "restore": gettext_lazy("restored from an earlier version"),
    "carry-over": gettext_lazy("carried over from the previous round"),
    "demo": gettext_lazy("demonstration data"),
}


def answer_history(*, answer: Answer) -> list[dict[str, Any]]:
    """Every saved version, newest first, each with a readable per-field diff against the one before."""
    revisions = list(AnswerRevision.objects.filter(answer=answer).select_related("created_by").order_by("version"))
    fields = list(Field.objects.filter(item_id=answer.item_id).prefetch_related("options").order_by("order", "id"))
    entries = []
    previous: dict[str, Any] = {}
    for revision in revisions:
        changes = []
        for fld in fields:
            before, after = previous.get(fld.key), revision.data.get(fld.key)
            if before == after:
                continue
            change: dict[str, Any] = {
                "field": fld,
                "before": value_display(fld, before),
                "after": value_display(fld, after),
            }
            if fld.type == FieldType.TEXT:
                change["segments"] = text_diff(str(before or ""), str(after or ""))
            changes.append(change)
        entries.append(
            {
                "revision": revision,
                "changes": changes,
                "is_current": revision.version == answer.version,
                "source_label": REVISION_SOURCE_LABELS.get(revision.source, revision.source),
            }
        )
        previous = revision.data
    entries.reverse()
    return entries


# --- Delegation home ---------------------------------------------------------------------------


def delegation_home(*, party: Party, today=None) -> list[dict[str, Any]]:
    """The consultations open to the Party with deadline, progress, reply state and latest edits.

    Four queries whatever the number of consultations: consultations with item counts, the
    Party's replies with answer counts, required-complete counts, and the latest revisions.
    """
    today = today or timezone.localdate()
    consultations = list(
        Consultation.objects.filter(status=ConsultationStatus.OPEN)
        .annotate(
            item_count=Count("items", distinct=True),
            required_item_count=Count("items", filter=Q(items__fields__required=True), distinct=True),
        )
        .order_by("closes_on", "slug")
    )
    ids = [c.pk for c in consultations]
    responses = {
        r.consultation_id: r
        for r in Response.objects.filter(party=party, consultation_id__in=ids).annotate(
            answered=Count("answers", filter=Q(answers__is_answered=True), distinct=True),
            required_complete=Count(
                "answers",
                filter=Q(answers__is_complete=True, answers__item__fields__required=True),
                distinct=True,
            ),
        )
    }
    latest = (
        AnswerRevision.objects.filter(answer__response__party=party, answer__response__consultation_id__in=ids)
        .annotate(
            consultation_id=F("answer__response__consultation_id"),
            row=Window(RowNumber(), partition_by=F("answer__response_id"), order_by=F("created_at").desc()),
        )
        .filter(row__lte=LATEST_EDITS_PER_CONSULTATION)
        .select_related("created_by", "answer__item")
        .order_by("-created_at")
    )
    edits: dict[int, list[AnswerRevision]] = {}
    for revision in latest:
        edits.setdefault(revision.consultation_id, []).append(revision)
    rows = []
    for consultation in consultations:
        response = responses.get(consultation.pk)
        deadline = (response.extended_until if response else None) or consultation.closes_on
        rows.append(
            {
                "consultation": consultation,
                "response": response,
                "status": response.status if response else "draft",
                "status_label": response.get_status_display() if response else _("Not started"),
                "deadline": deadline,
                "extended": bool(response and response.extended_until),
                "days_left": (deadline - today).days if deadline else None,
                "item_count": consultation.item_count,
                "answered": response.answered if response else 0,
                "required_item_count": consultation.required_item_count,
                "required_complete": response.required_complete if response else 0,
                "percent": round(100 * (response.answered if response else 0) / consultation.item_count)
                if consultation.item_count
                else 0,
                "edits": edits.get(consultation.pk, []),
            }
        )
    return rows


# --- Review, sign-off and the read-only reply --------------------------------------------------


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
    items = list(_items_queryset(response.consultation_id))
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


# --- Articles ----------------------------------------------------------------------------------


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
