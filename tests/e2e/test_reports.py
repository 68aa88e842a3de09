"""In a real browser: the Secretariat builds a report, watches it reach 100 %, reads it, downloads the PDF and
publishes it; a committee member then sees the published version only."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from tests.access.helpers import enrol_totp
from tests.access.world import party_b_submitted
from tests.e2e.conftest import login, logout, serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_secretariat_builds_reads_downloads_and_publishes_committee_sees_published_only(
    page, live_server, world, settings, monkeypatch
):
    from consultation.services.responses import response_reopen
    from reports.models import Report, ReportVersion

    settings.MFA_TOTP_TOLERANCE = 1
    party_b_submitted(world)
    secret = enrol_totp(world.secretariat)
    login(page, live_server, world.secretariat.email, PASSWORD, totp_secret=secret)

    page.goto(f"{live_server.url}/reports/")
    page.get_by_label("Report to build").select_option("article:20")
    page.get_by_role("button", name="Build", exact=True).click()
    row = page.locator("tr", has_text="Article 20 – Offences concerning child pornography")
    row.locator(".report-run__percent", has_text="100 % built").wait_for()
    assert row.locator(".badge--done").inner_text() == "Done"
    assert "Draft" in row.inner_text()

    row.get_by_role("link", name="Open version 1").click()
    page.wait_for_url(re.compile(r"/reports/v/\d+/$"))
    assert "Article 20 – Offences concerning child pornography" in page.locator("h1").inner_text()
    assert page.locator("figure svg.chart").first.is_visible()
    position_table = page.locator(".report-figure").first.locator("table")
    assert "Germany" in position_table.inner_text()
    assert "100.0 %" in position_table.inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF (English edition)").click()
    download = download_info.value
    assert download.suggested_filename == "v1-world-consultation-article-20-en.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Article 20 – Offences concerning child pornography" in text
    assert "Participation" in text

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish to the Committee").click()
    page.locator(".message--success", has_text="Version 1 is now visible to the Committee.").wait_for()

    # A newer draft: the Committee must not see it. (Germany's reply is reopened first, so that the rebuild has new
    # content, "under revision": an identical rebuild makes no new version. No broker: nothing rebuilds on its own.)
    monkeypatch.setattr("consultation.services.responses.reports_refresh_enqueue", lambda **kwargs: False)
    response_reopen(response=party_b_submitted(world), user=world.secretariat, reason="A figure is wrong.")
    page.goto(f"{live_server.url}/reports/")
    page.locator("tr", has_text="Article 20").get_by_role("button", name="Rebuild").click()
    page.locator("tr", has_text="Article 20").get_by_role("link", name="Open version 2").wait_for()
    report = Report.objects.get(scope_kind="article", scope_key="20")
    first, second = ReportVersion.objects.filter(report=report).order_by("number")
    assert first.published_at is not None
    assert second.published_at is None

    logout(page, live_server)
    login(page, live_server, world.committee.email, PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    listed = page.locator("main table")
    assert "Article 20 – Offences concerning child pornography" in listed.inner_text()
    assert listed.get_by_role("link").first.get_attribute("href") == f"/reports/v/{first.pk}/"
    assert page.locator(f"a[href='/reports/v/{second.pk}/']").count() == 0
    response = page.goto(f"{live_server.url}/reports/v/{second.pk}/")
    assert response.status == 404
    response = page.goto(f"{live_server.url}/reports/v/{first.pk}/")
    assert response.status == 200
    assert page.get_by_role("button", name="Publish to the Committee").count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_row_updates_as_a_whole_and_a_stale_version_is_published_only_after_confirmation(
    page, live_server, world, settings, monkeypatch
):
    """A build finishes while the index is open: the whole row (run, current version, Publish button) moves to
    the new version together. Then the reply is resubmitted while the broker is down (no rebuild): publishing the
    now stale version shows why and asks again; the Secretariat confirms."""
    from accounts.models import AuditEvent
    from consultation.services.responses import response_reopen, response_submit
    from reports.models import Report, ReportRun
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now, report_run_execute

    settings.MFA_TOTP_TOLERANCE = 1
    # The broker is down: replies that change queue no rebuild (the stale-report sweep would catch up later).
    monkeypatch.setattr("consultation.services.responses.reports_refresh_enqueue", lambda **kwargs: False)
    submitted = party_b_submitted(world)
    scope = scope_parse(consultation=world.consultation, text="article:20")
    first = report_build_now(consultation=world.consultation, scope=scope, formats=["xlsx"]).version
    report = Report.objects.get(pk=first.report_id)
    running = ReportRun.objects.create(report=report, status="running", progress=40, attempts=1, formats=["xlsx"])
    secret = enrol_totp(world.secretariat)
    login(page, live_server, world.secretariat.email, PASSWORD, totp_secret=secret)

    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"#report-{report.pk}")
    row.get_by_role("status").filter(has_text="40 % built").wait_for()
    assert row.locator("progress").get_attribute("value") == "40"
    assert row.get_by_role("button", name="Publish version 1").is_visible()
    assert serious_violations(page) == []

    # Germany's reply is reopened (it keeps counting, marked under revision: new content) and the worker
    # finishes the build; the polled row shows version 2 everywhere, never version 1 beside "Done".
    response_reopen(response=submitted, user=world.secretariat, reason="A figure is wrong.")
    ReportRun.objects.filter(pk=running.pk).update(status="queued")
    report_run_execute(run_id=running.pk)
    row.get_by_role("link", name="Open version 2").wait_for()
    assert row.get_by_role("button", name="Publish version 2").is_visible()
    assert row.get_by_role("button", name="Publish version 1").count() == 0
    assert row.get_by_role("link", name="Version 2", exact=True).is_visible()
    assert row.get_attribute("hx-trigger") is None  # polling stopped

    # Germany resubmits; nothing rebuilds (no broker), so version 2 is stale.
    response_submit(response=submitted, user=None)
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(f"#report-{report.pk}")
    assert "Stale" in row.locator(".badge--stale").inner_text()
    assert "the replies changed since" in row.inner_text()
    row.get_by_role("button", name="Publish version 2").click()  # no dialog: the server's page explains

    page.get_by_role("heading", name="Version 2 was not published").wait_for()
    assert "the replies changed since" in page.get_by_role("alert").inner_text()
    assert serious_violations(page) == []
    second = report.versions.get(number=2)
    assert second.published_at is None
    page.get_by_role("button", name="Publish version 2 anyway").click()
    page.locator(".message--success", has_text="Version 2 is now visible to the Committee.").wait_for()
    second.refresh_from_db()
    assert second.published_by == world.secretariat
    events = list(
        AuditEvent.objects.filter(event_type__startswith="report.publish")
        .order_by("pk")
        .values_list("event_type", "extra")
    )
    assert [(kind, extra["stale"], extra["reason"]) for kind, extra in events] == [
        ("report.publish_refused_stale", True, "data_changed"),
        ("report.published", True, "data_changed"),
    ]
    assert events[1][1]["confirmed"] is True
