"""Import stage 3: what the file would change, item by item, against the answers at the download and online now."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ...answer_values import AnswerInvalid, answer_data_clean, fields_with_specifications, options_of
from ...models import CHOICE_FIELD_TYPES, Answer, AnswerRevision, Field, Item, Response
from ...selectors.offline import FieldValue
from .cells import _CellError, _xml_safe, cell_to_value, labels_cells, value_to_cell

MAX_REPORTED_ERRORS = 200


@dataclass
class RowError:
    row: int | None
    column: str
    message: str


@dataclass
class FieldChange:
    key: str
    label: str
    old: list[str]
    new: list[str]
    rows: list[int] = field(default_factory=list)


@dataclass
class ItemChange:
    item_id: int
    item_code: str
    question: str
    file_version: int
    online_version: int
    conflict: bool
    data: dict[str, Any]
    fields: list[FieldChange]


@dataclass
class ImportPreview:
    """What confirming would do; kept server-side between the upload and the confirmation."""

    filename: str
    rows_read: int = 0
    unchanged_items: int = 0
    changes: list[ItemChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    source: str = "xlsx"  # or "docx": the Word form, whose problems are named by answer box

    @property
    def conflicts(self) -> list[ItemChange]:
        return [change for change in self.changes if change.conflict]

    @property
    def plain_changes(self) -> list[ItemChange]:
        return [change for change in self.changes if not change.conflict]

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RowError(row=row, column=column, message=message))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportPreview:
        preview = cls(
            filename=data["filename"],
            rows_read=data["rows_read"],
            unchanged_items=data["unchanged_items"],
            error_count=data["error_count"],
            source=data.get("source", "xlsx"),
        )
        preview.errors = [RowError(**error) for error in data["errors"]]
        preview.changes = [
            ItemChange(**{**change, "fields": [FieldChange(**fc) for fc in change["fields"]]})
            for change in data["changes"]
        ]
        return preview


@dataclass
class _FileItem:
    item: Item
    raw: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    versions: set[int] = field(default_factory=set)
    keys: dict[str, Any] = field(default_factory=dict)  # the hidden column of option keys, when present
    first_row: int = 0


def _same_cell(raw: Any, encoded: Any) -> bool:
    """Whether a cell still holds what the export wrote (numbers compared as numbers, texts as written)."""
    blank_raw = raw is None or (isinstance(raw, str) and not raw.strip())
    if encoded is None or blank_raw:
        return encoded is None and blank_raw
    if isinstance(raw, int | float | Decimal) and isinstance(encoded, int | float | Decimal):
        return Decimal(str(raw)) == Decimal(str(encoded))
    if isinstance(encoded, str):
        encoded = _xml_safe(encoded)
    return str(raw).replace("\r\n", "\n").strip() == str(encoded).replace("\r\n", "\n").strip()


def _decode_item(
    *,
    entry: _FileItem,
    by_key: dict[str, Field],
    known: tuple[dict[str, Any], ...],
    preview: ImportPreview,
    column_names: dict[str, str],
) -> dict[str, Any] | None:
    """The item's values read from the file; None if a cell cannot be read (each such cell reported).

    A cell still holding exactly what the export wrote for a known value (at the download, or online now)
    keeps that value as is, so an untouched cell round-trips whatever it contains (a “|” in a provision,
    a character XML cannot hold).
    """
    values: dict[str, Any] = {}
    failed = False
    for key, raw in entry.raw.items():
        item_field = by_key[key]
        from_keys = _from_hidden_keys(item_field, raw, entry.keys.get(key))
        if from_keys is not None:
            values[key] = from_keys
            continue
        same = [
            data[key]
            for data in known
            if key in data and _same_cell(raw, value_to_cell(item_field=item_field, value=data[key]))
        ]
        if same:
            values[key] = same[0]
            continue
        try:
            values[key] = cell_to_value(item_field=item_field, options=options_of(item_field), value=raw)
        except _CellError as exc:
            preview.add_error(entry.rows[key], column_names["value"], str(exc))
            failed = True
    return None if failed else values


def _from_hidden_keys(item_field: Field, raw: Any, keys: Any) -> Any:
    """The value named by the hidden column of option keys, when the cell of labels still reads exactly as the
    export wrote those keys (in English or French); else None, and the cell itself is read."""
    if item_field.type not in CHOICE_FIELD_TYPES or not isinstance(raw, str) or not isinstance(keys, str):
        return None
    try:
        value = cell_to_value(item_field=item_field, options=options_of(item_field), value=keys)
    except _CellError:
        return None
    if value is None or raw.replace("\r\n", "\n").strip() not in labels_cells(item_field=item_field, value=value):
        return None
    return value


def _display(item_field: Field, options: list[Any], value: Any) -> list[str]:
    return FieldValue(field=item_field, value=value, options=options).display_lines


def _compare(
    *, response: Response, file_items: dict[str, _FileItem], preview: ImportPreview, column_names: dict[str, str]
) -> None:
    """Validate each item's values and compare them with the export-time and the current answers."""
    online: dict[int, dict[str, Any]] = {
        row["item_id"]: {"data": row["data"], "version": row["version"]}
        for row in Answer.objects.filter(
            response_id=response.pk, item__in=[e.item for e in file_items.values()]
        ).values("item_id", "data", "version")
    }
    wanted_versions = {v for entry in file_items.values() for v in entry.versions if v > 0}
    revisions = {
        (row["answer__item_id"], row["version"]): row["data"]
        for row in AnswerRevision.objects.filter(answer__response_id=response.pk, version__in=wanted_versions).values(
            "answer__item_id", "version", "data"
        )
    }
    for code, entry in file_items.items():
        item = entry.item
        fields = list(item.fields.all())
        by_key = {f.key: f for f in fields_with_specifications(fields)}
        if len(entry.versions) > 1:
            preview.add_error(
                entry.first_row,
                column_names["answer_version"],
                _("The rows of %(code)s carry different versions (%(versions)s); keep the exported values.")
                % {"code": code, "versions": ", ".join(str(v) for v in sorted(entry.versions))},
            )
            continue
        file_version = next(iter(entry.versions), 0)
        current: dict[str, Any] = online.get(item.pk) or {"data": {}, "version": 0}
        if file_version > current["version"]:
            preview.add_error(
                entry.first_row,
                column_names["answer_version"],
                _("Version %(file)d is newer than the reply's (%(online)d): this file is not a download of this reply.")
                % {"file": file_version, "online": current["version"]},
            )
            continue
        if file_version == current["version"]:
            base = current["data"]
        elif file_version == 0:
            base = {}
        else:
            base = revisions.get((item.pk, file_version), {})
        values = _decode_item(
            entry=entry, by_key=by_key, known=(base, current["data"]), preview=preview, column_names=column_names
        )
        if values is None:
            continue
        present = {key: value for key, value in values.items() if value is not None}
        if all(present.get(key) == current["data"].get(key) for key in values):
            # The file keeps the online answer as it is: nothing to save, so nothing to check again (an answer
            # saved before a newer check, e.g. a control character, must not block the import of the others).
            preview.unchanged_items += 1
            continue
        try:
            clean = answer_data_clean(fields=fields, data=present)
        except AnswerInvalid as exc:
            for key, message in exc.errors.items():
                preview.add_error(entry.rows.get(key, entry.first_row), column_names["value"], message)
            continue
        file_values = {key: clean.get(key) for key in values}
        changed = [key for key, value in file_values.items() if value != base.get(key)]
        changed = [key for key in changed if file_values[key] != current["data"].get(key)]
        if not changed:
            preview.unchanged_items += 1
            continue
        new_data = {**current["data"], **{key: file_values[key] for key in changed}}
        new_data = {key: value for key, value in new_data.items() if value not in (None, "", [], {})}
        options = {key: options_of(f) for key, f in by_key.items()}
        preview.changes.append(
            ItemChange(
                item_id=item.pk,
                item_code=code,
                question=item.text,
                file_version=file_version,
                online_version=current["version"],
                conflict=file_version < current["version"],
                data=new_data,
                fields=[
                    FieldChange(
                        key=key,
                        label=by_key[key].label,
                        old=_display(by_key[key], options[key], current["data"].get(key)),
                        new=_display(by_key[key], options[key], file_values[key]),
                        rows=[entry.rows[key]],
                    )
                    for key in changed
                ],
            )
        )
