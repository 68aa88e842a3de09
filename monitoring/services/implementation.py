"""Building the implementation report: requested on a page, built by a Celery worker, kept per build.

``implementation_report_request`` numbers a new build and sends the task once the request's transaction commits;
the task (``monitoring.tasks.implementation_report_build``) assembles both editions (``monitoring.documents``) and
has the reports' writers typeset them. The task is idempotent: a build already done or failed is left alone, a
redelivered one overwrites its own files, and a build that stopped too often is abandoned with a clear error.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Consultation

from ..errors import MonitoringError
from ..models import (
    ACTIVE_BUILD_STATUSES,
    BuildStatus,
    ImplementationReport,
    ImplementationReportFile,
    ObservationStatus,
    Recommendation,
    RecommendationStatus,
)

logger = logging.getLogger(__name__)

LANGUAGES = ("en", "fr")
FORMATS = ("pdf", "docx", "html")
MAX_ATTEMPTS = 3
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def _lost_before() -> datetime.datetime:
    """A build queued or running since before this never reached or outlived a worker."""
    return timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


@transaction.atomic
def implementation_report_request(
    *, consultation: Consultation, user: Any, request: Any = None
) -> ImplementationReport:
    """Queue a new build of both editions. Refused while one is under way (it will include the same material),
    and when the Committee has adopted no recommendation yet (there would be no findings to report)."""
    Consultation.objects.select_for_update().only("pk").get(pk=consultation.pk)  # one request at a time
    active = (
        ImplementationReport.objects.filter(consultation=consultation, status__in=ACTIVE_BUILD_STATUSES)
        .order_by("-number")
        .first()
    )
    if active is not None:
        if active.requested_at >= _lost_before() and (active.started_at is None or active.started_at >= _lost_before()):
            raise MonitoringError(
                _("Build %(number)s is under way: wait for it to finish before asking for another.")
                % {"number": active.number}
            )
        ImplementationReport.objects.filter(pk=active.pk).update(
            status=BuildStatus.FAILED,
            finished_at=timezone.now(),
            error=_("The build never finished (the worker stopped or was unreachable); a new build replaced it."),
        )
    if not Recommendation.objects.filter(consultation=consultation, status=RecommendationStatus.ADOPTED).exists():
        raise MonitoringError(
            _(
                "The Committee has adopted no recommendation in this consultation yet: record an adoption on the "
                "Recommendations page first."
            )
        )
    number = (ImplementationReport.objects.filter(consultation=consultation).aggregate(n=Max("number"))["n"] or 0) + 1
    report = ImplementationReport.objects.create(consultation=consultation, number=number, requested_by=user)
    audit_record(
        event_type="monitoring.implementation_report_requested",
        actor=user,
        consultation=consultation,
        object_repr=f"implementation report {number}",
        request=request,
    )
    transaction.on_commit(lambda: implementation_report_enqueue(report_id=report.pk))
    return report


def implementation_report_enqueue(*, report_id: int) -> bool:
    """Send the build task (applied in-process under the eager test settings); a broker outage leaves the build
    queued, and a later request replaces it once it is overdue."""
    from ..tasks import implementation_report_build

    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            implementation_report_build.apply(args=[report_id])
        else:
            implementation_report_build.apply_async(args=[report_id], retry=False)
        return True
    except Exception:  # the broker is unreachable: never fail the request that asked
        logger.warning("Could not queue implementation report build %s", report_id, exc_info=True)
        return False


def _start(report_id: int) -> ImplementationReport | None:
    with transaction.atomic():
        report = ImplementationReport.objects.select_for_update().filter(pk=report_id).first()
        if report is None or report.status in (BuildStatus.DONE, BuildStatus.FAILED):
            return None
        now = timezone.now()
        if report.attempts >= MAX_ATTEMPTS:
            report.status = BuildStatus.FAILED
            report.finished_at = now
            report.error = _("The build stopped %(count)d times without finishing; it was abandoned.") % {
                "count": report.attempts
            }
            report.save(update_fields=["status", "finished_at", "error"])
            return None
        report.attempts += 1
        report.status = BuildStatus.RUNNING
        report.started_at = now
        report.error = ""
        report.save(update_fields=["attempts", "status", "started_at", "error"])
    return ImplementationReport.objects.select_related("consultation").get(pk=report_id)


def _renderers() -> dict[str, Any]:
    """The reports' generic writers for a ``reports.sections.Document``."""
    from reports.rendering import document_html, document_pdf
    from reports.word import document_docx

    return {"pdf": document_pdf, "docx": document_docx, "html": document_html}


