"""Reports go stale when replies change, are rebuilt after a debounce, and survive a broker outage."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from consultation.models import Consultation, Response
from consultation.services.responses import response_reopen, response_submit
from reports.models import Report, ReportRun
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from reports.services.refresh import reports_refresh_after_change, reports_stale, reports_sweep_stale
from tests import factories as f
from tests.reports.conftest import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def robotics(dataset):
    scope = scope_parse(consultation=dataset.consultation, text="theme:robotics")
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"])
    assert run.status == "done"
    return run.report


def data_version(dataset):
    return Consultation.objects.get(pk=dataset.consultation.pk).data_version


def test_a_submission_marks_reports_stale_and_queues_a_debounced_refresh(
    dataset, robotics, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REPORTS_REBUILD_DEBOUNCE_SECONDS = 120
    assert list(reports_stale()) == []
    with (
        mock.patch("config.celery.app.send_task") as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply(dataset.consultation, "PT", dataset.answers_of("DE"))
    refresh_calls = [c for c in send_task.call_args_list if c.args[0] == "reports.tasks.reports_refresh_consultation"]
    assert refresh_calls == [
        mock.call(
            "reports.tasks.reports_refresh_consultation", args=[dataset.consultation.pk], countdown=120, retry=False
        )
    ]
    robotics.refresh_from_db()
    assert robotics.built_data_version == data_version(dataset) - 1
    assert list(reports_stale()) == [robotics]


def test_the_refresh_waits_for_replies_to_settle_then_queues_one_build_per_report(
    dataset, robotics, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_REBUILD_DEBOUNCE_SECONDS = 120
    reply(dataset.consultation, "PT", dataset.answers_of("DE"))
    submitted_at = Response.objects.get(party__iso2="PT").submitted_at
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        too_soon = submitted_at + datetime.timedelta(seconds=30)
        assert reports_refresh_after_change(consultation_id=dataset.consultation.pk, now=too_soon) is None
        settled = submitted_at + datetime.timedelta(seconds=125)
        first = reports_refresh_after_change(consultation_id=dataset.consultation.pk, now=settled)
        second = reports_refresh_after_change(consultation_id=dataset.consultation.pk, now=settled)
    assert [run.report_id for run in first] == [robotics.pk]
    assert second == []  # the build is already queued: a burst of submissions costs one build
    assert ReportRun.objects.filter(report=robotics, status="queued").count() == 1
    assert len(callbacks) == 1  # one enqueue, sent when the transaction commits


def test_the_refresh_task_applied_in_process_rebuilds_at_once(dataset, robotics, django_capture_on_commit_callbacks):
    from reports.tasks import reports_refresh_consultation

    response_reopen(response=dataset.responses["NL"], user=None, reason="Correct the figures.")
    with django_capture_on_commit_callbacks(execute=True):
        reports_refresh_consultation.apply(args=[dataset.consultation.pk])
    robotics.refresh_from_db()
    assert robotics.built_data_version == data_version(dataset)
    assert robotics.versions.count() == 2
    replied = robotics.current_version.data["participation"]["replied"]
    under_revision = [p["name_en"] for p in replied if p.get("under_revision_since")]
    assert under_revision == ["Netherlands"]  # still counted with its last submission, marked


def test_when_the_broker_is_down_the_submission_commits_and_the_sweep_rebuilds_later(
    dataset, robotics, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    refused = OperationalError("[Errno 111] Connection refused")
    with (
        mock.patch("config.celery.app.send_task", side_effect=refused) as send_task,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = reply(dataset.consultation, "PT", dataset.answers_of("DE"))
    assert [c.args[0] for c in send_task.call_args_list].count("reports.tasks.reports_refresh_consultation") == 1
    assert response.status == "submitted"
    assert ReportRun.objects.filter(report=robotics).count() == 1  # nothing queued while the broker is away

    settings.CELERY_TASK_ALWAYS_EAGER = True  # the broker is back
    settings.REPORTS_REBUILD_DEBOUNCE_SECONDS = 120
    assert reports_sweep_stale(now=response.submitted_at + datetime.timedelta(seconds=30)) == {
        "queued": [],
        "resent": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = reports_sweep_stale(now=response.submitted_at + datetime.timedelta(seconds=180))
    assert len(result["queued"]) == 1
    robotics.refresh_from_db()
    assert robotics.built_data_version == data_version(dataset)
    assert "Portugal" in [p["name_en"] for p in robotics.current_version.data["participation"]["replied"]]
    assert list(reports_stale()) == []


def test_the_sweep_resends_a_build_whose_enqueue_failed(
    dataset, robotics, settings, django_capture_on_commit_callbacks
):
    from reports.services.builds import report_build_request

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with (
        mock.patch("reports.tasks.report_run_execute.apply_async", side_effect=OperationalError("refused")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = report_build_request(report=robotics)
    run.refresh_from_db()
    assert run.status == "queued"
    assert run.enqueued_at is None
    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = reports_sweep_stale(now=timezone.now() + datetime.timedelta(seconds=60))
    assert result == {"queued": [], "resent": [run.pk]}
    run.refresh_from_db()
    assert run.status == "done"
    assert Report.objects.get(pk=robotics.pk).current_version.run_id == run.pk


def test_submitting_again_after_reopening_counts_the_reply_again(dataset, robotics, django_capture_on_commit_callbacks):
    from reports.tasks import reports_refresh_consultation

    response_reopen(response=dataset.responses["NL"], user=None, reason="Correct the figures.")
    response_submit(response=dataset.responses["NL"], user=None)
    with django_capture_on_commit_callbacks(execute=True):
        reports_refresh_consultation.apply(args=[dataset.consultation.pk])
    robotics.refresh_from_db()
    assert "Netherlands" in [p["name_en"] for p in robotics.current_version.data["participation"]["replied"]]


def test_making_a_party_inactive_marks_the_reports_stale_and_drops_it_from_did_not_reply(
    dataset, robotics, django_capture_on_commit_callbacks
):
    from accounts.models import AuditEvent
    from consultation.services.parties import party_set_active
    from reports.services.refresh import reports_stale

    austria = f.party("AT")
    assert "Austria" in [p["name_en"] for p in robotics.current_version.data["participation"]["not_replied"]]
    before = data_version(dataset)
    with mock.patch("consultation.services.responses.reports_refresh_enqueue") as enqueue:
        with django_capture_on_commit_callbacks(execute=True):
            party_set_active(party=austria, is_active=False, user=None)
    assert data_version(dataset) == before + 1
    assert enqueue.call_args_list == [mock.call(consultation_id=dataset.consultation.pk)]
    assert list(reports_stale(consultation_id=dataset.consultation.pk)) == [robotics]
    assert AuditEvent.objects.filter(event_type="party.deactivated", party=austria).count() == 1

    report_build_now(
        consultation=dataset.consultation, scope=scope_parse(consultation=dataset.consultation, text="theme:robotics")
    )
    robotics.refresh_from_db()
    not_replied = [p["name_en"] for p in robotics.current_version.data["participation"]["not_replied"]]
    assert "Austria" not in not_replied
    assert robotics.current_version.number == 2
    assert list(reports_stale(consultation_id=dataset.consultation.pk)) == []

    # Setting the same state again changes nothing.
    party_set_active(party=austria, is_active=False, user=None)
    assert data_version(dataset) == before + 1
