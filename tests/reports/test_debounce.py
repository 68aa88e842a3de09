"""Ten submissions in a minute cost one rebuild per report: the refresh tasks they send are debounced, the sweep
waits for the data to settle, and later refreshes find the builds already queued."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from reports.models import ReportRun, ReportVersion
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now, report_runs_execute
from reports.services.refresh import reports_refresh_after_change, reports_sweep_stale
from tests.reports.conftest import reply

pytestmark = pytest.mark.django_db

LATECOMERS = ["PT", "PL", "SE", "NO", "FI", "DK", "IE", "GR", "CZ", "HU"]


def test_ten_submissions_in_a_minute_cause_one_rebuild_per_report(
    dataset, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORTS_REBUILD_DEBOUNCE_SECONDS = 60
    consultation_id = dataset.consultation.pk
    reports = [
        report_build_now(
            consultation=dataset.consultation, scope=scope_parse(consultation=dataset.consultation, text=text)
        ).report
        for text in ("theme:robotics", "article:20")
    ]
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=1)
    sent_refreshes: list[datetime.datetime] = []  # when each refresh task sent by a submission falls due
    batches: list[list[int]] = []  # the run ids of each batch build task sent to the worker

    def send_task(name, args, countdown, retry):
        assert (name, args, retry) == ("reports.tasks.reports_refresh_consultation", [consultation_id], False)
        sent_refreshes.append(timezone.now() + datetime.timedelta(seconds=countdown))

    def apply_async(args, retry):
        batches.append(args[0])

    with (
        mock.patch("config.celery.app.send_task", side_effect=send_task),
        mock.patch("consultation.tasks.reply_receipt_send.apply_async"),
        mock.patch("reports.tasks.report_runs_execute.apply_async", side_effect=apply_async),
    ):
        # Ten Parties submit, one every 6 seconds (0 s to 54 s); beat's sweep runs at 30 s meanwhile.
        for index, iso2 in enumerate(LATECOMERS):
            with (
                time_machine.travel(start + datetime.timedelta(seconds=6 * index), tick=False),
                django_capture_on_commit_callbacks(execute=True),
            ):
                reply(dataset.consultation, iso2, dataset.answers_of("DE"))
            if index == 5:
                with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
                    assert reports_sweep_stale() == {"queued": [], "resent": []}
        assert len(sent_refreshes) == 10
        assert sent_refreshes == [start + datetime.timedelta(seconds=6 * n + 60) for n in range(10)]

        # The worker runs each refresh when its countdown ends (60 s to 114 s); the sweep also runs at 90 s.
        outcomes = []
        for due in sent_refreshes:
            with time_machine.travel(due, tick=False), django_capture_on_commit_callbacks(execute=True):
                outcomes.append(reports_refresh_after_change(consultation_id=consultation_id))
                if due == start + datetime.timedelta(seconds=90):
                    assert reports_sweep_stale() == {"queued": [], "resent": []}
        with time_machine.travel(start + datetime.timedelta(seconds=150), tick=False):
            assert reports_sweep_stale() == {"queued": [], "resent": []}  # the builds are queued, not stale

    assert outcomes[:9] == [None] * 9  # replies changed again within the debounce: skipped
    queued = outcomes[9]
    assert sorted(run.report_id for run in queued) == sorted(report.pk for report in reports)
    assert sorted(run_id for batch in batches for run_id in batch) == sorted(run.pk for run in queued)
    for report in reports:
        assert ReportRun.objects.filter(report=report).exclude(trigger="command").count() == 1

    report_runs_execute(run_ids=[run.pk for run in queued])
    for report in reports:
        report.refresh_from_db()
        assert ReportVersion.objects.filter(report=report).count() == 2
        assert report.built_data_version == report.consultation.data_version
        replied = {party["name_en"] for party in report.current_version.data["participation"]["replied"]}
        assert {"Portugal", "Poland", "Sweden", "Norway", "Hungary"} <= replied
