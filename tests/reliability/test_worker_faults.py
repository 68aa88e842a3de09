"""Checks 5, 6, 8 and 9: real report builds on a real Celery worker (a subprocess), under faults.

The builds are the platform's own (``reports.services.builds`` through ``reports.tasks.report_run_execute``),
requested through ``report_build_request`` and sent to the broker of ``CELERY_BROKER_URL``. The workers run the
test configuration of docs/reliability.md: visibility timeout 10 s, unacked-restore sweep every 1 s.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.urls import reverse

from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.responses import response_submit
from reports.models import Report, ReportRun, ReportVersion, RunStatus
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build, report_build_request, report_get_or_create
from tests import factories as f
from tests.access.helpers import login_with_mfa

from .conftest import database_outage, requires_broker, wait_for

pytestmark = [pytest.mark.reliability, requires_broker, pytest.mark.django_db(transaction=True)]

PARTIES = ["FR", "DE", "IT", "ES", "BE", "NL", "AT", "PT"]
POSITIONS = ["yes", "partially", "no"]


@pytest.fixture
def broker(settings):
    """Send the platform's tasks to the real broker (the test settings apply them in-process)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def submitted(reference_data, monkeypatch):
    """A consultation with 8 items (two themes) and 8 submitted replies: the input of the reports."""
    from consultation.services import responses

    monkeypatch.setattr(responses, "reply_receipt_enqueue", lambda **kwargs: True)  # no receipt PDFs here
    consultation = f.ConsultationFactory(slug="reliability-reports")
    themes = [f.ThemeFactory(code="reliability-ai"), f.ThemeFactory(code="reliability-robotics")]
    items = [
        f.position_item(consultation, code=f"REL-{n:02d}", theme=themes[n % 2], articles=[20, 21]) for n in range(8)
    ]
    for index, iso2 in enumerate(PARTIES):
        reply = response_get_or_create(consultation=consultation, party=f.party(iso2))
        for number, item in enumerate(items):
            answer_save(
                response=reply,
                item=item,
                data={
                    "position": POSITIONS[(index + number) % 3],
                    "explanation": f"Measures of {iso2} for item {number}: law, guidance and training.",
                },
                base_version=0,
                user=None,
            )
        response_submit(response=reply, user=None)
    return consultation


def _request(consultation, text: str = "overview") -> ReportRun:
    report = report_get_or_create(consultation=consultation, scope=scope_parse(consultation=consultation, text=text))
    return report_build_request(report=report, trigger="manual")


def _status(run: ReportRun) -> str:
    return ReportRun.objects.values_list("status", flat=True).get(pk=run.pk)


def _done(run: ReportRun) -> bool:
    status = _status(run)
    assert status != RunStatus.FAILED, ReportRun.objects.get(pk=run.pk).error
    return status == RunStatus.DONE


def _undisturbed(consultation, worker) -> tuple[ReportRun, float]:
    """One build without fault: its figures are the reference, its duration the task's duration."""
    run = _request(consultation)
    wait_for(lambda: _status(run) == RunStatus.RUNNING, timeout=30, interval=0.01)
    duration = wait_for(lambda: _done(run), timeout=60, interval=0.05)
    # The next build of the same figures would stop at the content hash (no new version for identical content):
    # without a current version it renders in full, as the fault needs.
    Report.objects.filter(pk=run.report_id).update(current_version=None)
    return ReportRun.objects.get(pk=run.pk), duration


def _kill_when_running(run: ReportRun, kill, *, into: float) -> float:
    """Wait until the build is under way, let it work ``into`` seconds, then kill; return the kill time."""
    wait_for(lambda: _status(run) == RunStatus.RUNNING, timeout=30, interval=0.01)
    time.sleep(into)
    assert _status(run) == RunStatus.RUNNING, "the build finished before the fault: nothing was tested"
    kill()
    return time.monotonic()


BUILD_MOMENT_KEYS = ("built_at", "cutoff")  # when the build ran: the only values two builds may differ by


def _figures_of(data: dict) -> dict:
    return {key: value for key, value in data.items() if key not in BUILD_MOMENT_KEYS}


def _same_figures(run: ReportRun, reference: ReportRun | dict) -> bool:
    """The run's version carries the same figures as the reference build (a run, or in-process figures)."""
    expected = reference if isinstance(reference, dict) else ReportVersion.objects.get(run=reference).data
    expected = json.loads(json.dumps(expected, cls=DjangoJSONEncoder))  # as stored: lists, not tuples
    return _figures_of(ReportVersion.objects.get(run=run).data) == _figures_of(expected)


def _in_process_figures(consultation) -> dict:
    """The figures of an undisturbed build of every format made in this process."""
    report = report_get_or_create(
        consultation=consultation, scope=scope_parse(consultation=consultation, text="overview")
    )
    return report_build(report=report).data


def test_pool_child_killed_mid_report_completes_once_and_identical(submitted, broker, worker_factory, figures):
    """Check 5: SIGKILL of the pool process while it builds; the build is redelivered and completes once."""
    worker = worker_factory().start()
    reference, duration = _undisturbed(submitted, worker)
    run = _request(submitted)
    child = worker.pool_pids()
    assert len(child) == 1
    killed_at = _kill_when_running(run, lambda: os.kill(child[0], signal.SIGKILL), into=min(duration / 3, 0.5))
    wait_for(lambda: _done(run), timeout=duration + 10, interval=0.05)
    recovered = time.monotonic() - killed_at
    run.refresh_from_db()
    versions = ReportVersion.objects.filter(run=run).count()
    figures(
        f"pool child killed mid-report: build {duration:.1f} s undisturbed, completed {recovered:.1f} s after the kill "
        f"(bound {duration + 10:.1f} s), {run.attempts} attempts, {versions} version, "
        f"figures identical: {_same_figures(run, reference)}"
    )
    assert run.attempts == 2
    assert versions == 1
    assert _same_figures(run, reference)
    assert recovered <= duration + 10
    assert worker.pool_pids()
    assert worker.pool_pids() != child  # the pool replaced its child


