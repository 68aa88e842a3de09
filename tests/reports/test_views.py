"""The reports pages: the Secretariat builds, watches and publishes; the Committee reads published versions."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import Report, ReportRun, ReportVersion
from reports.selectors.freshness import report_version_freshness
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now, report_version_publish
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.reports.conftest import reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client, db):
    user = f.secretariat_user(email="secretariat.reports@coe.example")
    login_with_mfa(client, user)
    return user


@pytest.fixture
def committee(db):
    return f.committee_user(email="committee.reports@coe.example")


def built(dataset, text, **kwargs):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    return report_build_now(consultation=dataset.consultation, scope=scope, **kwargs).version


def test_the_secretariat_starts_a_build_and_it_completes(
    client, dataset, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:build", kwargs={"slug": dataset.consultation.slug}), {"scope": "article:20"}
        )
    report = Report.objects.get(scope_kind="article", scope_key="20")
    assert response.status_code == 302
    assert response["Location"] == f"/reports/#report-{report.pk}"
    run = ReportRun.objects.get(report=report)
    assert (run.status, run.progress, run.requested_by) == ("done", 100, secretariat)
    page = client.get(reverse("reports:index")).content.decode()
    assert "Article 20 – Offences concerning child pornography" in page
    assert "100 % built" in page
    assert "Draft" in page


def test_an_unknown_scope_is_refused_with_a_clear_message(client, dataset, secretariat):
    url = reverse("reports:build", kwargs={"slug": dataset.consultation.slug})
    response = client.post(url, {"scope": "article:99"}, follow=True)
    assert "The Convention has no Article 99." in response.content.decode()
    response = client.post(url, {"scope": "article:1"}, follow=True)
    assert "No item of this consultation is tagged with Article 1." in response.content.decode()
    response = client.post(url, {"scope": "chapter:2"}, follow=True)
    assert "Unknown scope “chapter:2”" in response.content.decode()
    assert not Report.objects.exists()


def test_build_all_queues_the_overview_every_article_and_every_theme(client, dataset, secretariat):
    client.post(reverse("reports:build_all", kwargs={"slug": dataset.consultation.slug}))
    scopes = sorted(Report.objects.values_list("scope_kind", "scope_key"))
    assert scopes == [
        ("article", "20"),
        ("article", "21"),
        ("article", "23"),
        ("article", "30"),
        ("overview", ""),
        ("theme", "generative-ai"),
        ("theme", "immersive"),
        ("theme", "robotics"),
    ]
    assert ReportRun.objects.filter(status="queued").count() == 8


def test_the_status_fragment_polls_while_running_and_stops_when_done(client, dataset, secretariat):
    version = built(dataset, "item:ROBOT-01", formats=["xlsx"])
    running = ReportRun.objects.create(report=version.report, status="running", progress=45, attempts=1)
    fragment = client.get(reverse("reports:run_status", kwargs={"run_id": running.pk})).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert '<progress max="100" value="45"' in fragment
    assert "45 % built" in fragment
    done = client.get(reverse("reports:run_status", kwargs={"run_id": version.run_id})).content.decode()
    assert "hx-trigger" not in done
    assert "100 % built" in done
    assert reverse("reports:version", kwargs={"version_id": version.pk}) in done


def test_a_failed_build_shows_its_reason_and_can_be_retried(
    client, dataset, secretariat, django_capture_on_commit_callbacks
):
    version = built(dataset, "item:ROBOT-01", formats=["xlsx"])
    failed = ReportRun.objects.create(
        report=version.report, status="failed", attempts=1, error="OperationalError: the database went away"
    )
    fragment = client.get(reverse("reports:run_status", kwargs={"run_id": failed.pk})).content.decode()
    assert "The build failed: OperationalError: the database went away" in fragment
    assert reverse("reports:retry", kwargs={"run_id": failed.pk}) in fragment
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:retry", kwargs={"run_id": failed.pk}))
    retried = ReportRun.objects.filter(report=version.report).first()
    assert (retried.trigger, retried.status) == ("retry", "done")
    assert version.report.versions.count() == 2


def test_the_version_page_shows_charts_with_their_tables_and_downloads(client, dataset, secretariat):
    version = built(dataset, "item:GENAI-02")
    page = client.get(reverse("reports:version", kwargs={"version_id": version.pk})).content.decode()
    assert "<svg" in page
    assert 'role="img"' in page
    assert "<figcaption>" in page
    assert "<style" not in page.split('<article class="report-doc"')[1]  # charts inline under the strict CSP
    assert ' style="' not in page
    assert "Draft – Secretariat only" in page
    for language in ("en", "fr"):
        for fmt in ("pdf", "docx", "xlsx"):
            url = reverse("reports:download", kwargs={"version_id": version.pk, "language": language, "fmt": fmt})
            assert url in page
    download = client.get(
        reverse("reports:download", kwargs={"version_id": version.pk, "language": "fr", "fmt": "xlsx"})
    )
    assert download["Content-Disposition"] == ('attachment; filename="v1-reports-consultation-item-genai-02-fr.xlsx"')
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "GENAI-02 Position" in workbook.sheetnames
    assert "Sommaire" in workbook.sheetnames  # the French edition
    for language, fmt in (("en", "odt"), ("de", "pdf")):
        url = reverse("reports:download", kwargs={"version_id": version.pk, "language": language, "fmt": fmt})
        assert client.get(url).status_code == 404


def test_the_interface_language_chooses_the_edition_shown(client, dataset, secretariat):
    version = built(dataset, "item:GENAI-02")
    english = client.get(reverse("reports:version", kwargs={"version_id": version.pk})).content.decode()
    assert '<article class="report-doc" lang="en">' in english
    assert "Replies per option" in english
    secretariat.preferred_language = "fr"
    secretariat.save(update_fields=["preferred_language"])
    french = client.get(reverse("reports:version", kwargs={"version_id": version.pk})).content.decode()
    assert '<article class="report-doc" lang="fr">' in french
    assert "Réponses par option" in french
    assert "Replies per option" not in french


def test_publishing_makes_a_version_visible_to_the_committee_and_keeps_earlier_ones(
    client, dataset, secretariat, committee
):
    first = built(dataset, "theme:robotics", formats=["xlsx"])
    client.post(reverse("reports:publish", kwargs={"version_id": first.pk}))
    first.refresh_from_db()
    assert first.published_by == secretariat
    reply(dataset.consultation, "PT", dataset.answers_of("DE"))  # each rebuild has new figures
    second = built(dataset, "theme:robotics", formats=["xlsx"])
    reply(dataset.consultation, "SE", dataset.answers_of("DE"))
    third = built(dataset, "theme:robotics", formats=["xlsx"])
    # The second is superseded by the third: publishing it takes the confirmation (tests/reports/test_publish.py).
    report_version_publish(version=second, user=secretariat, confirmed=report_version_freshness(version=second).token)
    again = client.post(reverse("reports:publish", kwargs={"version_id": first.pk}), follow=True)
    assert "Version 1 is already published." in again.content.decode()

    client.force_login(committee)
    index = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:version", kwargs={"version_id": second.pk}) in index
    assert "1 earlier version" in index
    assert client.get(reverse("reports:version", kwargs={"version_id": first.pk})).status_code == 200
    assert client.get(reverse("reports:version", kwargs={"version_id": third.pk})).status_code == 404
    listed = client.get(reverse("reports:versions", kwargs={"report_id": third.report_id})).content.decode()
    assert reverse("reports:version", kwargs={"version_id": third.pk}) not in listed
    assert reverse("reports:version", kwargs={"version_id": first.pk}) in listed
    report_page = client.get(reverse("reports:report", kwargs={"report_id": third.report_id}))
    assert report_page["Location"] == reverse("reports:version", kwargs={"version_id": second.pk})
    draft_download = client.get(
        reverse("reports:download", kwargs={"version_id": third.pk, "language": "en", "fmt": "xlsx"})
    )
    assert draft_download.status_code == 404


def test_index_query_count_does_not_grow_with_reports(client, dataset, secretariat, django_assert_max_num_queries):
    built(dataset, "theme:robotics", formats=["xlsx"])
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("reports:index"))
    for text in ("article:20", "article:21", "theme:immersive", "item:GENAI-02"):
        built(dataset, text, formats=["xlsx"])
    ReportRun.objects.create(report=Report.objects.get(scope_key="20"), status="failed", error="x")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("reports:index"))
    assert page.content.decode().count('class="report-run"') == 5
    assert ReportVersion.objects.count() == 5
