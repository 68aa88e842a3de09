"""Validation and normalisation of an item's answer against its answer definition.

Drafts may be incomplete (required fields are enforced only at submission), but every value that
is present must be valid for its field: a known option, a complete ranking, a number, a link.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .models import Field, FieldType

DEFAULT_TEXT_MAX_LENGTH = 20_000
# A number answer fits the typed row's DecimalField(max_digits=20, decimal_places=4): below 10^16, four decimal
# places at most. Each number field may narrow that: its lowest and highest values (0 for a count) and its decimal
# places (0 for a count), set by the Secretariat or the consultation file.
NUMBER_DECIMAL_PLACES = 4
NUMBER_LIMIT = Decimal("1e16")
LEGAL_REFERENCE_MAX_ROWS = 50
_url_validator = URLValidator(schemes=["http", "https"])
# Refused in texts: NUL (PostgreSQL stores no NUL in text or JSON), the other C0 controls but tab and line breaks,
# lone surrogates and U+FFFE/U+FFFF (no encoder, and no XML of the Excel and Word exports, accepts them).
_CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def control_character_error(text: str) -> str | None:
    """The message refusing ``text`` when it holds a character that cannot be saved, else None."""
    found = _CONTROL_CHARACTERS.search(text)
    if found is None:
        return None
    return _(
        "The text holds an invisible control character (%(code)s) that cannot be saved. It often comes with a "
        "copy and paste: remove it, or paste the text as plain text, and save again."
    ) % {"code": f"U+{ord(found.group()):04X}"}


def _check_characters(text: str, *, row: int | None = None) -> None:
    message = control_character_error(text)
    if message is not None:
        raise ValidationError(message if row is None else _("Row %(row)d: ") % {"row": row} + message)


class AnswerInvalid(ValueError):
    """The submitted value breaks the item's answer definition; ``errors`` maps field key to message."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _clean_field(field: Field, value: Any, option_keys: list[str]) -> Any:
    if field.type == FieldType.SINGLE_CHOICE:
        if not isinstance(value, str) or value not in option_keys:
            raise ValidationError(_("“%(value)s” is not one of the listed options.") % {"value": value})
        return value
    if field.type == FieldType.MULTIPLE_CHOICE:
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or any(v not in option_keys for v in values):
            raise ValidationError(_("Choose only among the listed options."))
        return [key for key in option_keys if key in set(values)]
    if field.type == FieldType.RANKING:
        if not isinstance(value, list) or sorted(value) != sorted(option_keys) or len(set(value)) != len(value):
            raise ValidationError(_("Rank every listed option exactly once."))
        return list(value)
    if field.type == FieldType.TEXT:
        if not isinstance(value, str):
            raise ValidationError(_("Enter text."))
        text = value.replace("\r\n", "\n").strip()
        _check_characters(text)
        limit = field.max_length or DEFAULT_TEXT_MAX_LENGTH
        if len(text) > limit:
            raise ValidationError(
                _("The text is %(length)d characters long; the limit is %(limit)d.")
                % {"length": len(text), "limit": limit}
            )
        return text
    if field.type == FieldType.NUMBER:
        try:
            number = Decimal(str(value).strip().replace(" ", "").replace("\u202f", "").replace(",", "."))
        except InvalidOperation as exc:
            raise ValidationError(_("“%(value)s” is not a number.") % {"value": value}) from exc
        return _clean_number(field, value, number)
    if field.type == FieldType.LEGAL_REFERENCES:
        return _clean_legal_references(value)
    if field.type == FieldType.ATTACHMENT:
        ids = value if isinstance(value, list) else [value]
        try:
            return sorted({int(v) for v in ids})
        except (TypeError, ValueError) as exc:
            raise ValidationError(_("Unknown attachment.")) from exc
    raise ValidationError(_("Unknown field type."))


def number_places(field: Field) -> int:
    """The decimal places a number field accepts."""
    if field.decimal_places is None:
        return NUMBER_DECIMAL_PLACES
    return min(field.decimal_places, NUMBER_DECIMAL_PLACES)


def _plain(number: Decimal) -> str:
    """The number as the reader writes it (2,5 in French), without trailing zeros."""
    return number_format(Decimal(format(number.normalize(), "f")))


