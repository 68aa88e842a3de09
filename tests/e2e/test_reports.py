"""In a real browser: the Secretariat builds a report, watches it reach 100 %, reads it, downloads the PDF and
publishes it; a committee member then sees the published version only."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from tests.access.helpers import enrol_totp
from tests.access.world import party_b_submitted
from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_secretariat_builds_reads_downloads_and_publishes_committee_sees_published_only(
    page, live_server, world, settings
):
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
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "v1-world-consultation-article-20.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Article 20 – Offences concerning child pornography" in text
    assert "Participation" in text

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publish to the Committee").click()
    page.locator(".message--success", has_text="Version 1 is now visible to the Committee.").wait_for()

    # A newer draft: the Committee must not see it.
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
