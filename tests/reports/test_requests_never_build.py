"""No request waits on a report build: submit, reopen, extend, build and build-all only queue work for the worker.

Tasks are not eager here, as in every setting but the tests': messages go to kombu's in-process memory transport,
where the test reads them back. Building inside the request is made to fail loudly (``report_build`` raises), so a
request that built would leave a failed run or a new version behind, and these tests would fail.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu import Connection

from consultation.models import Response
from reports.models import Report, ReportRun, ReportVersion
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.reports.conftest import reply

pytestmark = pytest.mark.django_db

REFRESH = "reports.tasks.reports_refresh_consultation"
RECEIPT = "consultation.tasks.reply_receipt_send"


class MemoryBroker:
    """The queue the platform publishes to, read back as (task name, args, eta) tuples."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def messages(self) -> list[tuple[str, list, str | None]]:
        channel = self.connection.default_channel
        found = []
        while (message := channel.basic_get("celery", no_ack=True)) is not None:
            args, _kwargs, _embed = message.decode()
            found.append((message.headers["task"], args, message.headers.get("eta")))
        return found


@pytest.fixture
def broker(settings, monkeypatch) -> Iterator[MemoryBroker]:
    """Tasks published for real (not eager) to a memory broker, whatever broker the environment names."""
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "memory://"
    monkeypatch.setenv("CELERY_BROKER_URL", "memory://")  # Celery reads the variable before its settings
    saved = app._pool, app.amqp._producer_pool
    app._pool = app.amqp._producer_pool = None  # the connection pools follow the broker URL they were made with
    connection = Connection("memory://")
    connection.default_channel.queue_purge("celery")
    try:
        yield MemoryBroker(connection)
    finally:
        connection.default_channel.queue_purge("celery")
        connection.release()
        app._pool, app.amqp._producer_pool = saved


@pytest.fixture
def no_build_here() -> Iterator[mock.Mock]:
    """Any build started in this process fails (a run marked failed), which the tests below would see; ``.stop()``
    lifts the ban (the worker's side of a test)."""
    patcher = mock.patch("reports.services.builds.report_build", side_effect=AssertionError("built inside the request"))
    patcher.start()
    yield patcher
    mock.patch.stopall()


@pytest.fixture
def robotics(dataset):
    run = report_build_now(
        consultation=dataset.consultation,
        scope=scope_parse(consultation=dataset.consultation, text="theme:robotics"),
        formats=["xlsx"],
    )
    return run.report


def signed_in(client, user):
    login_with_mfa(client, user)
    return client


def assert_nothing_built(report: Report, *, versions: int = 1) -> None:
    assert ReportVersion.objects.filter(report=report).count() == versions
    assert ReportRun.objects.filter(report=report).exclude(trigger="command").count() == 0