def _clean_number(field: Field, value: Any, number: Decimal) -> str:
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise ValidationError(_("“%(value)s” is not a number in range.") % {"value": value})
    number = number.normalize()
    places = number_places(field)
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        if places == 0:
            raise ValidationError(
                _("“%(value)s” is not a whole number: this field counts something.") % {"value": value}
            )
        raise ValidationError(
            _("“%(value)s” has more than %(places)d decimal places: round it to %(places)d at most.")
            % {"value": value, "places": places}
        )
    if field.min_value is not None and number < field.min_value:
        if field.min_value == 0:
            raise ValidationError(
                _("“%(value)s” is below 0: this field counts or measures something, so it cannot be negative.")
                % {"value": value}
            )
        raise ValidationError(
            _("“%(value)s” is below %(min)s, the lowest value accepted here.")
            % {"value": value, "min": _plain(field.min_value)}
        )
    if field.max_value is not None and number > field.max_value:
        raise ValidationError(
            _("“%(value)s” is above %(max)s, the highest value accepted here.")
            % {"value": value, "max": _plain(field.max_value)}
        )
    return format(number, "f")


def number_rule(field: Field) -> str:
    """What a number field accepts, in words, shown beside its box ("A whole number, 0 or more.")."""
    places = number_places(field)
    low = None if field.min_value is None else _plain(field.min_value)
    high = None if field.max_value is None else _plain(field.max_value)
    if places == 0:
        kind = _("A whole number")
    else:
        kind = _("A number with up to %(places)d decimal places") % {"places": places}
    if low is not None and high is not None:
        return _("%(kind)s from %(min)s to %(max)s.") % {"kind": kind, "min": low, "max": high}
    if low is not None:
        return _("%(kind)s, %(min)s or more.") % {"kind": kind, "min": low}
    if high is not None:
        return _("%(kind)s, %(max)s at most.") % {"kind": kind, "max": high}
    return _("%(kind)s.") % {"kind": kind}


def _clean_legal_references(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise ValidationError(_("Legal references must be a list of rows."))
    rows = []
    for index, row in enumerate(value, start=1):
        if not isinstance(row, dict):
            raise ValidationError(_("Row %(row)d is not a legal reference.") % {"row": index})
        instrument = str(row.get("instrument") or "").strip()
        provision = str(row.get("provision") or "").strip()
        url = str(row.get("url") or "").strip()
        if not (instrument or provision or url):
            continue
        _check_characters(instrument + provision + url, row=index)
        if not instrument:
            raise ValidationError(_("Row %(row)d: name the instrument (law, code, decree).") % {"row": index})
        if len(instrument) > 500 or len(provision) > 255:
            raise ValidationError(_("Row %(row)d: the instrument or provision is too long.") % {"row": index})
        if url:
            try:
                _url_validator(url)
            except ValidationError as exc:
                raise ValidationError(
                    _("Row %(row)d: “%(url)s” is not a valid http(s) link.") % {"row": index, "url": url}
                ) from exc
        rows.append({"instrument": instrument, "provision": provision, "url": url})
    if len(rows) > LEGAL_REFERENCE_MAX_ROWS:
        raise ValidationError(_("At most %(max)d legal references per field.") % {"max": LEGAL_REFERENCE_MAX_ROWS})
    return rows


def fields_of(item: Any) -> list[Any]:
    """The item's fields: the plain list pages attach (``Prefetch(..., to_attr="field_list")``, half the time of
    prefetched managers for 100 items), else the related manager (prefetched or not)."""
    fields = getattr(item, "field_list", None)
    return list(item.fields.all()) if fields is None else fields


def options_of(field: Any) -> list[Any]:
    """The field's options: its ``option_list`` when attached, else the related manager."""
    options = getattr(field, "option_list", None)
    return list(field.options.all()) if options is None else options


# "Other (please specify)": the text that goes with an option flagged ``needs_specification`` is kept in the
# answer beside the choice, under the field's key and this suffix (a colon never occurs in a field's slug key).
SPECIFY_SUFFIX = ":specify"
SPECIFICATION_MAX_LENGTH = 1000


def specification_key(field_key: str) -> str:
    """The answer key of a field's "please specify" text: ``"measures:specify"``."""
    return f"{field_key}{SPECIFY_SUFFIX}"


def options_needing_specification(field: Any) -> list[Any]:
    """The field's options that ask for a text when chosen (none for fields without options)."""
    if field.type not in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE):
        return []
    return [option for option in options_of(field) if option.needs_specification]


