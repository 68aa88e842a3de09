"""Reading an item's answer inputs (generated from its fields) back into the canonical JSON value.

The inputs are named after the field keys (``f-<key>``, see ``_field.html``); this turns a POST into
the shape ``answer_values.answer_data_clean`` validates. Attachment fields are not among them: files
are uploaded and removed by their own forms.

On the reply page every item's inputs belong to one section form, so their names carry the item's
prefix (``i<item pk>-f-<key>``, ``i<item pk>-base_version``, ``i<item pk>-_language``); the item's
autosave posts the same prefixed names. API clients, the conflict forms and older pages post the bare
names to the item URL: every reader here takes a ``prefix`` ("" for bare names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .answer_values import (
    SPECIFY_SUFFIX,
    fields_of,
    options_needing_specification,
    options_of,
    specification_key,
)
from .models import Field, FieldType

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


_ITEM_PREFIX = re.compile(r"^i(\d+)-")


def item_prefix(item_pk: int) -> str:
    """The prefix of one item's input names in a section form."""
    return f"i{item_pk}-"


def item_prefix_posted(post: Any, *, item_pk: int) -> str:
    """The prefix the item's values were posted under: the item's own if its version came prefixed, else ""."""
    prefix = item_prefix(item_pk)
    return prefix if f"{prefix}base_version" in post else ""


def posted_item_ids(post: Any) -> list[int]:
    """The items a section form posted values for (every ``i<pk>-`` name), in the order first posted."""
    seen: dict[int, None] = {}
    for name in post:
        match = _ITEM_PREFIX.match(name)
        if match:
            seen.setdefault(int(match.group(1)), None)
    return list(seen)


def posted_pairs(post: Any, *, prefix: str, exclude: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """The posted (bare name, value) pairs of one item, for forms that post them again (conflict resolution).

    With a prefix, only that item's names count, stripped of it; without one, every name does.
    """
    pairs = []
    for name, values in post.lists():
        if prefix:
            if not name.startswith(prefix):
                continue
            name = name[len(prefix) :]
        if name in exclude:
            continue
        pairs.extend((name, value) for value in values)
    return pairs


def answer_data_from_post(*, fields: list[Field], post: Any, prefix: str = "") -> tuple[dict[str, Any], dict[str, str]]:
    """The answer value posted for ``fields``, and the errors found while reading it (by field key)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for fld in fields:
        name = f"{prefix}f-{fld.key}"
        if fld.type == FieldType.ATTACHMENT:
            continue
        if fld.type == FieldType.MULTIPLE_CHOICE:
            data[fld.key] = [v for v in post.getlist(name) if v]
        elif fld.type == FieldType.RANKING:
            value, error = _ranking_from_post(fld, post, name)
            if error:
                errors[fld.key] = error
            data[fld.key] = value
        elif fld.type == FieldType.LEGAL_REFERENCES:
            instruments = post.getlist(f"{name}__instrument")
            provisions = post.getlist(f"{name}__provision")
            urls = post.getlist(f"{name}__url")
            size = max(len(instruments), len(provisions), len(urls))
            rows = []
            for index in range(size):
                row = {
                    "instrument": instruments[index] if index < len(instruments) else "",
                    "provision": provisions[index] if index < len(provisions) else "",
                    "url": urls[index] if index < len(urls) else "",
                }
                if any(value.strip() for value in row.values()):
                    rows.append(row)
            data[fld.key] = rows
        else:
            data[fld.key] = post.get(name, "")
        if options_needing_specification(fld):
            data[specification_key(fld.key)] = post.get(f"{name}{SPECIFY_SUFFIX}", "")
    return data, errors


def _ranking_from_post(fld: Field, post: Any, name: str) -> tuple[list[str] | dict[str, int] | None, str]:
    """The options in rank order; on error, the ranks as typed (``{option key: rank}``) to show them again."""
    options = options_of(fld)
    ranks: dict[str, int] = {}
    for option in options:
        raw = (post.get(f"{name}__rank__{option.key}") or "").strip()
        if raw:
            try:
                ranks[option.key] = int(raw)
            except ValueError:
                return ranks, _("“%(value)s” is not a rank.") % {"value": raw}
    if not ranks:
        return None, ""
    expected = list(range(1, len(options) + 1))
    if len(ranks) != len(options) or sorted(ranks.values()) != expected:
        return ranks, _("Give each option a different rank, from 1 to %(count)d.") % {"count": len(options)}
    return sorted(ranks, key=ranks.__getitem__), ""


def answer_language_from_post(post: Any, default: str, prefix: str = "") -> str:
    """The language the answer is written in, as chosen next to the item (default: the UI language)."""
    language = (post.get(f"{prefix}_language") or "").strip()
    return language if language in LANGUAGE_CODES else default


def base_version_from_post(post: Any, prefix: str = "") -> int | None:
    """The version the editor started from; None if absent or not a number."""
    try:
        value = int(post.get(f"{prefix}base_version", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def data_is_blank(data: dict[str, Any]) -> bool:
    """Nothing typed: every value empty (text of spaces only counts as empty)."""
    return all(
        value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}) for value in data.values()
    )


@dataclass
class PostedItem:
    """What a section form posted for one item: its value, the reading errors, language and base version."""

    item: Any
    data: dict[str, Any]
    errors: dict[str, str]
    language: str
    base_version: int | None


def section_from_post(*, items: list[Any], post: Any, default_language: str) -> list[PostedItem]:
    """Each item's posted state, read under its own prefix (``items`` come with their fields and options)."""
    posted = []
    for item in items:
        prefix = item_prefix(item.pk)
        data, errors = answer_data_from_post(fields=fields_of(item), post=post, prefix=prefix)
        posted.append(
            PostedItem(
                item=item,
                data=data,
                errors=errors,
                language=answer_language_from_post(post, default_language, prefix),
                base_version=base_version_from_post(post, prefix),
            )
        )
    return posted


class AttachmentUploadForm(forms.Form):
    """A supporting document for one attachment field of an item."""

    field_key = forms.CharField(widget=forms.HiddenInput)
    file = forms.FileField(label=gettext_lazy("Document (PDF, DOCX, ODT or XLSX)"))


class SubmitConfirmForm(forms.Form):
    """The explicit confirmation of the official submission."""

    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm that this reply is the official reply of my Party's delegation."),
        required=True,
    )
