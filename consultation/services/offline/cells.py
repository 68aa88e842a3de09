"""Answer values as readable cells and back: option keys, “; ” lists, “ > ” rankings, reference lines."""

from __future__ import annotations

import contextlib
import datetime
import re
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ...answer_values import number_rule, options_of
from ...models import CHOICE_FIELD_TYPES, Field, FieldType, Option

MULTIPLE_SEPARATOR = ";"
RANKING_SEPARATOR = ">"
REFERENCE_SEPARATOR = "|"
_ILLEGAL_XML_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _xml_safe(text: str) -> str:
    """Drop the control characters XML (and so XLSX and DOCX) cannot hold."""
    return _ILLEGAL_XML_CHARS.sub("", text)


def keys_to_cell(*, item_field: Field, value: Any) -> str | None:
    """A choice's option keys as the hidden column holds them ("law; training", "a > b > c"); None otherwise."""
    if value in (None, "", [], {}) or item_field.type not in CHOICE_FIELD_TYPES:
        return None
    if item_field.type == FieldType.SINGLE_CHOICE:
        return str(value)
    if item_field.type == FieldType.MULTIPLE_CHOICE:
        return f"{MULTIPLE_SEPARATOR} ".join(value)
    return f" {RANKING_SEPARATOR} ".join(value)


def _labels_cell(item_field: Field, value: Any, language: str | None = None) -> str:
    """The chosen options' labels, in ``language`` (the active one when None), joined as the cell writes them."""
    with translation.override(language) if language else contextlib.nullcontext():
        labels = {option.key: option.label for option in options_of(item_field)}
    keys = [value] if isinstance(value, str) else list(value)
    shown = [labels.get(key, str(key)) for key in keys]
    if item_field.type == FieldType.RANKING:
        return f" {RANKING_SEPARATOR} ".join(shown)
    return f"{MULTIPLE_SEPARATOR} ".join(shown)


def labels_cells(*, item_field: Field, value: Any) -> set[str]:
    """Every way the export may have written ``value``'s labels (English, French): an untouched cell is one."""
    if value in (None, "", [], {}) or item_field.type not in CHOICE_FIELD_TYPES:
        return set()
    return {_labels_cell(item_field, value, language) for language in ("en", "fr")}


def value_to_cell(*, item_field: Field, value: Any, attachments: list[str] | None = None) -> Any:
    """A canonical answer value as a readable cell: option labels, "; " lists, " > " rankings, reference lines."""
    if value in (None, "", [], {}):
        return None
    kind = item_field.type
    if kind in CHOICE_FIELD_TYPES:
        return _labels_cell(item_field, value)
    if kind == FieldType.NUMBER:
        number = Decimal(str(value))
        digits = len(number.as_tuple().digits)
        if digits > 15:  # beyond a spreadsheet's double precision: keep the exact text
            return str(value)
        return int(number) if number == number.to_integral_value() else number
    if kind == FieldType.LEGAL_REFERENCES:
        lines = []
        for row in value:
            parts = [row.get("instrument", ""), row.get("provision", ""), row.get("url", "")]
            while parts and not parts[-1]:
                parts.pop()
            lines.append(f" {REFERENCE_SEPARATOR} ".join(parts))
        return "\n".join(lines)
    if kind == FieldType.ATTACHMENT:
        return f"{MULTIPLE_SEPARATOR} ".join(attachments or [])
    return str(value)


def _allowed_options_text(item_field: Field, options: list[Option]) -> str:
    if item_field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        listed = "; ".join(option.label for option in options)
        if item_field.type == FieldType.MULTIPLE_CHOICE:
            return _("%(options)s (several separated by “;”)") % {"options": listed}
        if item_field.type == FieldType.RANKING:
            return _("%(options)s (every option once, most important first, separated by “>”)") % {"options": listed}
        return listed
    if item_field.type == FieldType.LEGAL_REFERENCES:
        return _("One reference per line: instrument | provision | link")
    if item_field.type == FieldType.NUMBER:
        rule = number_rule(item_field).rstrip(".")
        return rule + (f" ({item_field.unit})" if item_field.unit else "")
    if item_field.type == FieldType.ATTACHMENT:
        return _("Read-only: add files on the platform")
    if item_field.max_length:
        return _("Text, at most %(limit)d characters") % {"limit": item_field.max_length}
    return _("Text")


def _cell_to_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value)


class _CellError(ValueError):
    pass


def _resolve_option(raw: str, item_field: Field, options: list[Option]) -> str:
    text = raw.strip()
    keys = [option.key for option in options]
    if text in keys:
        return text
    folded = text.casefold()
    for option in options:
        spellings = {option.key.casefold(), (option.label_en or "").casefold(), (option.label_fr or "").casefold()}
        if folded in spellings:
            return option.key
    raise _CellError(
        _("“%(value)s” is not an allowed option for “%(field)s”. Allowed: %(keys)s.")
        % {"value": text, "field": item_field.label, "keys": ", ".join(keys)}
    )


def cell_to_value(*, item_field: Field, options: list[Option], value: Any) -> Any:
    """Read a cell back into the canonical shape ``answer_data_clean`` expects; None when blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    kind = item_field.type
    if kind == FieldType.SINGLE_CHOICE:
        return _resolve_option(_cell_to_text(value), item_field, options)
    if kind in (FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        separator = MULTIPLE_SEPARATOR if kind == FieldType.MULTIPLE_CHOICE else RANKING_SEPARATOR
        parts = [part for part in _cell_to_text(value).split(separator) if part.strip()]
        return [_resolve_option(part, item_field, options) for part in parts]
    if kind == FieldType.NUMBER:
        if isinstance(value, bool):
            raise _CellError(_("“%(value)s” is not a number.") % {"value": value})
        if isinstance(value, int | float | Decimal):
            return _cell_to_text(value) if isinstance(value, float) else str(value)
        return _cell_to_text(value).strip()
    if kind == FieldType.LEGAL_REFERENCES:
        rows = []
        for number, line in enumerate(_cell_to_text(value).replace("\r\n", "\n").split("\n"), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(REFERENCE_SEPARATOR)]
            if len(parts) > 3:
                raise _CellError(
                    _("Line %(line)d has more than three parts; write “instrument | provision | link”.")
                    % {"line": number}
                )
            parts += [""] * (3 - len(parts))
            rows.append({"instrument": parts[0], "provision": parts[1], "url": parts[2]})
        return rows
    return _cell_to_text(value)
