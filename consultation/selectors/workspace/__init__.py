"""Reads of the delegation workspace: home, reply page, history, review and the read-only reply.

Every function here costs a fixed number of queries whatever the number of items: items come
with their fields, options and articles prefetched, and the Party's answers and attachments are
fetched in one query each. What the templates show (translation markers, readable values,
diffs) is computed here so the templates only format.

The package, by responsibility: ``formatting`` (translation markers, readable values), ``diffs`` (an answer's
history), ``conflicts`` (two versions side by side), ``items`` (items with their answers), ``paging`` (the section
form's size and the reply page), ``home`` (the delegation home), ``review`` (sign-off and the read-only reply) and
``articles`` (an article's page). Callers import from the package; a test that changes a paging limit patches
``paging``, where it is read.
"""

from ...answer_values import fields_of
from .articles import article_page
from .conflicts import conflict_view
from .diffs import REVISION_SOURCE_LABELS, answer_history, text_diff
from .formatting import ValueDisplay, translation_marker, ui_language, value_as_text, value_display
from .home import LATEST_EDITS_PER_CONSULTATION, delegation_home
from .items import (
    LEGAL_REFERENCE_BLANK_ROWS,
    FieldView,
    ItemView,
    attachment_values,
    item_for_reply,
    item_view,
    item_view_for,
    reply_for_party,
    section_items,
    theme_sections,
)
from .paging import (
    ITEM_CONTROL_INPUTS,
    LEGAL_REFERENCE_INPUTS_PER_ROW,
    NOTHING_POSTED,
    REPLY_PAGE_MAX_ITEMS,
    SECTION_FIELD_BUDGET,
    PostedState,
    ReplyPage,
    item_post_costs,
    item_reply_page,
    reply_page,
    section_pages,
)
from .review import party_heads, reply_marks_rows, reply_readonly_context

__all__ = [
    "ITEM_CONTROL_INPUTS",
    "LATEST_EDITS_PER_CONSULTATION",
    "LEGAL_REFERENCE_BLANK_ROWS",
    "LEGAL_REFERENCE_INPUTS_PER_ROW",
    "NOTHING_POSTED",
    "REPLY_PAGE_MAX_ITEMS",
    "REVISION_SOURCE_LABELS",
    "SECTION_FIELD_BUDGET",
    "FieldView",
    "ItemView",
    "PostedState",
    "ReplyPage",
    "ValueDisplay",
    "answer_history",
    "article_page",
    "attachment_values",
    "conflict_view",
    "delegation_home",
    "fields_of",
    "item_for_reply",
    "item_post_costs",
    "item_reply_page",
    "item_view",
    "item_view_for",
    "party_heads",
    "reply_for_party",
    "reply_marks_rows",
    "reply_page",
    "reply_readonly_context",
    "section_items",
    "section_pages",
    "text_diff",
    "theme_sections",
    "translation_marker",
    "ui_language",
    "value_as_text",
    "value_display",
]
