"""Reading one item's answer form (generated from its fields) back into the canonical JSON value.

The form's inputs are named after the field keys (``f-<key>``, see the ``_field_*`` templates);
this turns a POST into the shape ``answer_values.answer_data_clean`` validates. Attachment fields
are not part of the item form: files are uploaded and removed by their own forms.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Field, FieldType

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def answer_data_from_post(*, fields: list[Field], post: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """The answer value posted for ``fields``, and the errors found while reading it (by field key)."""
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for fld in fields:
        name = f"f-{fld.key}"
        if fld.type == FieldType.ATTACHMENT:
            continue
        if fld.type == FieldType.MULTIPLE_CHOICE:
            data[fld.key] = [v for v in post.getlist(name) if v]
        elif fld.type == FieldType.RANKING:
            value, error = _ranking_from_post(fld, post)
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
    return data, errors


def _ranking_from_post(fld: Field, post: Any) -> tuple[list[str] | dict[str, int] | None, str]:
    """The options in rank order; on error, the ranks as typed (``{option key: rank}``) to show them again."""
    options = list(fld.options.all())
    ranks: dict[str, int] = {}
    for option in options:
        raw = (post.get(f"f-{fld.key}__rank__{option.key}") or "").strip()
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


def answer_language_from_post(post: Any, default: str) -> str:
    """The language the answer is written in, as chosen next to the item (default: the UI language)."""
    language = (post.get("_language") or "").strip()
    return language if language in LANGUAGE_CODES else default


def base_version_from_post(post: Any) -> int | None:
    """The version the editor started from; None if absent or not a number."""
    try:
        value = int(post.get("base_version", ""))
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


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
