"""The implementation report: the document assembled from what the Committee settled, and its builds."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from monitoring.documents import implementation_report_document, markdown_blocks
from monitoring.errors import MonitoringError
from monitoring.models import BuildStatus, ImplementationReport, ImplementationReportFile
from monitoring.services.codings import coding_apply
from monitoring.services.implementation import implementation_report_execute, implementation_report_request
from monitoring.services.observations import item_coding_final_set, observations_adoption_set, observations_save
from monitoring.services.recommendations import recommendation_create, recommendation_transition
from reports.sections import BulletList, Paragraph
from tests.monitoring.conftest import FRANCE_TEXT

pytestmark = pytest.mark.django_db


def _recommend(w, text, *, adopt=True, strength="urges", addressees=(), items=(), chapter=None, text_fr=""):
    r = recommendation_create(
        consultation=w.consultation, strength=strength, text_en=text, text_fr=text_fr, user=w.committee,
        addressees=addressees, items=items, chapter=chapter,
    )  # fmt: skip
    if adopt:
        recommendation_transition(recommendation=r, action="propose", user=w.committee)
        r = recommendation_transition(
            recommendation=r, action="adopt", user=w.secretariat, meeting="45th plenary",
            adopted_on=datetime.date(2026, 11, 20),
        )  # fmt: skip
    return r


@pytest.fixture
def settled(replies, codes):
    """R1 adopted (urges France and Germany, rests on GENAI-01), R2 adopted (invites all Parties), R3 a draft;
    GENAI-01 coded and final, with observations adopted by the Committee citing a coding; ROBOT-01 observations
    still a draft."""
    w = replies
    (w.cited,) = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=0, end=17, codes=[w.code_ai], user=w.committee
    )
    coding_apply(response=w.germany, item=w.items[0], codes=[w.code_ai], user=w.committee)
    item_coding_final_set(item=w.items[0], final=True, user=w.committee)
    observations_save(
        item=w.items[0], base_version=0, user=w.committee, status="ready",
        text=f"Most Parties **criminalise** it; see [C{w.cited.pk}].\n\n- first point\n- second point\n\n> A quoted law",
    )  # fmt: skip
    observations_adoption_set(
        item=w.items[0], adopt=True, user=w.secretariat, meeting="45th plenary", adopted_on=datetime.date(2026, 6, 3)
    )
    observations_save(item=w.items[1], base_version=0, user=w.committee, text="Draft thoughts, not for the report.")
    w.r1 = _recommend(
        w, "France and Germany to review their laws.", addressees=[w.party_a, w.party_b], items=[w.items[0]],
        text_fr="la France et l'Allemagne à revoir leurs lois.",
    )  # fmt: skip
    w.r2 = _recommend(w, "all Parties to share practice.", strength="invites")
    w.r3 = _recommend(w, "A draft that must not appear.", adopt=False)
    return w


def _texts(section):
    out = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, BulletList):
            out.extend(block.items)
    for sub in section.subsections:
        out.append(f"## {sub.title}")
        out.extend(_texts(sub))
    return out


def test_the_english_edition_holds_the_adopted_findings_only(settled):
    w = settled
    document = implementation_report_document(consultation=w.consultation, language="en")
    assert document.meta.title == "Implementation report"
    assert (document.meta.language, document.meta.meeting) == ("en", "45th plenary")
    assert [s.key for s in document.sections] == [
        "introduction",
        "recommendations",
        "observations",
        "monitoring-coded-comparisons",
    ]
    assert "2 adopted recommendations, the rapporteurs' observations on 1 item" in document.sections[0].blocks[0].text
    recommendations = _texts(document.sections[1])[1:]
    assert recommendations == [
        "R1. Urges France and Germany to review their laws.",
        "Addressed to: France, Germany · Rests on: GENAI-01 · Adopted at 45th plenary on 20 November 2026",
        "R2. Invites all Parties to share practice.",
        "Addressed to: all Parties · Adopted at 45th plenary on 20 November 2026",
    ]
    observations = _texts(document.sections[2])
    assert observations[1].startswith("## GENAI-01 – ")
    assert observations[2:] == [
        "Most Parties criminalise it; see “The Criminal Code” (France, GENAI-01).",
        "first point",
        "second point",
        "A quoted law",
        "Recommendations resting on this item: R1.",
    ]
    assert "Draft thoughts" not in str(document)
    assert "must not appear" not in str(document)
    comparisons = document.sections[3]
    assert comparisons.subsections[0].blocks[0].items == ("2 Parties: AI-generated CSAM criminalised",)
    assert comparisons.subsections[0].blocks[1].links == ()  # no links into the platform from a document
    (annex,) = document.annexes
    assert [s.title for s in annex.subsections] == ["GENAI-01", "ROBOT-01"]
    genai = _texts(annex.subsections[0])
    assert genai[1:3] == ["France", "Position: Yes"]
    assert FRANCE_TEXT in genai


def test_the_french_edition_is_in_french(settled):
    document = implementation_report_document(consultation=settled.consultation, language="fr")
    assert document.meta.title == "Rapport de mise en œuvre"
    texts = _texts(document.sections[1])
    assert "R1. Exhorte la France et l'Allemagne à revoir leurs lois." in texts
    assert "R2. Invite all Parties to share practice." in texts  # no French text: the English one
    assert any(t.startswith("Destinataires : Allemagne, France · Se fonde sur : GENAI-01") for t in texts)
    assert "20 novembre 2026" in texts[-1]


def test_markdown_is_reduced_to_plain_blocks():
    blocks = markdown_blocks("# Title\n\nSome *emphasis* and [a link](https://x.org).\n\n1. one\n2. two", str)
    assert blocks == [
        Paragraph(text="Title"),
        Paragraph(text="Some emphasis and a link."),
        BulletList(items=("one", "two"), numbered=True),
    ]


def _fake_renderers(monkeypatch):
    import monitoring.services.implementation as implementation

    def renderers():
        return {
            "pdf": lambda d: b"%PDF " + d.meta.language.encode(),
            "docx": lambda d: b"PK " + d.meta.title.encode(),
            "html": lambda d: f"<h1>{d.meta.title}</h1>",
        }

    monkeypatch.setattr(implementation, "_renderers", renderers)


def test_a_build_is_queued_on_commit_and_stores_both_editions(settled, monkeypatch, django_capture_on_commit_callbacks):
    _fake_renderers(monkeypatch)
    w = settled
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = implementation_report_request(consultation=w.consultation, user=w.secretariat)
        assert ImplementationReport.objects.get(pk=report.pk).status == BuildStatus.QUEUED  # nothing built yet
    assert len(callbacks) == 1
    report.refresh_from_db()
    assert (report.number, report.status, report.attempts) == (1, BuildStatus.DONE, 1)
    assert report.summary == {"recommendations": 2, "observations": 1, "final_items": 1}
    files = {(f.language, f.format): f.file.read() for f in ImplementationReportFile.objects.filter(report=report)}
    assert files == {
        ("en", "pdf"): b"%PDF en",
        ("fr", "pdf"): b"%PDF fr",
        ("en", "docx"): b"PK Implementation report",
        ("fr", "docx"): "PK Rapport de mise en œuvre".encode(),
        ("en", "html"): b"<h1>Implementation report</h1>",
        ("fr", "html"): "<h1>Rapport de mise en œuvre</h1>".encode(),
    }
    assert len(report.content_hash) == 64
    events = AuditEvent.objects.filter(event_type__startswith="monitoring.implementation_report")
    assert sorted(events.values_list("event_type", flat=True)) == [
        "monitoring.implementation_report_built",
        "monitoring.implementation_report_requested",
    ]
    # Redelivered after it finished: nothing happens (idempotent).
    assert implementation_report_execute(report_id=report.pk) is None
    assert ImplementationReportFile.objects.filter(report=report).count() == 6


def test_a_second_request_while_one_is_under_way_is_refused_and_an_overdue_one_is_replaced(settled, monkeypatch):
    _fake_renderers(monkeypatch)
    w = settled
    first = implementation_report_request(consultation=w.consultation, user=w.committee)  # on_commit not run
    with pytest.raises(MonitoringError, match="Build 1 is under way"):
        implementation_report_request(consultation=w.consultation, user=w.committee)
    ImplementationReport.objects.filter(pk=first.pk).update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    second = implementation_report_request(consultation=w.consultation, user=w.committee)
    first.refresh_from_db()
    assert (first.status, second.number) == (BuildStatus.FAILED, 2)
    assert "never finished" in first.error


def test_no_build_without_an_adopted_recommendation(replies):
    with pytest.raises(MonitoringError, match="adopted no recommendation in this consultation yet"):
        implementation_report_request(consultation=replies.consultation, user=replies.secretariat)
    assert not ImplementationReport.objects.exists()


def test_a_writer_error_fails_the_build_with_its_reason_and_a_stopped_build_is_abandoned(settled, monkeypatch):
    import monitoring.services.implementation as implementation

    def broken():
        def pdf(document):
            raise ValueError("font missing")

        return {"pdf": pdf, "docx": pdf, "html": pdf}

    monkeypatch.setattr(implementation, "_renderers", broken)
    report = ImplementationReport.objects.create(consultation=settled.consultation, number=1)
    implementation_report_execute(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.error) == (BuildStatus.FAILED, "The build failed: font missing")
    assert not report.files.exists()

    stopped = ImplementationReport.objects.create(
        consultation=settled.consultation, number=2, status=BuildStatus.RUNNING, attempts=3
    )
    assert implementation_report_execute(report_id=stopped.pk) is None
    stopped.refresh_from_db()
    assert stopped.status == BuildStatus.FAILED
    assert stopped.error == "The build stopped 3 times without finishing; it was abandoned."


def test_the_page_requests_a_build_shows_it_and_serves_both_editions(
    client, settled, monkeypatch, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    from django.urls import reverse

    from tests.access.helpers import login_with_mfa

    _fake_renderers(monkeypatch)
    w = settled
    url = reverse("monitoring:implementation_report", kwargs={"slug": w.consultation.slug})
    client.force_login(w.committee)  # rapporteur of GENAI-01
    page = client.get(url).content.decode()
    assert "A build now would contain 2 adopted recommendations," in page
    assert "No build yet." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    build = ImplementationReport.objects.get()
    assert build.status == BuildStatus.DONE
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    assert "Ready" in page
    assert "hx-trigger" not in page  # nothing under way: no polling
    html = reverse("monitoring:implementation_report_file", kwargs={"pk": build.pk, "language": "fr", "fmt": "html"})
    assert f'href="{html}"' in page
    served = client.get(html).content.decode()  # read inside a platform page, beside its downloads
    assert "<h1>Rapport de mise en œuvre</h1>" in served
    pdf_fr = reverse("monitoring:implementation_report_file", kwargs={"pk": build.pk, "language": "fr", "fmt": "pdf"})
    assert f'href="{pdf_fr}"' in served
    pdf = client.get(
        reverse("monitoring:implementation_report_file", kwargs={"pk": build.pk, "language": "en", "fmt": "pdf"})
    )
    assert (pdf["Content-Type"], pdf.content) == ("application/pdf", b"%PDF en")
    missing = reverse("monitoring:implementation_report_file", kwargs={"pk": build.pk, "language": "de", "fmt": "pdf"})
    assert client.get(missing).status_code == 404

    client.force_login(w.member_a)  # a delegation never reaches it
    assert client.get(html).status_code == 403
    login_with_mfa(client, w.secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert ImplementationReport.objects.filter(status=BuildStatus.DONE).count() == 2


def test_the_secretariat_may_reopen_a_final_coding_but_not_mark_it_final(client, settled):
    from django.urls import reverse

    from monitoring.models import ItemAnalysis
    from tests.access.helpers import login_with_mfa

    w = settled
    url = reverse("monitoring:final", kwargs={"slug": w.consultation.slug, "item_id": w.items[0].pk})
    login_with_mfa(client, w.secretariat)
    page = client.get(reverse("monitoring:item", kwargs={"slug": w.consultation.slug, "item_id": w.items[0].pk}))
    assert "Reopen the coding" in page.content.decode()
    assert client.post(url, {"final": "1"}).status_code == 403
    assert client.post(url, {"final": "0"}).status_code == 302
    assert ItemAnalysis.objects.get(item=w.items[0]).coding_final_at is None
    assert client.post(url, {"final": "1"}).status_code == 403


def test_with_the_reports_writers_both_editions_are_typeset_and_a_report_carries_the_comparisons(
    settled, django_capture_on_commit_callbacks
):
    """No fake writers: the reports' own document_pdf/docx/html, and a comparative report built after the item's
    coding became final holds the comparisons section in both editions."""
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now

    w = settled
    with django_capture_on_commit_callbacks(execute=True):
        report = implementation_report_request(consultation=w.consultation, user=w.secretariat)
    report.refresh_from_db()
    assert report.status == BuildStatus.DONE, report.error
    files = {(f.language, f.format): f.file.read() for f in report.files.all()}
    assert files[("en", "pdf")].startswith(b"%PDF")
    assert files[("fr", "pdf")].startswith(b"%PDF")
    assert files[("en", "docx")].startswith(b"PK")
    assert files[("fr", "docx")].startswith(b"PK")
    assert "R1. Urges France and Germany to review their laws." in files[("en", "html")].decode()
    assert "Rapport de mise en œuvre" in files[("fr", "html")].decode()

    run = report_build_now(
        consultation=w.consultation, scope=scope_parse(consultation=w.consultation, text="overview"), formats=["docx"]
    )
    assert run.status == "done", run.error
    extra = run.version.data["extra_sections"]
    assert [s["key"] for s in extra["en"]] == ["monitoring-coded-comparisons"]
    assert extra["fr"][0]["title"] == "Comparaisons tirées du codage des rapporteurs"
    assert extra["en"][0]["subsections"][0]["blocks"][0]["items"] == ["2 Parties: AI-generated CSAM criminalised"]


def test_only_adopted_observations_reach_the_report_and_adoption_locks_them(settled):
    from monitoring.errors import MonitoringError
    from monitoring.models import ItemAnalysis

    w = settled
    analysis = ItemAnalysis.objects.get(item=w.items[0])
    assert (analysis.status, analysis.adopted_meeting, analysis.adopted_on) == (
        "adopted",
        "45th plenary",
        datetime.date(2026, 6, 3),
    )
    with pytest.raises(MonitoringError, match="locked until the Secretariat reopens them"):
        observations_save(item=w.items[0], base_version=analysis.version, user=w.committee, text="Changed")
    with pytest.raises(MonitoringError, match="Only observations marked ready"):
        observations_adoption_set(
            item=w.items[1], adopt=True, user=w.secretariat, meeting="45th", adopted_on=datetime.date(2026, 6, 3)
        )
    with pytest.raises(MonitoringError, match="Unknown status"):
        observations_save(item=w.items[1], base_version=1, user=w.committee, text="x", status="adopted")
    reopened = observations_adoption_set(item=w.items[0], adopt=False, user=w.secretariat)
    assert (reopened.status, reopened.adopted_on) == ("ready", None)
    from accounts.models import AuditEvent

    assert (
        AuditEvent.objects.filter(
            event_type__in=["monitoring.observations_adopted", "monitoring.observations_reopened"]
        ).count()
        == 2
    )
