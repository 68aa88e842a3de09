"""Load a curated consultation (its themes, items and answer definitions) from a YAML file.

The whole file is validated before anything is written, and written in one transaction: a
malformed file stops with every problem named (item code and cause) and changes nothing.
Loading is idempotent: rows are matched on natural keys (theme code, item code, field key,
option key) and only changed values are saved. Answers are never deleted: a field or option
that disappeared from the file is kept if any answer uses it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from .models import (
    CHOICE_FIELD_TYPES,
    AnswerChoice,
    AnswerValue,
    Article,
    Attachment,
    Consultation,
    Field,
    FieldType,
    Item,
    LegalReference,
    Option,
    Theme,
)

BACKGROUND_PAPER_PATH = Path(__file__).resolve().parent / "data" / "emerging_technologies_2024.yaml"
FIELD_TYPES = {choice.value for choice in FieldType}


class ConsultationFileError(ValueError):
    """The data file cannot be loaded; ``problems`` lists each cause."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The consultation file was not loaded:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class LoadResult:
    consultation: Consultation
    created: dict[str, int] = field(default_factory=lambda: {"themes": 0, "items": 0, "fields": 0, "options": 0})
    updated: dict[str, int] = field(default_factory=lambda: {"themes": 0, "items": 0, "fields": 0, "options": 0})

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values())


def _text(entry: dict, key: str) -> str:
    value = entry.get(key, "")
    return "" if value is None else str(value).strip()


