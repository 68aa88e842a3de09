"""Compliance: assessments per recommendation x Party with reasons citing the follow-up reply (audited); the grid's
figures equal a count made in SQL; the dashboard's queries do not grow; the reports per recommendation and Party."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import AuditEvent
from followup.errors import FollowUpError
from followup.models import ComplianceAssessment
from followup.selectors.compliance import compliance_grid
from followup.selectors.compliance_report import party_compliance_document, recommendation_compliance_document
from followup.services.compliance import compliance_assess
from tests.access.helpers import login_with_mfa
from tests.monitoring.follow_up_world import answer_follow_up, open_follow_up, recommendations, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessed(world):
    recommendations(world)
    open_follow_up(world)
    france = answer_follow_up(
        world,
        party=world.party_a,
        member=world.member_a,
        head=world.head_a,
        item_code="R1",
        status="implemented",
        measures="Article 227-23 of the Criminal Code now covers generated material (Law of 2025).",
    )
    for code, status in (("R2", "partly"), ("R3", "in_progress")):
        answer_follow_up(
            world,
            party=world.party_a,
            member=world.member_a,
            head=world.head_a,
            item_code=code,
            status=status,
            measures=f"Measures on {code}.",
        )
    submit(france, world.head_a)
    compliance_assess(
        recommendation=world.r1,
        party=world.party_a,
        assessment="compliant",
        reasons="The reply cites the amended Article 227-23.",
        user=world.secretariat,
    )
    compliance_assess(
        recommendation=world.r2,
        party=world.party_a,
        assessment="partly",
        reasons="Training started in one region.",
        user=world.secretariat,
    )
    compliance_assess(
        recommendation=world.r2,
        party=world.party_b,
        assessment="not_compliant",
        reasons="No follow-up reply.",
        user=world.secretariat,
    )
    compliance_assess(
        recommendation=world.r3,
        party=world.party_b,
        assessment="compliant",
        reasons="Statistics published.",
        user=world.secretariat,
    )
    return world


def test_compliance_assessment_cites_the_submitted_follow_up_reply_and_is_audited(assessed):
    row = ComplianceAssessment.objects.get(recommendation=assessed.r1, party=assessed.party_a)
    assert (row.assessment, row.answer_version, row.submission.sequence) == ("compliant", 1, 1)
    event = AuditEvent.objects.filter(event_type="followup.compliance_assessed").order_by("pk").first()
    assert (event.extra["from"], event.extra["to"], event.extra["answer_version"]) == ("not_assessed", "compliant", 1)
    assert event.extra["reasons"] == "The reply cites the amended Article 227-23."
    germany = ComplianceAssessment.objects.get(recommendation=assessed.r2, party=assessed.party_b)
    assert (germany.submission, germany.answer_version) == (None, None)  # no reply submitted: nothing cited


def test_compliance_assessment_refuses_what_it_cannot_record(assessed):
    with pytest.raises(FollowUpError, match="Give the reasons for the assessment"):
        compliance_assess(
            recommendation=assessed.r1, party=assessed.party_a, assessment="partly", reasons=" ", user=None
        )
    with pytest.raises(FollowUpError, match=re.escape("R1 is not addressed to Germany.")):
        compliance_assess(
            recommendation=assessed.r1, party=assessed.party_b, assessment="compliant", reasons="x", user=None
        )
    with pytest.raises(FollowUpError, match="Choose an assessment"):
        compliance_assess(recommendation=assessed.r1, party=assessed.party_a, assessment="good", reasons="x", user=None)
    assert (
        ComplianceAssessment.objects.get(recommendation=assessed.r1, party=assessed.party_a).assessment == "compliant"
    )


SQL_PER_RECOMMENDATION = """
SELECT r.id, a.assessment, COUNT(*)
FROM followup_complianceassessment a JOIN monitoring_recommendation r ON r.id = a.recommendation_id
JOIN consultation_party p ON p.id = a.party_id
WHERE r.consultation_id = %s AND r.status = 'adopted' AND p.is_active
  AND (NOT EXISTS (SELECT 1 FROM monitoring_recommendation_addressees x WHERE x.recommendation_id = r.id)
       OR EXISTS (SELECT 1 FROM monitoring_recommendation_addressees x WHERE x.recommendation_id = r.id
                  AND x.party_id = a.party_id))
GROUP BY r.id, a.assessment
"""
SQL_ADDRESSED = """
SELECT r.id, CASE WHEN COUNT(x.party_id) = 0 THEN (SELECT COUNT(*) FROM consultation_party WHERE is_active)
  ELSE SUM(CASE WHEN p.is_active THEN 1 ELSE 0 END) END
