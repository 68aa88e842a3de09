"""Exports of a consultation's answers: one row per Party × item × field, as XLSX, CSV or JSON.

The rows come from ONE streaming query (``values().iterator()``) over answers joined to their reply,
Party, item, theme and the item's fields, plus two small lookups (option labels, articles per item).
The writers stream too (openpyxl write-only, csv, JSON array), so a 200-Party × 1,000-item export
never holds the data set in memory. Small exports are downloaded at once; large ones become an
``ExportJob`` built by a Celery task, which records its progress and stores the file under
``exports/``.

Spreadsheet formula injection: a text cell starting with ``= + - @`` (or a tab or carriage return)
is written with a leading apostrophe, so the spreadsheet shows the text instead of running it.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record

from ..export_resources import AnswerExportResource
from ..models import (
    Answer,
    Consultation,
    ExportJob,
    FieldType,
    Item,
    JobStatus,
    Option,
    ResponseStatus,
)

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
STATE_CHOICES = ("submitted", "all", "draft", "ready", "reopened")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PROGRESS_EVERY = 5000


class ExportRefused(ValueError):
    """The export request is invalid (unknown format or filter value); the message says which."""


def export_filters_clean(raw: dict[str, Any]) -> dict[str, Any]:
    """Normalised filters: state (submitted by default), Party codes, theme codes, article numbers."""
    state = (raw.get("state") or "submitted").strip()
    if state not in STATE_CHOICES:
        raise ExportRefused(_("Unknown reply state “%(state)s”.") % {"state": state})

    def _list(key: str) -> list[str]:
        value = raw.get(key) or []
        if isinstance(value, str):
            value = [v for v in value.replace(";", ",").split(",")]
        return sorted({str(v).strip() for v in value if str(v).strip()})

    articles = []
    for number in _list("articles"):
        if not number.isdigit():
            raise ExportRefused(_("“%(value)s” is not an article number.") % {"value": number})
        articles.append(int(number))
    return {
        "state": state,
        "parties": [p.upper() for p in _list("parties")],
        "themes": _list("themes"),
        "articles": sorted(articles),
    }


def formula_escape(value: Any) -> Any:
    """Neutralise a text cell a spreadsheet would run as a formula (OWASP CSV injection advice)."""
    if not getattr(settings, "IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT", False):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _answers_queryset(*, consultation: Consultation, filters: dict[str, Any]) -> QuerySet[Answer]:
    answers = Answer.objects.filter(response__consultation=consultation)
    if filters["state"] != "all":
        answers = answers.filter(response__status=filters["state"])
    if filters["parties"]:
        answers = answers.filter(response__party__iso2__in=filters["parties"])
    if filters["themes"]:
        answers = answers.filter(item__theme__code__in=filters["themes"])
    if filters["articles"]:
        answers = answers.filter(
            item__in=Item.objects.filter(consultation=consultation, articles__number__in=filters["articles"])
        )
    return answers


def answers_export_count(*, consultation: Consultation, filters: dict[str, Any]) -> int:
    """How many rows the export will have (Party × item × field), counted in the database."""
    return _answers_queryset(consultation=consultation, filters=filters).filter(Q(item__fields__isnull=False)).count()


def _format_value(field_type: str, value: Any, labels: dict[str, str]) -> str:
    if value is None or value == "" or value == []:
        return ""
    if field_type == FieldType.SINGLE_CHOICE:
        return str(labels.get(value, value))
    if field_type == FieldType.MULTIPLE_CHOICE:
        return "; ".join(labels.get(k, k) for k in value)
    if field_type == FieldType.RANKING:
        return "; ".join(f"{rank}. {labels.get(k, k)}" for rank, k in enumerate(value, start=1))
    if field_type == FieldType.LEGAL_REFERENCES:
        return "; ".join(
            " ".join(p for p in (row.get("instrument", ""), row.get("provision", "")) if p)
            + (f" <{row['url']}>" if row.get("url") else "")
            for row in value
        )
    if field_type == FieldType.ATTACHMENT:
        return _("%(count)d attachment(s)") % {"count": len(value)}
    return str(value)


def answers_export_rows(*, consultation: Consultation, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The export rows, streamed from one query over answers × fields (plus two small lookups)."""
    option_labels: dict[int, dict[str, str]] = {}
    for field_id, key, label in Option.objects.filter(field__item__consultation=consultation).values_list(
        "field_id", "key", "label_en"
    ):
        option_labels.setdefault(field_id, {})[key] = label
    articles: dict[int, list[str]] = {}
    for item_id, number in (
        Item.articles.through.objects.filter(item__consultation=consultation)
        .order_by("article__number")
        .values_list("item_id", "article__number")
    ):
        articles.setdefault(item_id, []).append(str(number))
    rows = (
        _answers_queryset(consultation=consultation, filters=filters)
        .filter(item__fields__isnull=False)
        .order_by("response__party__iso2", "item__order", "item__code", "item__fields__order", "item__fields__id")
        .values(
            "data",
            "language",
            "item_id",
            "item__code",
            "item__theme__code",
            "item__fields__id",
            "item__fields__key",
            "item__fields__type",
            "response__party__iso2",
            "response__party__name_en",
            "response__status",
            "response__submitted_at",
        )
        .iterator(chunk_size=2000)
    )
    for row in rows:
        submitted_at = row["response__submitted_at"]
        yield {
            "party": row["response__party__iso2"],
            "party_name": row["response__party__name_en"],
            "item": row["item__code"],
            "theme": row["item__theme__code"],
            "articles": ", ".join(articles.get(row["item_id"], [])),
            "field": row["item__fields__key"],
            "field_type": row["item__fields__type"],
            "value": _format_value(
                row["item__fields__type"],
                (row["data"] or {}).get(row["item__fields__key"]),
                option_labels.get(row["item__fields__id"], {}),
            ),
            "language": row["language"],
            "state": row["response__status"],
            "submitted_at": (
                timezone.localtime(submitted_at).isoformat(timespec="seconds")
                if submitted_at and row["response__status"] == ResponseStatus.SUBMITTED
                else ""
            ),
        }


