"""Keeping reports current: rebuild after submissions (debounced) and sweep whatever was missed.

A report is stale when the consultation's ``data_version`` (raised at every submission and reopening)
is above the version its current build read. ``consultation`` enqueues the refresh task after a short
countdown; if the broker was down, the periodic sweep finds the stale reports and the queued builds
that never reached a worker, and sends them once the broker is back.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone

from consultation.models import Consultation, Response

from ..models import ACTIVE_RUN_STATUSES, Audience, Report, ReportRun, RunStatus
from .builds import report_build_request, report_run_enqueue, report_runs_enqueue_on_commit

logger = logging.getLogger(__name__)


def consultation_last_change(*, consultation_id: int) -> datetime.datetime | None:
    """When the set of submitted replies last changed (latest submission or reopening)."""
    row = Response.objects.filter(consultation_id=consultation_id).aggregate(
        submitted=Max("submitted_at"), reopened=Max("reopened_at")
    )
    moments = [m for m in row.values() if m is not None]
    return max(moments, default=None)


def reports_stale(*, consultation_id: int | None = None):
    """Reports built (or asked for) by the Committee from older data than their consultation now has, with no build
    under way. A report only ever built as a public edition is not the Committee's: nothing rebuilds it."""
    committee_runs = ReportRun.objects.filter(report=OuterRef("pk"), audience=Audience.COMMITTEE)
    reports = (
        Report.objects.filter(built_data_version__lt=F("consultation__data_version"))
        .filter(Exists(committee_runs))
        .exclude(Exists(committee_runs.filter(status__in=ACTIVE_RUN_STATUSES)))
    )
    if consultation_id is not None:
        reports = reports.filter(consultation_id=consultation_id)
    return reports.select_related("consultation").order_by("pk")


def reports_refresh_consultation(*, consultation_id: int, trigger: str = "refresh") -> list[ReportRun]:
    """Queue one build per stale report of the consultation, sent as one batch task (figures aggregated once);
    later requests find them queued, so bursts of submissions coalesce."""
    if not Consultation.objects.filter(pk=consultation_id).exists():
        return []
    with transaction.atomic():
        runs = [
            report_build_request(report=report, trigger=trigger, enqueue=False)
            for report in reports_stale(consultation_id=consultation_id)
        ]
        report_runs_enqueue_on_commit(run_ids=[run.pk for run in runs])
    return runs


def reports_refresh_after_change(
    *, consultation_id: int, debounce: bool = True, now: datetime.datetime | None = None
) -> list[ReportRun] | None:
    """The debounced refresh: None (skipped) if replies changed again within the debounce window, since the
    task sent for that later change will build; otherwise the builds queued for the stale reports."""
    if debounce:
        now = now or timezone.now()
        last = consultation_last_change(consultation_id=consultation_id)
        window = datetime.timedelta(seconds=max(settings.REPORTS_REBUILD_DEBOUNCE_SECONDS - 1, 0))
        if last is not None and now - last < window:
            return None
    return reports_refresh_consultation(consultation_id=consultation_id)


def reports_sweep_stale(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Rebuild stale reports whose data settled (debounce passed), and resend builds lost on the way."""
    now = now or timezone.now()
    settled_before = now - datetime.timedelta(seconds=settings.REPORTS_REBUILD_DEBOUNCE_SECONDS)
    queued = []
    for consultation_id in sorted(set(reports_stale().values_list("consultation_id", flat=True))):
        last = consultation_last_change(consultation_id=consultation_id)
        if last is not None and last > settled_before:
            continue  # still settling: the debounced refresh (or the next sweep) builds it
        queued.extend(run.pk for run in reports_refresh_consultation(consultation_id=consultation_id, trigger="sweep"))
    requeue_before = now - datetime.timedelta(seconds=settings.REPORTS_REQUEUE_AFTER_SECONDS)
    dead_before = now - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    lost = ReportRun.objects.filter(
        Q(status=RunStatus.QUEUED, enqueued_at__isnull=True, created_at__lte=now - datetime.timedelta(seconds=30))
        | Q(status=RunStatus.QUEUED, enqueued_at__lte=requeue_before)
        | Q(status=RunStatus.RUNNING, started_at__lte=dead_before)
    ).exclude(pk__in=queued)
    resent = [run_id for run_id in lost.values_list("pk", flat=True) if report_run_enqueue(run_id=run_id)]
    if queued or resent:
        logger.info("Report sweep: %d stale report(s) queued, %d lost build(s) resent", len(queued), len(resent))
    return {"queued": queued, "resent": resent}