FROM monitoring_recommendation r LEFT JOIN monitoring_recommendation_addressees x ON x.recommendation_id = r.id
LEFT JOIN consultation_party p ON p.id = x.party_id
WHERE r.consultation_id = %s AND r.status = 'adopted' GROUP BY r.id
"""


def test_compliance_grid_figures_equal_a_count_made_in_sql(assessed):
    with connection.cursor() as cursor:
        cursor.execute(SQL_PER_RECOMMENDATION, [assessed.consultation.pk])
        counted = {(rec, key): n for rec, key, n in cursor.fetchall()}
        cursor.execute(SQL_ADDRESSED, [assessed.consultation.pk])
        addressed = dict(cursor.fetchall())
    grid = compliance_grid(consultation=assessed.consultation)
    assert [row.recommendation.label for row in grid.rows] == ["R1", "R3", "R2"]  # urges, considers, invites
    for row in grid.rows:
        rec = row.recommendation.pk
        expected = {key: counted.get((rec, key), 0) for key in ("compliant", "partly", "not_compliant")}
        expected["not_assessed"] = addressed[rec] - sum(expected.values())
        assert {k: row.counts[k] for k in expected} == expected
        assert row.counts["addressed"] == addressed[rec]
    r1, _r3, r2 = grid.rows
    assert (r1.counts["compliant"], r1.counts["addressed"], r1.counts["not_assessed"]) == (1, 1, 0)
    assert (r2.counts["partly"], r2.counts["not_compliant"], r2.counts["addressed"]) == (1, 1, 2)
    assert grid.totals["compliant"] == 2
    assert grid.totals["addressed"] == 1 + 2 + addressed[assessed.r3.pk]
    france = grid.party_counts[assessed.party_a.pk]
    assert (france["compliant"], france["partly"], france["not_assessed"], france["addressed"]) == (1, 1, 1, 3)
    cell = r1.cells[[p.pk for p in grid.parties].index(assessed.party_a.pk)]
    assert (cell.assessment, cell.status, cell.replied) == ("compliant", "implemented", True)


def test_compliance_grid_filters_by_strength_and_party(assessed):
    only_urges = compliance_grid(consultation=assessed.consultation, strength="urges")
    assert [row.recommendation.label for row in only_urges.rows] == ["R1"]
    germany = compliance_grid(consultation=assessed.consultation, party=assessed.party_b)
    assert [row.recommendation.label for row in germany.rows] == ["R3", "R2"]
    assert [p.iso2 for p in germany.parties] == ["DE"]
    assert germany.party_counts[assessed.party_b.pk] == {
        "compliant": 1,
        "partly": 0,
        "not_compliant": 1,
        "not_assessed": 0,
        "addressed": 2,
    }


def test_compliance_dashboard_reads_a_constant_number_of_queries(assessed, client, django_assert_max_num_queries):
    from tests.monitoring.follow_up_world import adopt

    login_with_mfa(client, assessed.secretariat)
    url = reverse("followup:compliance", args=[assessed.consultation.slug])
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        page = client.get(url)
    for n in range(6):
        adopt(assessed, strength="urges", text=f"More {n}.", addressees=[assessed.party_b])
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r"\d+ recommendation–Party pairs: 2 compliant, 1 partly compliant, 1 not compliant", html)


def test_compliance_reports_per_recommendation_and_party_in_both_editions(assessed):
    english = recommendation_compliance_document(recommendation=assessed.r1, language="en")
    assert english.meta.title == "Compliance report: recommendation R1"
    france = english.sections[1].subsections[0]
    assert france.title == "France"
    assert france.blocks[0].rows == (
        ("Implementation status (reported)", "Implemented"),
        ("Compliance (Committee's assessment)", "Compliant"),
    )
    assert any(getattr(b, "text", "") == "The reply cites the amended Article 227-23." for b in france.blocks)
    french = party_compliance_document(consultation=assessed.consultation, party=assessed.party_b, language="fr")
    assert french.meta.title == "Rapport de conformité : Allemagne"
    overview = french.sections[0].blocks[0]
    assert [row[0] for row in overview.rows] == ["R3", "R2"]
    assert overview.rows[1][2:] == ("Aucune réponse soumise", "Non conforme")


def test_compliance_report_files_come_from_the_reports_word_writer_in_each_edition(assessed, client):
    import io
    import zipfile

    login_with_mfa(client, assessed.secretariat)
    slug = assessed.consultation.slug
    response = client.get(reverse("followup:party_report", args=[slug, "DE", "docx"]), {"lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="compliance-DE-fr.docx"'
    body = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    assert "Rapport de conformité : Allemagne" in body
    assert "Statistics published." in body
    english = client.get(reverse("followup:recommendation_report", args=[slug, assessed.r1.pk, "docx"]))
    body = zipfile.ZipFile(io.BytesIO(english.content)).read("word/document.xml").decode()
    assert "Compliance report: recommendation R1" in body
    assert "The reply cites the amended Article 227-23." in body
    assert client.get(reverse("followup:party_report", args=[slug, "DE", "odt"])).status_code == 404
    page = client.get(reverse("followup:compliance", args=[slug])).content.decode()
    assert f'href="/follow-up/{slug}/compliance/parties/DE.docx?lang=fr"' in page


def test_compliance_report_pdf_comes_from_the_reports_pdf_writer(assessed, client):
    login_with_mfa(client, assessed.secretariat)
    url = reverse("followup:recommendation_report", args=[assessed.consultation.slug, assessed.r1.pk, "pdf"])
    response = client.get(url, {"lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == 'attachment; filename="compliance-R1-fr.pdf"'