def test_whole_worker_killed_and_restarted_mid_report_completes(submitted, broker, worker_factory, figures):
    """Check 6: SIGKILL of the whole worker; a new worker starts 1 s later and the build completes within 30 s."""
    reference = _in_process_figures(submitted)
    worker = worker_factory().start()
    run = _request(submitted)
    killed_at = _kill_when_running(run, worker.kill, into=0.5)
    time.sleep(1)
    worker_factory().start()
    wait_for(lambda: _done(run), timeout=30 - (time.monotonic() - killed_at), interval=0.1)
    recovered = time.monotonic() - killed_at
    run.refresh_from_db()
    versions = ReportVersion.objects.filter(run=run).count()
    figures(
        f"whole worker killed and restarted: completed {recovered:.1f} s after the kill (bound 30 s; "
        f"visibility timeout 10 s, restore sweep every 1 s), {run.attempts} attempts, "
        f"{versions} version, figures identical: {_same_figures(run, reference)}"
    )
    assert run.attempts == 2
    assert versions == 1
    assert _same_figures(run, reference)
    assert recovered <= 30


def test_poison_build_is_abandoned_after_the_attempt_cap_and_others_flow(
    submitted, broker, worker_factory, figures, client
):
    """Check 9: a build that always kills its worker ends failed after N attempts; other builds complete."""
    from django.conf import settings

    poison_report = report_get_or_create(
        consultation=submitted, scope=scope_parse(consultation=submitted, text="overview")
    )
    worker = worker_factory(
        extra_args=(), app="tests.reliability.worker_app", RELIABILITY_POISON_REPORT=str(poison_report.pk)
    ).start()
    start = time.monotonic()
    poison = report_build_request(report=poison_report, trigger="manual")
    healthy = [_request(submitted, f"theme:reliability-{code}") for code in ("ai", "robotics")]
    wait_for(lambda: _status(poison) == RunStatus.FAILED, timeout=60, interval=0.1)
    poisoned_after = time.monotonic() - start
    wait_for(lambda: all(_status(run) == RunStatus.DONE for run in healthy), timeout=60, interval=0.1)
    poison.refresh_from_db()
    kills = len(re.findall(r"^.*ERROR.*WorkerLostError.*signal 9", worker.log(), re.MULTILINE))
    figures(
        f"poison build: failed after {poison.attempts} attempts (cap {settings.REPORTS_BUILD_MAX_ATTEMPTS}) in "
        f"{poisoned_after:.1f} s, {kills} worker losses logged, {len(healthy)}/{len(healthy)} other builds done, "
        f"error shown: {poison.error!r}"
    )
    assert poison.attempts == settings.REPORTS_BUILD_MAX_ATTEMPTS
    assert poison.error
    assert not ReportVersion.objects.filter(run=poison).exists()
    # The Secretariat sees it failed, with its reason and a retry action (never "pending" forever).
    secretariat = f.secretariat_user(email="secretariat@coe.example")
    login_with_mfa(client, secretariat)
    page = client.get(reverse("reports:run_status", kwargs={"run_id": poison.pk}))
    body = page.content.decode()
    assert page.status_code == 200
    assert "badge--failed" in body
    assert 'hx-trigger="every 1s"' not in body  # nothing left to wait for
    assert reverse("reports:retry", kwargs={"run_id": poison.pk}) in body
    retried = client.post(reverse("reports:retry", kwargs={"run_id": poison.pk}))
    assert retried.status_code == 302
    assert ReportRun.objects.filter(report=poison_report, trigger="retry").count() == 1


def test_database_restart_during_a_build_is_retried_until_it_completes(submitted, broker, worker_factory, figures):
    """Check 8: every session of the test database is terminated mid-build and connections are refused for 3 s
    (what a PostgreSQL restart does to its clients); the task retries and completes once the database is back."""
    reference = _in_process_figures(submitted)
    worker = worker_factory().start()
    run = _request(submitted)
    wait_for(lambda: _status(run) == RunStatus.RUNNING, timeout=30, interval=0.01)
    own_pid = connection.cursor().connection.info.backend_pid
    connection.close()
    started = time.monotonic()
    with database_outage(keep_pid=own_pid):
        time.sleep(3)
    outage = time.monotonic() - started
    wait_for(lambda: _done(run), timeout=60, interval=0.2)
    recovered = time.monotonic() - started
    run.refresh_from_db()
    deliveries = worker.log().count("reports.tasks.report_run_execute[")
    figures(
        f"database restart mid-build: outage {outage:.1f} s, completed {recovered:.1f} s after it began, "
        f"{run.attempts} attempts, {deliveries} task log lines (deliveries and retries), "
        f"{ReportVersion.objects.filter(run=run).count()} version, figures identical: {_same_figures(run, reference)}"
    )
    assert ReportVersion.objects.filter(run=run).count() == 1
    assert _same_figures(run, reference)