def _write_xlsx(out: Any, headers: list[str], rows: Iterator[list[Any]], on_row: Callable[[int], None]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("Answers")[:31])
    sheet.freeze_panes = "A2"
    sheet.append(headers)
    count = 0
    for cells in rows:
        written = []
        for value in cells:
            cell = WriteOnlyCell(sheet, value=formula_escape(value))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            written.append(cell)
        sheet.append(written)
        count += 1
        on_row(count)
    workbook.save(out)
    return count


def _write_csv(out: Any, headers: list[str], rows: Iterator[list[Any]], on_row: Callable[[int], None]) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(headers)
    count = 0
    for cells in rows:
        writer.writerow([formula_escape(v) for v in cells])
        count += 1
        on_row(count)
    text.flush()
    text.detach()
    return count


def _write_json(out: Any, headers: list[str], rows: Iterator[list[Any]], on_row: Callable[[int], None]) -> int:
    out.write(b"[")
    count = 0
    for cells in rows:
        out.write(
            (b",\n" if count else b"\n")
            + json.dumps(dict(zip(headers, cells, strict=True)), ensure_ascii=False).encode()
        )
        count += 1
        on_row(count)
    out.write(b"\n]\n")
    return count


WRITERS = {"xlsx": _write_xlsx, "csv": _write_csv, "json": _write_json}


def answers_export_write(
    *,
    consultation: Consultation,
    format: str,
    filters: dict[str, Any],
    out: Any,
    on_row: Callable[[int], None] | None = None,
) -> int:
    """Write the export to the binary stream ``out``; return the number of data rows."""
    if format not in WRITERS:
        raise ExportRefused(_("Unknown export format “%(format)s”.") % {"format": format})
    resource = AnswerExportResource()
    headers = resource.get_export_headers()
    cells = (resource.row_cells(row) for row in answers_export_rows(consultation=consultation, filters=filters))
    return WRITERS[format](out, headers, cells, on_row or (lambda _n: None))


def answers_export_filename(*, consultation: Consultation, format: str, filters: dict[str, Any]) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{consultation.slug}-answers-{filters['state']}-{stamp}.{format}"


def answers_export(
    *,
    consultation: Consultation,
    format: str,
    filters: dict[str, Any],
    user: Any = None,
    request: Any = None,
) -> tuple[str, bytes]:
    """A small export built in memory for direct download: (file name, content)."""
    filters = export_filters_clean(filters)
    buffer = io.BytesIO()
    rows = answers_export_write(consultation=consultation, format=format, filters=filters, out=buffer)
    audit_record(
        event_type="answers.exported",
        actor=user,
        consultation=consultation,
        object_repr=f"consultation:{consultation.slug}",
        request=request,
        extra={"format": format, "filters": filters, "rows": rows},
    )
    return answers_export_filename(consultation=consultation, format=format, filters=filters), buffer.getvalue()


def export_direct_limit() -> int:
    return int(getattr(settings, "EXPORT_DIRECT_MAX_ROWS", 20_000))


@transaction.atomic
def export_job_create(
    *,
    consultation: Consultation,
    format: str,
    filters: dict[str, Any],
    user: Any,
    request: Any = None,
) -> ExportJob:
    """Queue a large export; the Celery task builds it once this transaction commits."""
    if format not in WRITERS:
        raise ExportRefused(_("Unknown export format “%(format)s”.") % {"format": format})
    job = ExportJob.objects.create(
        consultation=consultation, requested_by=user, format=format, filters=export_filters_clean(filters)
    )
    audit_record(
        event_type="answers.export_queued",
        actor=user,
        consultation=consultation,
        object_repr=f"export:{job.pk}",
        request=request,
        extra={"format": format, "filters": job.filters},
    )
    from ..tasks import export_job_run as export_job_run_task

    transaction.on_commit(lambda: export_job_run_task.delay(job.pk))
    return job


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build a queued export (idempotent: a finished job is left as it is); progress is saved as it goes."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("consultation").filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return job
        job.status = JobStatus.RUNNING
        job.progress = 0
        job.error = ""
        job.save(update_fields=["status", "progress", "error"])
    total = max(answers_export_count(consultation=job.consultation, filters=job.filters), 1)

    def on_row(count: int) -> None:
        if count % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(progress=min(99, (100 * count) // total))

    try:
        with tempfile.TemporaryFile() as handle:
            rows = answers_export_write(
                consultation=job.consultation, format=job.format, filters=job.filters, out=handle, on_row=on_row
            )
            handle.seek(0)
            name = answers_export_filename(consultation=job.consultation, format=job.format, filters=job.filters)
            if job.file:
                job.file.delete(save=False)
            job.file.save(name, File(handle), save=False)
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    job.status = JobStatus.DONE
    job.progress = 100
    job.row_count = rows
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "status", "progress", "row_count", "finished_at"])
    return job


def export_job_file(*, job: ExportJob) -> tuple[str, Any]:
    """The stored file of a finished job: (download name, open binary file)."""
    name = job.file.name.rsplit("/", 1)[-1]
    return name, default_storage.open(job.file.name, "rb")
