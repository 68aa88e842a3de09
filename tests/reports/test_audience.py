"""A build's audience: a public build counts only the published replies, never becomes the Committee's version."""

from __future__ import annotations

import pytest

from consultation.models import SubmittedAnswer
from reports.models import Audience, ReportRun, ReportVersion
from reports.selectors.figures import report_figures, report_figures_many
from reports.selectors.scopes import scope_items, scope_parse
from reports.services.builds import ReportError, report_build_now, report_version_publish
from reports.services.refresh import reports_stale

pytestmark = pytest.mark.django_db


def _publish(dataset, *iso2s):
    from publication.services.publish import publication_publish_party
    from tests import factories as f

    for iso2 in iso2s:
        publication_publish_party(consultation=dataset.consultation, party=f.party(iso2), user=None)


def _position_counts(figures, code="GENAI-02"):
    item = next(i for i in figures["items"] if i["code"] == code)
    field = next(fl for fl in item["fields"] if fl["key"] == "position")
    return {o["key"]: o["count"] for o in field["options"]}, field["replying"]


def test_defaults_are_the_committee(dataset):
    scope = scope_parse(consultation=dataset.consultation, text="overview")
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"])
    assert (run.audience, run.version.audience) == (Audience.COMMITTEE, Audience.COMMITTEE)
    assert run.version.report.current_version == run.version
    assert run.version.data["participation"]["replied_count"] == 6
    assert "audience" not in run.version.data


def test_public_figures_count_only_published_parties_without_confidential_answers(dataset):
    items = scope_items(consultation=dataset.consultation, kind="overview", key="")
    # nothing published: a public build reads nothing (default deny)
    figures = report_figures(consultation=dataset.consultation, items=items, audience="public")
    assert figures["participation"]["replied_count"] == 0
    assert figures["participation"]["asked_count"] == 0
    _publish(dataset, "BE", "IT", "NL")
    # Italy marked GENAI-02 not for publication (as the sign-off would have; the typed rows repeat the mark)
    italy = SubmittedAnswer.objects.get(party__iso2="IT", item=dataset.genai02)
    SubmittedAnswer.objects.filter(pk=italy.pk).update(confidential=True)
    from consultation.models import SubmittedChoice, SubmittedValue

    SubmittedChoice.objects.filter(answer=italy).update(confidential=True)
    SubmittedValue.objects.filter(answer=italy).update(confidential=True)

    figures = report_figures(consultation=dataset.consultation, items=items, audience="public")
    participation = figures["participation"]
    assert [p["iso2"] for p in participation["replied"]] == ["BE", "IT", "NL"]
    assert (participation["replied_count"], participation["asked_count"]) == (3, 3)
    assert _position_counts(figures) == ({"yes": 1, "partially": 0, "no": 1}, 2)
    genai02 = next(i for i in figures["items"] if i["code"] == "GENAI-02")
    assert genai02["answered_by"] == ["Belgium", "Netherlands"]
    texts = [a["text"] for fl in genai02["fields"] for a in fl.get("answers", [])]
    assert texts == ["Policy statement of BE on synthetic images.", "Policy statement of NL on synthetic images."]
    # the Committee's figures are untouched: all six Parties, Italy's answer included
    committee = report_figures(consultation=dataset.consultation, items=items)
    assert _position_counts(committee) == ({"yes": 3, "partially": 2, "no": 1}, 6)


def test_a_resubmitted_reply_counts_publicly_only_once_published_again(dataset):
    from consultation.services.responses import response_reopen, response_submit
    from tests.reports.conftest import save

    _publish(dataset, "BE", "NL")
    response = dataset.responses["NL"]
    response_reopen(response=response, user=None, reason="Correction")
    save(response, dataset.genai02, {"position": "yes", "explanation": "Corrected."})
    response_submit(response=response, user=None)
    items = scope_items(consultation=dataset.consultation, kind="overview", key="")
    figures = report_figures(consultation=dataset.consultation, items=items, audience="public")
    assert [p["iso2"] for p in figures["participation"]["replied"]] == ["BE"]
    _publish(dataset, "NL")
    figures = report_figures(consultation=dataset.consultation, items=items, audience="public")
    assert _position_counts(figures) == ({"yes": 2, "partially": 0, "no": 0}, 2)


def test_public_figures_in_the_committee_number_of_queries(dataset, django_assert_num_queries):
    _publish(dataset, "BE", "FR")
    scopes = [scope_parse(consultation=dataset.consultation, text=t) for t in ("overview", "theme:robotics")]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as committee:
        report_figures_many(consultation=dataset.consultation, scopes=scopes)
    with django_assert_num_queries(len(committee.captured_queries)):
        figures = report_figures_many(consultation=dataset.consultation, scopes=scopes, audience="public")
    assert figures["overview"]["participation"]["replied_count"] == 2


def test_a_public_build_is_public_and_leaves_the_committee_version_alone(dataset):
    scope = scope_parse(consultation=dataset.consultation, text="overview")
    committee = report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"]).version
    assert committee.classification == "restricted"
    _publish(dataset, "FR")
    run = report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"], audience="public")
    assert run.status == "done", run.error
    public = run.version
    assert (run.audience, public.audience, public.classification) == ("public", "public", "public")
    assert public.number == committee.number + 1
    assert public.data["audience"] == "public"
    assert public.data["participation"]["replied_count"] == 1
    report = public.report
    report.refresh_from_db()
    assert report.current_version_id == committee.pk
    # the Committee's version is neither superseded nor stale because of the public edition
    assert not reports_stale(consultation_id=dataset.consultation.pk).exists()
    report_version_publish(version=committee, user=None)
    with pytest.raises(ReportError, match="public edition"):
        report_version_publish(version=public, user=None)
    # a second public build is a new edition even with the same figures
    again = report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"], audience="public")
    assert again.version.number == public.number + 1
    assert ReportVersion.objects.filter(report=report, audience="public").count() == 2


def test_a_public_run_does_not_block_the_committee_refresh(dataset):
    from reports.services.builds import report_build_request, report_get_or_create

    scope = scope_parse(consultation=dataset.consultation, text="overview")
    report = report_get_or_create(consultation=dataset.consultation, scope=scope)
    public = report_build_request(report=report, audience="public", enqueue=False)
    committee = report_build_request(report=report, enqueue=False)
    assert public.pk != committee.pk
    assert ReportRun.objects.filter(report=report, status="queued").count() == 2
    assert report_build_request(report=report, audience="public", enqueue=False).pk == public.pk
    with pytest.raises(ReportError, match="Unknown audience"):
        report_build_request(report=report, audience="press", enqueue=False)


def test_a_report_only_built_publicly_is_neither_refreshed_nor_listed_for_the_committee(dataset):
    from consultation.services.responses import consultation_data_changed
    from reports.selectors.reports import reports_for_secretariat

    _publish(dataset, "BE")
    scope = scope_parse(consultation=dataset.consultation, text="theme:robotics")
    report_build_now(consultation=dataset.consultation, scope=scope, formats=["xlsx"], audience="public")
    overview = scope_parse(consultation=dataset.consultation, text="overview")
    report_build_now(consultation=dataset.consultation, scope=overview, formats=["xlsx"])
    consultation_data_changed(consultation_id=dataset.consultation.pk)
    assert [r.scope for r in reports_stale(consultation_id=dataset.consultation.pk)] == ["overview"]
    (listed,) = [c for c in reports_for_secretariat() if c.consultation == dataset.consultation]
    assert [row.report.scope for row in listed.rows] == ["overview"]
