"""Editions and the document's cover: every build writes an English and a French edition of each format, from
one computation of the figures; the symbol comes from the consultation's series and the Secretariat can change
the cover of a draft (audited; the editions are written again)."""

import datetime
import io
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from accounts.models import AuditEvent
from reports import sections as s
from reports.labels import date_text, labels
from reports.models import ReportDocument, ReportSeries
from reports.selectors.scopes import scope_parse
from reports.services.builds import (
    ReportError,
    VersionDetails,
    report_build_now,
    report_version_details_update,
    report_version_publish,
)
from tests import factories as f
from tests.access.helpers import login_with_mfa
from tests.reports.conftest import html_of, opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client, db):
    user = f.secretariat_user(email="secretariat.editions@coe.example")
    login_with_mfa(client, user)
    return user


def build(dataset, text, **kwargs):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    run = report_build_now(consultation=dataset.consultation, scope=scope, **kwargs)
    assert run.status == "done", run.error
    return run.version


def test_dates_read_in_each_language_never_abbreviated():
    day = datetime.date(2026, 12, 3)
    assert date_text(day, "en") == "3 December 2026"
    assert date_text(day, "fr") == "3 décembre 2026"
    moment = timezone.make_aware(datetime.datetime(2026, 12, 3, 16, 28))
    assert date_text(moment, "en", time=True).startswith("3 December 2026, 16:28")
    assert date_text(moment.isoformat(), "fr") == "3 décembre 2026"


def test_every_label_has_a_french_text():
    english, french = labels("en"), labels("fr")
    same = {key for key in english if english[key] == french[key]}
    # Words spelt the same in both languages.
    assert same <= {
        "participation",
        "option",
        "count",
        "parties",
        "total",
        "minimum",
        "maximum",
        "version",
        "instrument",
        "date",
        "classification",
        "annexes",
        "page",
        "article",
        "public",
        "item_text",
    }, same


def test_both_editions_of_every_format_from_one_computation_of_the_figures(dataset):
    from reports.selectors import figures

    with mock.patch("reports.services.builds.report_figures", wraps=figures.report_figures) as aggregate:
        version = build(dataset, "item:GENAI-02")
    assert aggregate.call_count == 1
    held = set(ReportDocument.objects.filter(version=version).values_list("language", "format"))
    assert held == {(lang, fmt) for lang in ("en", "fr") for fmt in ("html", "pdf", "docx", "xlsx")}

    english, french = html_of(version, "en"), html_of(version, "fr")
    assert "Replies per option" in english
    assert "Réponses par option" not in english
    assert "Réponses par option" in french
    english_labels, french_labels = labels("en"), labels("fr")
    for key, text in english_labels.items():
        if text != french_labels[key]:
            assert f">{text}<" not in french, text  # no English heading left
            assert f">{text}:" not in french, text
    assert "Pays-Bas" in french
    assert "Netherlands" not in french
    assert "Partiellement" in french
    # France replied in French: marked in the English edition, not in the French one.
    assert "(reply written in French)" in english
    assert "réponse rédigée en" in french  # the others wrote in English
    assert "(réponse rédigée en français)" not in french

    text = "\n".join(p.text for p in Document(opened(version, "docx", "fr")).paragraphs)
    assert "Compilation des réponses à GENAI-02" in text
    assert "Parties ayant répondu" in text
    assert "Parties that replied" not in text


def test_the_symbol_comes_from_the_series_and_each_report_keeps_its_own(dataset):
    ReportSeries.objects.create(
        consultation=dataset.consultation, prefix="T-ES(2025)", next_number=7, meeting="45th plenary meeting"
    )
    first = build(dataset, "item:GENAI-02", formats=["pdf"])
    other = build(dataset, "article:20", formats=["xlsx"])
    assert (first.symbol, other.symbol) == ("T-ES(2025)07", "T-ES(2025)08")
    assert first.document_date == timezone.localdate()
    assert first.meeting == "45th plenary meeting"
    assert first.classification == "restricted"
    assert ReportSeries.objects.get().next_number == 9
    from tests.reports.conftest import reply

    reply(dataset.consultation, "PT", dataset.answers_of("DE"))
    again = build(dataset, "item:GENAI-02", formats=["pdf"])
    assert again.number == 2
    assert again.symbol == "T-ES(2025)07"

    cover = PdfReader(opened(again, "pdf", "fr")).pages[0].extract_text()
    assert "T-ES(2025)07" in cover
    assert date_text(timezone.localdate(), "fr") in cover


