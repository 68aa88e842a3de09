"""The editions migration: each version built before editions keeps its outputs as its English edition, and
each report gets a symbol of its consultation's series (run backwards then forwards on the test database, so CI
proves it on PostgreSQL and the default run on SQLite)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories as f

BEFORE = [("reports", "0002_content_hash")]
AFTER = [("reports", "0005_remove_single_edition_fields")]


@pytest.mark.django_db(transaction=True)
def test_old_versions_become_english_editions_and_reports_get_symbols(back_to_latest):
    consultation = f.ConsultationFactory(slug="migrated")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Report = old.get_model("reports", "Report")
    ReportRun = old.get_model("reports", "ReportRun")
    ReportVersion = old.get_model("reports", "ReportVersion")
    report = Report.objects.create(consultation_id=consultation.pk, scope_kind="overview", scope_key="")
    other = Report.objects.create(consultation_id=consultation.pk, scope_kind="article", scope_key="20")
    for number, (html, pdf) in enumerate((("<p>one</p>", "reports/1/run-1/a.pdf"), ("<p>two</p>", "")), start=1):
        run = ReportRun.objects.create(report_id=report.pk, status="done")
        ReportVersion.objects.create(
            report_id=report.pk, run_id=run.pk, number=number, data_version=1, html=html, pdf=pdf, xlsx="r/x.xlsx"
        )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Document = new.get_model("reports", "ReportDocument")
    rows = sorted(Document.objects.values_list("version__number", "language", "format", "html", "file"))
    assert rows == [
        (1, "en", "html", "<p>one</p>", ""),
        (1, "en", "pdf", "", "reports/1/run-1/a.pdf"),
        (1, "en", "xlsx", "", "r/x.xlsx"),
        (2, "en", "html", "<p>two</p>", ""),
        (2, "en", "xlsx", "", "r/x.xlsx"),
    ]
    NewReport = new.get_model("reports", "Report")
    year = consultation.opens_on.year if consultation.opens_on else NewReport.objects.get(pk=report.pk).created_at.year
    assert NewReport.objects.get(pk=report.pk).symbol == f"T-ES({year})01"
    assert NewReport.objects.get(pk=other.pk).symbol == f"T-ES({year})02"
    assert set(new.get_model("reports", "ReportVersion").objects.values_list("symbol", flat=True)) == {
        f"T-ES({year})01"
    }
    assert new.get_model("reports", "ReportSeries").objects.get().next_number == 3