def test_submitting_queues_a_debounced_refresh_and_builds_nothing(
    client, dataset, robotics, broker, no_build_here, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_REBUILD_DEBOUNCE_SECONDS = 60
    portugal = f.party("PT")
    head = f.delegate(portugal, role="head", email="head@pt.example")
    draft = reply(dataset.consultation, "PT", dataset.answers_of("DE"), submit=False)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(client, head).post(
            reverse("consultation:submit", args=[dataset.consultation.slug]), {"confirm": "on"}
        )
    assert answer.status_code == 302
    assert Response.objects.get(pk=draft.pk).status == "submitted"
    assert_nothing_built(robotics)
    messages = broker.messages()
    assert sorted(name for name, _args, _eta in messages) == [RECEIPT, REFRESH]
    _name, args, eta = next(message for message in messages if message[0] == REFRESH)
    assert args == [dataset.consultation.pk]
    delay = datetime.datetime.fromisoformat(eta) - before
    assert datetime.timedelta(seconds=60) <= delay < datetime.timedelta(seconds=65)


def test_reopening_queues_a_debounced_refresh_and_builds_nothing(
    client, dataset, robotics, broker, no_build_here, django_capture_on_commit_callbacks
):
    secretariat = f.secretariat_user(email="secretariat.requests@coe.example")
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(client, secretariat).post(
            reverse("secretariat:reopen_reply", args=[dataset.consultation.slug, "NL"]),
            {"reason": "The figures of ROBOT-01 need correcting."},
        )
    assert answer.status_code == 302
    assert Response.objects.get(pk=dataset.responses["NL"].pk).status == "reopened"
    assert_nothing_built(robotics)
    # The reports' debounced refresh, and the delegation's notice (a task too: the request sends no mail).
    assert sorted((name, args) for name, args, _eta in broker.messages()) == [
        ("consultation.tasks.reopened_notice_send", [dataset.responses["NL"].pk]),
        (REFRESH, [dataset.consultation.pk]),
    ]


def test_extending_a_deadline_queues_nothing_and_builds_nothing(
    client, dataset, robotics, broker, no_build_here, django_capture_on_commit_callbacks
):
    secretariat = f.secretariat_user(email="secretariat.requests@coe.example")
    until = dataset.consultation.closes_on + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(client, secretariat).post(
            reverse("secretariat:extend_deadline", args=[dataset.consultation.slug, "AT"]), {"until": until}
        )
    assert answer.status_code == 302
    assert Response.objects.get(pk=dataset.draft.pk).extended_until == until
    assert_nothing_built(robotics)
    assert broker.messages() == []


def test_build_queues_the_run_and_the_worker_builds_it(
    client, dataset, robotics, broker, no_build_here, django_capture_on_commit_callbacks
):
    from reports.tasks import report_run_execute

    secretariat = f.secretariat_user(email="secretariat.requests@coe.example")
    signed_in(client, secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("reports:build", args=[dataset.consultation.slug]), {"scope": "theme:robotics"})
    assert answer.status_code == 302
    run = ReportRun.objects.get(report=robotics, trigger="manual")
    assert (run.status, run.progress, run.attempts, run.started_at) == ("queued", 0, 0, None)
    assert run.enqueued_at is not None
    assert ReportVersion.objects.filter(report=robotics).count() == 1
    assert [(name, args) for name, args, _eta in broker.messages()] == [("reports.tasks.report_run_execute", [run.pk])]
    status = client.get(reverse("reports:run_status", args=[run.pk])).content.decode()
    assert "0 % built" in status
    assert 'hx-trigger="every 1s"' in status

    no_build_here.stop()  # the worker's side: the message it receives builds the run
    report_run_execute.apply(args=[run.pk])
    run.refresh_from_db()
    assert (run.status, run.progress) == ("done", 100)
    assert ReportVersion.objects.filter(report=robotics).count() == 2


def test_build_all_queues_the_batches_and_builds_nothing(
    client, dataset, broker, no_build_here, settings, django_capture_on_commit_callbacks
):
    settings.REPORTS_BUILD_PARALLELISM = 2
    secretariat = f.secretariat_user(email="secretariat.requests@coe.example")
    with django_capture_on_commit_callbacks(execute=True):
        answer = signed_in(client, secretariat).post(reverse("reports:build_all", args=[dataset.consultation.slug]))
    assert answer.status_code == 302
    runs = ReportRun.objects.filter(report__consultation=dataset.consultation)
    # The overview, Articles 20, 21, 23 and 30, and the themes Generative AI, Immersive environments and Robotics.
    assert runs.count() == 8
    assert set(runs.values_list("status", flat=True)) == {"queued"}
    assert ReportVersion.objects.filter(report__consultation=dataset.consultation).count() == 0
    messages = broker.messages()
    assert [name for name, _args, _eta in messages] == ["reports.tasks.report_runs_execute"] * 2
    sent = [run_id for _name, args, _eta in messages for run_id in args[0]]
    assert sorted(sent) == sorted(runs.values_list("pk", flat=True))