def consultation_file_read(*, path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConsultationFileError([f"cannot read {path}: {exc.strerror}"]) from exc
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConsultationFileError([f"{path.name} is not valid YAML: {exc}"]) from exc
    if not isinstance(data, dict):
        raise ConsultationFileError([f"{path.name} must be a mapping with consultation, themes and items"])
    return data


def consultation_file_validate(*, data: dict[str, Any], known_articles: set[int]) -> list[str]:
    """Every problem in the file, each naming where it is; an empty list means loadable."""
    problems: list[str] = []
    meta = data.get("consultation")
    if not isinstance(meta, dict) or not _text(meta, "slug") or not _text(meta, "title_en"):
        problems.append("consultation: a slug and an English title (title_en) are required")
    themes = data.get("themes") or []
    theme_codes: set[str] = set()
    for index, theme in enumerate(themes, start=1):
        code = _text(theme, "code") if isinstance(theme, dict) else ""
        if not code or not _text(theme, "name_en"):
            problems.append(f"theme #{index}: a code and an English name (name_en) are required")
        elif code in theme_codes:
            problems.append(f"theme {code}: duplicate theme code")
        theme_codes.add(code)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        problems.append("items: the file has no items")
        return problems
    seen_codes: set[str] = set()
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(f"item #{index}: must be a mapping")
            continue
        code = _text(item, "code") or f"#{index}"
        if code in seen_codes:
            problems.append(f"item {code}: duplicate item code")
        seen_codes.add(code)
        if not _text(item, "text_en"):
            problems.append(f"item {code}: the English text (text_en) is missing")
        if _text(item, "theme") not in theme_codes:
            problems.append(f"item {code}: unknown theme '{_text(item, 'theme')}'")
        for number in item.get("articles") or []:
            if not isinstance(number, int) or number not in known_articles:
                problems.append(f"item {code}: unknown Convention article '{number}'")
        fields = item.get("fields") or []
        if not fields:
            problems.append(f"item {code}: at least one answer field is required")
        field_keys: set[str] = set()
        for findex, spec in enumerate(fields, start=1):
            key = _text(spec, "key") if isinstance(spec, dict) else ""
            where = f"item {code}, field {key or '#' + str(findex)}"
            if not key:
                problems.append(f"{where}: the field key is missing")
            elif key in field_keys:
                problems.append(f"{where}: duplicate field key")
            field_keys.add(key)
            ftype = _text(spec, "type") if isinstance(spec, dict) else ""
            if ftype not in FIELD_TYPES:
                problems.append(f"{where}: unknown field type '{ftype}'")
                continue
            if not _text(spec, "label_en"):
                problems.append(f"{where}: the English label (label_en) is missing")
            suggested = spec.get("suggested_words")
            if suggested is not None and (ftype != "text" or type(suggested) is not int or suggested < 1):
                problems.append(f"{where}: suggested_words is a whole number of words, for text fields only")
            options = spec.get("options") or []
            if ftype in CHOICE_FIELD_TYPES and len(options) < 2:
                problems.append(f"{where}: a {ftype} field needs at least two options")
            if ftype not in CHOICE_FIELD_TYPES and options:
                problems.append(f"{where}: a {ftype} field takes no options")
            problems.extend(_number_bounds_problems(spec, ftype=ftype, where=where))
            option_keys: set[str] = set()
            for option in options:
                okey = _text(option, "key") if isinstance(option, dict) else ""
                if not okey or not isinstance(option.get("key"), str):
                    problems.append(f"{where}: every option needs a text key (quote yes/no in YAML)")
                elif okey in option_keys:
                    problems.append(f"{where}: duplicate option key '{okey}'")
                elif not _text(option, "label_en"):
                    problems.append(f"{where}, option {okey}: the English label (label_en) is missing")
                elif option.get("specify") and ftype not in ("single_choice", "multiple_choice"):
                    problems.append(f"{where}, option {okey}: only single and multiple choices ask to specify")
                option_keys.add(okey)
    return problems


NUMBER_BOUND_KEYS = ("min", "max", "decimal_places")


def _number_bounds_problems(spec: dict[str, Any], *, ftype: str, where: str) -> list[str]:
    """A number field's ``min``, ``max`` (numbers, min <= max) and ``decimal_places`` (0 to 4); other types none."""
    given = [key for key in NUMBER_BOUND_KEYS if spec.get(key) is not None]
    if ftype != FieldType.NUMBER:
        return [f"{where}: a {ftype} field takes no {key}" for key in given]
    problems = []
    for key in ("min", "max"):
        value = spec.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            problems.append(f"{where}: {key} must be a number")
    places = spec.get("decimal_places")
    if places is not None and (isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4):
        problems.append(f"{where}: decimal_places must be a whole number from 0 to 4")
    low, high = spec.get("min"), spec.get("max")
    if not problems and low is not None and high is not None and low > high:
        problems.append(f"{where}: min ({low}) is above max ({high})")
    return problems


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _apply(obj: Any, values: dict[str, Any]) -> bool:
    """Set the values that differ and save only those; True if anything changed."""
    dirty = [name for name, value in values.items() if getattr(obj, name) != value]
    if dirty:
        for name in dirty:
            setattr(obj, name, values[name])
        obj.save(update_fields=dirty)
    return bool(dirty)


def _translated(entry: dict, name: str) -> dict[str, str]:
    english = _text(entry, f"{name}_en")
    return {name: english, f"{name}_en": english, f"{name}_fr": _text(entry, f"{name}_fr")}


def _upsert(model: Any, lookup: dict[str, Any], values: dict[str, Any], result: LoadResult, kind: str) -> Any:
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.save()
        result.created[kind] += 1
    elif _apply(obj, values):
        result.updated[kind] += 1
    return obj


def _field_in_use(field_obj: Field) -> bool:
    return any(
        model.objects.filter(field=field_obj).exists()
        for model in (AnswerChoice, AnswerValue, LegalReference, Attachment)
    )


@transaction.atomic
def consultation_load(*, data: dict[str, Any]) -> LoadResult:
    """Validate, then create or update the consultation described by ``data``."""
    known_articles = set(Article.objects.values_list("number", flat=True))
    problems = consultation_file_validate(data=data, known_articles=known_articles)
    if problems:
        raise ConsultationFileError(problems)
    meta = data["consultation"]
    consultation_values = {
        **_translated(meta, "title"),
        **_translated(meta, "description"),
        "source_reference": _text(meta, "source_reference"),
    }
    consultation = Consultation.objects.filter(slug=meta["slug"]).first()
    if consultation is None:
        consultation = Consultation.objects.create(slug=meta["slug"], **consultation_values)
    else:
        _apply(consultation, consultation_values)
    result = LoadResult(consultation=consultation)

    themes = {}
    for spec in data.get("themes") or []:
        values = {**_translated(spec, "name"), **_translated(spec, "description"), "order": int(spec.get("order", 0))}
        themes[spec["code"]] = _upsert(Theme, {"code": spec["code"]}, values, result, "themes")

    articles = {a.number: a for a in Article.objects.all()}
    for order, spec in enumerate(data["items"], start=1):
        values = {
            "theme": themes[spec["theme"]],
            "order": int(spec.get("order") or order),
            **_translated(spec, "text"),
            **_translated(spec, "guidance"),
            **_translated(spec, "context"),
        }
        item = Item.objects.filter(consultation=consultation, code=spec["code"]).first()
        is_new = item is None
        if item is None:
            item = Item.objects.create(
                consultation=consultation,
                code=spec["code"],
                translation_status=spec.get("translation_status") or "unofficial",
                **values,
            )
            result.created["items"] += 1
        elif _apply(item, values):
            result.updated["items"] += 1
        wanted_articles = {articles[n].pk for n in spec.get("articles") or []}
        if set(item.articles.values_list("pk", flat=True)) != wanted_articles:
            item.articles.set(wanted_articles)
            if not is_new:
                result.updated["items"] += 1
        _load_fields(item=item, specs=spec.get("fields") or [], result=result)
    return result


def _load_fields(*, item: Item, specs: list[dict], result: LoadResult) -> None:
    keep_keys = set()
    for forder, spec in enumerate(specs, start=1):
        keep_keys.add(spec["key"])
        values = {
            "type": spec["type"],
            "required": bool(spec.get("required", False)),
            "order": forder,
            "max_length": spec.get("max_length"),
            "suggested_words": spec.get("suggested_words"),
            "unit": _text(spec, "unit"),
            "min_value": _decimal(spec.get("min")),
            "max_value": _decimal(spec.get("max")),
            "decimal_places": spec.get("decimal_places"),
            **_translated(spec, "label"),
            **_translated(spec, "help"),
        }
        field_obj = _upsert(Field, {"item": item, "key": spec["key"]}, values, result, "fields")
        option_keys = set()
        for oorder, option in enumerate(spec.get("options") or [], start=1):
            option_keys.add(option["key"])
            _upsert(
                Option,
                {"field": field_obj, "key": option["key"]},
                {
                    "order": oorder,
                    "needs_specification": bool(option.get("specify", False)),
                    **_translated(option, "label"),
                },
                result,
                "options",
            )
        for stale in field_obj.options.exclude(key__in=option_keys):
            if not AnswerChoice.objects.filter(option=stale).exists():
                stale.delete()
                result.updated["options"] += 1
    for stale in item.fields.exclude(key__in=keep_keys):
        if not _field_in_use(stale):
            stale.delete()
            result.updated["fields"] += 1


def background_paper_load(*, path: Path = BACKGROUND_PAPER_PATH) -> LoadResult:
    """Load (or update in place) the 2024 emerging-technologies consultation."""
    return consultation_load(data=consultation_file_read(path=path))