def document_hash(documents: dict[str, Any]) -> str:
    """SHA-256 of both editions' content, the build date left out: two builds with one hash say the same."""
    content = {
        language: {"sections": [asdict(s) for s in doc.sections], "annexes": [asdict(s) for s in doc.annexes]}
        for language, doc in documents.items()
    }
    encoded = json.dumps(content, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def implementation_report_summary(*, consultation: Consultation) -> dict[str, int]:
    """What a build assembles, counted once for the page."""
    from ..models import ItemAnalysis

    return {
        "recommendations": Recommendation.objects.filter(
            consultation=consultation, status=RecommendationStatus.ADOPTED
        ).count(),
        "observations": ItemAnalysis.objects.filter(item__consultation=consultation, status=ObservationStatus.ADOPTED)
        .exclude(observations="")
        .count(),
        "final_items": ItemAnalysis.objects.filter(
            item__consultation=consultation, coding_final_at__isnull=False
        ).count(),
    }


def implementation_report_execute(*, report_id: int) -> ImplementationReport | None:
    """Build both editions in every format and store them; the build's state tells the page how it went."""
    from ..documents import implementation_report_document

    report = _start(report_id)
    if report is None:
        return None
    try:
        consultation = report.consultation
        documents = {
            language: implementation_report_document(consultation=consultation, language=language)
            for language in LANGUAGES
        }
        renderers = _renderers()
        outputs: dict[tuple[str, str], bytes] = {}
        for language, document in documents.items():
            for fmt in FORMATS:
                content = renderers[fmt](document)
                outputs[(language, fmt)] = content.encode("utf-8") if isinstance(content, str) else content
        content_hash = document_hash(documents)
        summary = implementation_report_summary(consultation=consultation)
    except Exception as error:
        logger.exception("Implementation report build %s failed", report_id)
        ImplementationReport.objects.filter(pk=report_id).update(
            status=BuildStatus.FAILED,
            finished_at=timezone.now(),
            error=_("The build failed: %(error)s") % {"error": str(error)[:500] or type(error).__name__},
        )
        return ImplementationReport.objects.get(pk=report_id)
    slug = consultation.slug
    with transaction.atomic():
        report = ImplementationReport.objects.select_for_update().get(pk=report_id)
        if report.status != BuildStatus.RUNNING:
            return report
        for (language, fmt), content in outputs.items():
            row, _created = ImplementationReportFile.objects.get_or_create(
                report=report, language=language, format=fmt, defaults={"size": len(content)}
            )
            if row.file:
                row.file.delete(save=False)  # a redelivered build replaces its own file
            row.file.save(
                f"{slug}-implementation-report-{report.number}-{language}.{fmt}", ContentFile(content), save=False
            )
            row.size = len(content)
            row.save()
        report.status = BuildStatus.DONE
        report.finished_at = timezone.now()
        report.content_hash = content_hash
        report.summary = summary
        report.save(update_fields=["status", "finished_at", "content_hash", "summary"])
        audit_record(
            event_type="monitoring.implementation_report_built",
            actor=report.requested_by,
            consultation=consultation,
            object_repr=f"implementation report {report.number}",
            extra={"hash": content_hash, **summary},
        )
    return report
