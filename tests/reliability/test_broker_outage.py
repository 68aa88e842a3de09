"""Check 7: 100 submissions through gunicorn while Redis is stopped, then recovery of every stale report.

The broker is a Redis server of the suite's own (``redis_server``), really stopped and started again on the same
port, so the machine's Redis stays up for everybody else; the platform sees exactly what an outage shows it
(connection refused). The outbox is ``Consultation.data_version``, raised in each submission's transaction: the
reports' sweep (beat, every 3 s in the test configuration) rebuilds whatever is stale once the broker is back.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import Count
from django.urls import reverse

from accounts.models import AuditEvent
from consultation.models import Consultation, Party, Response, ResponseStatus, ResponseSubmission
from consultation.services.answers import answer_save, response_get_or_create
from reports.models import ACTIVE_RUN_STATUSES, Report, ReportRun, ReportVersion
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from tests import factories as f

from .conftest import http_request, requires_postgres, session_cookie, wait_for

pytestmark = [pytest.mark.reliability, requires_postgres, pytest.mark.django_db(transaction=True)]

CONSULTATIONS = 4
PARTIES = 25
REQUEST_LIMIT_S = 2
RECOVERY_LIMIT_S = 60


@pytest.fixture
def replies(reference_data):
    """4 open consultations, 25 Parties each with a complete draft reply, and a built overview report each."""
    parties = list(Party.objects.order_by("iso2")[:PARTIES])
    heads = {
        party.pk: f.delegate(party, role="head", email=f"head.{party.iso2.lower()}@outage.example") for party in parties
    }
    theme = f.ThemeFactory(code="outage")
    consultations = []
    for number in range(CONSULTATIONS):
        consultation = f.ConsultationFactory(slug=f"outage-{number}")
        items = [f.position_item(consultation, code=f"OUT-{number}-{k}", theme=theme) for k in range(2)]
        for party in parties:
            reply = response_get_or_create(consultation=consultation, party=party)
            for item in items:
                answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=heads[party.pk])
        report_build_now(
            consultation=consultation, scope=scope_parse(consultation=consultation, text="overview"), formats=["xlsx"]
        )
        consultations.append(consultation)
    sessions = {party.pk: session_cookie(heads[party.pk]) for party in parties}
    return consultations, parties, sessions


def test_submissions_while_redis_is_down_commit_fast_and_reports_recover(
    replies, redis_server, worker_factory, gunicorn_factory, tmp_path, figures
):
    consultations, parties, sessions = replies
    worker = worker_factory(
        broker_url=redis_server.url,
        extra_args=("-B", "-s", str(tmp_path / "beat-schedule")),
        REPORTS_SWEEP_SECONDS="3",
    ).start()
    server = gunicorn_factory(broker_url=redis_server.url)
    initial_versions = dict(Report.objects.values_list("pk", "built_data_version"))

    def warm_up(party):
        path = reverse("consultation:submit", kwargs={"slug": consultations[0].slug})
        return http_request(server, "GET", path, session=sessions[party.pk])[0]

    with ThreadPoolExecutor(max_workers=4) as pool:  # every gunicorn worker imports its views before the outage
        assert set(pool.map(warm_up, parties[:16])) == {200}

    redis_server.stop()
    down_at = time.monotonic()
    jobs = [(consultation, party) for consultation in consultations for party in parties]

    def submit(job):
        consultation, party = job
        path = reverse("consultation:submit", kwargs={"slug": consultation.slug})
        status, seconds, _body = http_request(server, "POST", path, session=sessions[party.pk], data={"confirm": "on"})
        return status, seconds

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = list(pool.map(submit, jobs))
    outage = time.monotonic() - down_at
    redis_server.start()
    back_at = time.monotonic()

    statuses = [status for status, _ in outcomes]
    latencies = sorted(seconds for _, seconds in outcomes)
    committed = Response.objects.filter(consultation__in=consultations, status=ResponseStatus.SUBMITTED).count()
    per_response = ResponseSubmission.objects.filter(response__consultation__in=consultations).values("response")
    duplicated = per_response.annotate(n=Count("pk")).filter(n__gt=1).count()

    def recovered() -> bool:
        versions = dict(
            Consultation.objects.filter(pk__in=[c.pk for c in consultations]).values_list("pk", "data_version")
        )
        reports = Report.objects.filter(consultation__in=consultations).values_list(
            "consultation_id", "built_data_version"
        )
        active = ReportRun.objects.filter(report__consultation__in=consultations, status__in=ACTIVE_RUN_STATUSES)
        return all(built == versions[consultation] for consultation, built in reports) and not active.exists()

    try:
        rebuilt_in = wait_for(recovered, timeout=RECOVERY_LIMIT_S, interval=0.5)
    except AssertionError:
        rebuilt_in = None
    new_versions = ReportVersion.objects.filter(report__consultation__in=consultations).count() - CONSULTATIONS
    receipts = AuditEvent.objects.filter(event_type="reply.receipt_sent").count()
    figures(
        f"Redis down during submissions: {len(jobs)} submissions in {outage:.1f} s, {statuses.count(302)} answered "
        f"302, {committed} committed, {duplicated} duplicated, slowest {latencies[-1]:.2f} s, "
        f"p50 {latencies[len(latencies) // 2]:.2f} s (limit {REQUEST_LIMIT_S} s); after Redis returned, "
        f"{CONSULTATIONS} stale reports rebuilt in "
        f"{'not within ' + str(RECOVERY_LIMIT_S) + ' s' if rebuilt_in is None else f'{rebuilt_in:.1f} s'} "
        f"(limit {RECOVERY_LIMIT_S} s), {new_versions} new versions; receipts sent so far: {receipts}"
    )
    assert statuses == [302] * len(jobs), worker.log()[-2000:]
    assert committed == len(jobs)
    assert ResponseSubmission.objects.filter(response__consultation__in=consultations).count() == len(jobs)
    assert duplicated == 0
    assert latencies[-1] <= REQUEST_LIMIT_S
    assert rebuilt_in is not None, worker.log()[-4000:]
    assert new_versions == CONSULTATIONS  # one rebuild per stale report: none lost, none duplicated
    assert all(Report.objects.get(pk=pk).built_data_version > before for pk, before in initial_versions.items())
    assert time.monotonic() - back_at <= RECOVERY_LIMIT_S + 5
