"""Reports built before titles were kept per language get their English and French titles from their newest
version's data, or from the bilingual title when no version has them (run backwards then forwards)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import factories as f

BEFORE = [("reports", "0006_audience")]
AFTER = [("reports", "0007_report_titles_by_language")]


@pytest.mark.django_db(transaction=True)
def test_titles_by_language_come_from_the_newest_version_or_the_bilingual_title(back_to_latest):
    consultation = f.ConsultationFactory(slug="titled")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Report = old.get_model("reports", "Report")
    ReportRun = old.get_model("reports", "ReportRun")
    ReportVersion = old.get_model("reports", "ReportVersion")
    built = Report.objects.create(
        consultation_id=consultation.pk, scope_kind="overview", scope_key="", title="Old / Ancien"
    )
    for number, (en, fr) in enumerate((("First", "Premier"), ("Overview – Round", "Vue d'ensemble – Cycle")), start=1):
        run = ReportRun.objects.create(report_id=built.pk, status="done")
        ReportVersion.objects.create(
            report_id=built.pk, run_id=run.pk, number=number, data_version=1, data={"title_en": en, "title_fr": fr}
        )
    never = Report.objects.create(
        consultation_id=consultation.pk, scope_kind="theme", scope_key="robotics", title="Robotics / Robotique"
    )
    plain = Report.objects.create(consultation_id=consultation.pk, scope_kind="item", scope_key="X-01", title="X-01")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    New = executor.loader.project_state(AFTER).apps.get_model("reports", "Report")
    titles = {r.pk: (r.title_en, r.title_fr) for r in New.objects.all()}
    assert titles == {
        built.pk: ("Overview – Round", "Vue d'ensemble – Cycle"),
        never.pk: ("Robotics", "Robotique"),
        plain.pk: ("X-01", "X-01"),
    }