def specification_field(field: Any) -> Field | None:
    """The "please specify" text of ``field`` as an unsaved free-text field (the offline files give it a row of
    its own, read back like any text), or None when no option of the field asks for one."""
    options = options_needing_specification(field)
    if not options:
        return None
    label = _("%(field)s – “%(option)s”: please specify") % {"field": field.label, "option": options[0].label}
    pseudo = Field(
        item_id=field.item_id,
        key=specification_key(field.key),
        type=FieldType.TEXT,
        label=label[:300],
        order=field.order,
        max_length=SPECIFICATION_MAX_LENGTH,
    )
    pseudo.option_list = []  # read by ``options_of``: an unsaved field has no related rows to ask for
    return pseudo


def fields_with_specifications(fields: list[Any]) -> list[Any]:
    """``fields``, each followed by its "please specify" text field when one of its options asks for one."""
    result = []
    for field in fields:
        result.append(field)
        extra = specification_field(field)
        if extra is not None:
            result.append(extra)
    return result


def specified_labels(field: Any, value: Any, specification: Any) -> dict[str, str]:
    """Option labels by key, the option that asks to specify followed by the text given: "Other: codes"."""
    labels = {option.key: option.label for option in options_of(field)}
    if isinstance(specification, str) and specification:
        for option in options_needing_specification(field):
            labels[option.key] = f"{option.label}: {specification}"
    return labels


def specification_wanted(field: Any, value: Any) -> bool:
    """Whether ``value`` (the field's canonical value) chose an option that asks for a text."""
    keys = {option.key for option in options_needing_specification(field)}
    if not keys or _is_blank(value):
        return False
    chosen = {value} if isinstance(value, str) else set(value) if isinstance(value, list) else set()
    return bool(keys & chosen)


def _clean_specification(field: Field, value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError(_("Enter text."))
    text = value.replace("\r\n", "\n").strip()
    _check_characters(text)
    if len(text) > SPECIFICATION_MAX_LENGTH:
        raise ValidationError(
            _("The text that specifies “%(field)s” is %(length)d characters long; the limit is %(limit)d.")
            % {"field": field.label, "length": len(text), "limit": SPECIFICATION_MAX_LENGTH}
        )
    return text


def answer_data_clean(*, fields: list[Field], data: dict[str, Any]) -> dict[str, Any]:
    """Return the canonical value for ``data``; raise ``AnswerInvalid`` naming each bad field.

    ``fields`` must come with ``options`` prefetched. Keys that are not fields of the item are refused, except
    a field's "please specify" text (``specification_key``), kept only while an option that asks for it is
    chosen.
    """
    if not isinstance(data, dict):
        raise AnswerInvalid({"__all__": _("The answer must be a mapping of fields to values.")})
    by_key = {field.key: field for field in fields}
    specifiable = {specification_key(field.key): field for field in fields if options_needing_specification(field)}
    errors: dict[str, str] = {}
    for key in data:
        if key not in by_key and key not in specifiable:
            errors[str(key)] = _("This item has no field “%(key)s”.") % {"key": key}
    clean: dict[str, Any] = {}
    for field in fields:
        value = data.get(field.key)
        if _is_blank(value):
            continue
        option_keys = [option.key for option in options_of(field)]
        try:
            cleaned = _clean_field(field, value, option_keys)
        except ValidationError as exc:
            errors[field.key] = " ".join(exc.messages)
            continue
        if not _is_blank(cleaned):
            clean[field.key] = cleaned
    for key, field in specifiable.items():
        text = data.get(key)
        if _is_blank(text) or field.key in errors or not specification_wanted(field, clean.get(field.key)):
            continue  # the text of an option no longer chosen is not kept
        try:
            clean[key] = _clean_specification(field, text)
        except ValidationError as exc:
            errors[field.key] = " ".join(exc.messages)
            continue
        if not clean[key]:
            del clean[key]
    if errors:
        raise AnswerInvalid(errors)
    return clean


def answer_data_missing(*, fields: list[Field], data: dict[str, Any]) -> list[Field]:
    """The required fields that have no value in ``data``, and the fields whose chosen "Other (please specify)"
    option has no text yet (the Committee cannot read "other" without it)."""
    return [
        field
        for field in fields
        if (field.required and _is_blank(data.get(field.key)))
        or (specification_wanted(field, data.get(field.key)) and _is_blank(data.get(specification_key(field.key))))
    ]