def test_the_secretariat_changes_a_drafts_cover_and_both_editions_are_written_again(
    dataset, secretariat, django_capture_on_commit_callbacks
):
    version = build(dataset, "item:GENAI-02", formats=["pdf"])
    before = ReportDocument.objects.get(version=version, language="fr", format="pdf").file.name
    details = VersionDetails(
        symbol="T-ES(2025)12", document_date=datetime.date(2026, 6, 2), meeting="46th meeting", classification="public"
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_version_details_update(version=version, details=details, user=secretariat)
    version.refresh_from_db()
    assert version.symbol == "T-ES(2025)12"
    assert version.rendered_at is not None
    event = AuditEvent.objects.get(event_type="report.details_changed")
    assert event.extra["after"]["symbol"] == "T-ES(2025)12"
    assert event.extra["before"]["classification"] == "restricted"
    document = ReportDocument.objects.get(version=version, language="fr", format="pdf")
    assert document.file.name != before
    cover = PdfReader(document.file.open("rb")).pages[0].extract_text()
    assert "T-ES(2025)12" in cover
    assert "2 juin 2026" in cover
    assert "46th meeting" in cover
    assert "Public" in cover

    report_version_publish(version=version, user=secretariat)
    with pytest.raises(ReportError, match="is published"):
        report_version_details_update(version=version, details=details, user=secretariat)
    with pytest.raises(ReportError, match="symbol"):
        report_version_details_update(
            version=build(dataset, "article:30", formats=["xlsx"]),
            details=VersionDetails(symbol=" ", document_date=None, meeting="", classification="public"),
            user=secretariat,
        )


def test_the_details_form_refuses_bad_input_with_a_clear_message(client, dataset, secretariat):
    version = build(dataset, "item:GENAI-02", formats=["xlsx"])
    url = reverse("reports:version_details", kwargs={"version_id": version.pk})
    page = client.post(
        url, {"symbol": "T-ES(2025)09", "document_date": "3 Dec", "classification": "secret"}, follow=True
    )
    text = page.content.decode()
    assert "Enter a valid date." in text
    assert "Select a valid choice." in text
    version.refresh_from_db()
    assert version.symbol == "T-ES(2026)01"


def test_the_series_form_sets_the_prefix_and_next_number(client, dataset, secretariat):
    url = reverse("reports:series", kwargs={"slug": dataset.consultation.slug})
    assert "T-ES(" in client.get(url).content.decode()
    assert client.post(url, {"prefix": " ", "next_number": "3", "classification": "public"}).status_code == 400
    client.post(url, {"prefix": "T-ES(2025)", "next_number": "11", "meeting": "", "classification": "public"})
    assert build(dataset, "theme:robotics", formats=["xlsx"]).symbol == "T-ES(2025)11"
    assert AuditEvent.objects.filter(event_type="report.series_changed").exists()


def test_sections_of_later_apps_are_stored_per_edition_and_printed(dataset, monkeypatch):
    monkeypatch.setattr(s, "_providers", {})

    def provider(context):
        title = "Comparaisons codées" if context.language == "fr" else "Coded comparisons"
        return [
            s.Section(
                key="coding",
                title=title,
                blocks=(
                    s.Paragraph(text=f"{len(context.item_ids)} items, {context.scope_kind}"),
                    s.Table(caption="T", header=("Party", "Code"), rows=(("Austria", "A1"),), links=(("", ""),)),
                ),
            )
        ]

    s.register_section_provider("test", provider)
    version = build(dataset, "item:GENAI-02", formats=["pdf"])
    assert version.data["extra_sections"]["fr"][0]["title"] == "Comparaisons codées"
    assert "Coded comparisons" in html_of(version, "en")
    assert "1 items, item" in html_of(version, "en")
    assert "Comparaisons codées" in html_of(version, "fr")
    text = "\n".join(page.extract_text() for page in PdfReader(opened(version, "pdf", "fr")).pages)
    assert "Comparaisons codées" in text
    assert "Austria" in text


def test_the_version_page_queries_do_not_grow_with_editions(
    client, dataset, secretariat, django_assert_max_num_queries
):
    version = build(dataset, "item:GENAI-02", formats=["xlsx"])
    with django_assert_max_num_queries(20):
        page = client.get(reverse("reports:version", kwargs={"version_id": version.pk}))
    assert page.status_code == 200
    assert io.BytesIO(page.content).read().count(b"/fr/xlsx/") == 1
