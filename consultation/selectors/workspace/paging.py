"""The section form's size and the reply page's pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, Value

from ...answer_values import LEGAL_REFERENCE_MAX_ROWS
from ...models import (
    Answer,
    Consultation,
    FieldType,
    Item,
    Response,
    Theme,
)
from ..addressees import items_for_party
from .items import (
    _answers_by_item,
    _attachments_by_id,
    _items_as_lists,
    item_view,
    theme_sections,
    with_previous_rounds,
)

# The reply page is one section form. Above this many items, or above this many values its section form could
# post, it shows one theme section at a time, in pages cut so that neither limit is passed. The budget stays under
# Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000), leaving room for the CSRF token.
REPLY_PAGE_MAX_ITEMS = 100
SECTION_FIELD_BUDGET = 900
# What one item can post at most: its base version and language, then per field (see ``_post_cost_annotation``).
ITEM_CONTROL_INPUTS = 2
LEGAL_REFERENCE_INPUTS_PER_ROW = 3  # instrument, provision, link


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


def item_post_costs(
    *, consultation_id: int, theme_id: int | None = None, party_id: int | None = None
) -> list[tuple[int, int, int]]:
    """``(item pk, theme pk, post cost)`` of every item of the consultation (or of one of its themes; only those
    put to the Party when one is given), in page order (one query)."""
    items = Item.objects.filter(consultation_id=consultation_id)
    if party_id is not None:
        items = items_for_party(items, party_id=party_id)
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
        costs = item_post_costs(
            consultation_id=consultation.pk, theme_id=current["theme"].pk, party_id=response.party_id
        )
    else:
        costs = item_post_costs(consultation_id=consultation.pk, party_id=response.party_id)
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
    with_previous_rounds([view for group in groups for view in group["items"]], party_id=response.party_id)
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


def item_reply_page(*, consultation: Consultation, item: Item, party_id: int | None = None) -> tuple[str, int]:
    """The theme code and page number of the reply page that shows ``item`` (``""`` and 1 when the reply is one
    page), cut as ``reply_page`` cuts it, so a form posted from elsewhere (an attachment, the item page) comes back
    to its item instead of the first page of the first theme. Two or three queries."""
    put_to = Item.objects.filter(consultation_id=consultation.pk)
    if party_id is not None:
        put_to = items_for_party(put_to, party_id=party_id)
    if put_to.count() > REPLY_PAGE_MAX_ITEMS:
        costs = item_post_costs(consultation_id=consultation.pk, theme_id=item.theme_id, party_id=party_id)
    else:
        costs = item_post_costs(consultation_id=consultation.pk, party_id=party_id)
        if sum(cost for _pk, _theme, cost in costs) <= SECTION_FIELD_BUDGET:
            return "", 1
    pages = section_pages([(pk, cost) for pk, theme, cost in costs if theme == item.theme_id])
    page = next((number for number, ids in enumerate(pages, 1) if item.pk in ids), 1)
    return item.theme.code, page
