"""Building reports: outputs read back, idempotence, failures that leave the previous version current."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.utils import timezone, translation
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from reports import documents, xlsx
from reports.labels import date_text, labels
from reports.models import Report, ReportRun, ReportVersion
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now, report_build_request, report_run_execute
from tests.reports.conftest import has_file, html_of, opened

SHEETS_EN = [
    "Contents",
    "Participation",
    "Items covered",
    "GENAI-02 Position",
    "GENAI-02 Explanation",
    "Who answered what",
    "Replies at a glance",
    "All answers",
]
FRENCH_POSITION_SHEET = "GENAI-02 Position"
EXPLANATION_SHEET = "GENAI-02 Explanation"

pytestmark = pytest.mark.django_db


def build(dataset, text, **kwargs):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    return report_build_now(consultation=dataset.consultation, scope=scope, **kwargs)


def test_item_report_outputs_open_and_carry_the_headings_and_figures(dataset):
    run = build(dataset, "item:GENAI-02")
    assert run.status == "done", run.error
    assert run.progress == 100
    version = run.version
    assert version.report.current_version == version

    pdf_text = "\n".join(page.extract_text() for page in PdfReader(opened(version, "pdf")).pages)
    assert "Compilation of replies to GENAI-02" in pdf_text
    assert "Participation" in pdf_text
    assert "50.0 %" in pdf_text
    assert "33.3 %" in pdf_text
    assert "16.7 %" in pdf_text
    assert f"{version.symbol} – Compilation of replies to GENAI-02" in pdf_text  # the running header
    assert version.symbol == "T-ES(2026)01"
    assert "Policy statement of NL on synthetic images." in pdf_text

    document = Document(opened(version, "docx"))
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert ("Heading 1", "1. Participation") in headings
    assert ("Heading 1", "4. GENAI-02 – Generative AI") in headings
    assert ("Heading 2", "4.1 Position") in headings
    assert ("Heading 4", "Netherlands") in headings
    option_rows = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
    assert ["Yes", "3", "50.0 %", "Belgium, France, Germany"] in option_rows
    assert ["Partially", "2", "33.3 %", "Italy, Spain"] in option_rows
    french = Document(opened(version, "docx", "fr"))
    french_rows = [[c.text for c in row.cells] for table in french.tables for row in table.rows]
    assert ["Oui", "3", "50.0 %", "Allemagne, Belgique, France"] in french_rows  # French names, French order
    assert len(document.inline_shapes) == 1

    workbook = load_workbook(opened(version, "xlsx"))
    assert workbook.sheetnames == SHEETS_EN
    rows = list(workbook["GENAI-02 Position"].iter_rows(values_only=True))
    assert ("Yes", 3, 6, 50, "Belgium, France, Germany") in rows
    assert ("No", 1, 6, 16.7, "Netherlands") in rows
    french = load_workbook(opened(version, "xlsx", "fr"))
    french_rows = list(french[FRENCH_POSITION_SHEET].iter_rows(values_only=True))
    assert ("Non", 1, 6, 16.7, "Pays-Bas") in french_rows

    assert 'role="img"' in html_of(version)
    assert "<figcaption>" in html_of(version)
    assert version.data["items"][0]["fields"][0]["options"][0]["percent"] == 50.0


def test_article_report_is_bilingual_and_covers_its_items(dataset):
    run = build(dataset, "article:20", formats=["docx"])
    version = run.version
    assert version.report.title == (
        "Article 20 – Offences concerning child pornography / Infractions se rapportant à la pornographie enfantine"
    )
    # pages and messages name the report in the reader's language
    assert version.report.title_local == "Article 20 – Offences concerning child pornography"
    with translation.override("fr"):
        assert str(version.report) == "Article 20 – Infractions se rapportant à la pornographie enfantine"
    assert [i["code"] for i in version.data["items"]] == ["GENAI-01", "GENAI-02", "ROBOT-01", "ROBOT-02"]
    assert not has_file(version, "pdf")
    assert not has_file(version, "xlsx")
    document = Document(opened(version, "docx"))
    titles = [p.text for p in document.paragraphs if p.style.name == "Title"]
    assert titles == ["Article 20 – Offences concerning child pornography"]
    french = Document(opened(version, "docx", "fr"))
    titles = [p.text for p in french.paragraphs if p.style.name == "Title"]
    assert titles == ["Article 20 – Infractions se rapportant à la pornographie enfantine"]


def test_running_the_same_build_twice_yields_one_current_version(dataset):
    run = build(dataset, "theme:robotics")
    again = report_run_execute(run_id=run.pk)
    assert again.status == "done"
    report = Report.objects.get(scope_kind="theme", scope_key="robotics")
    assert ReportVersion.objects.filter(report=report).count() == 1
    assert report.current_version.run_id == run.pk


def test_a_second_request_while_one_is_queued_returns_the_queued_run(dataset, django_capture_on_commit_callbacks):
    run = build(dataset, "theme:robotics", formats=["xlsx"])
    report = run.report
    with mock.patch("reports.services.builds.report_run_enqueue"):
        first = report_build_request(report=report)
        second = report_build_request(report=report)
    assert first.pk == second.pk
    assert ReportRun.objects.filter(report=report, status="queued").count() == 1


def test_an_interrupted_build_leaves_the_previous_version_current_and_the_run_failed(dataset):
    first = build(dataset, "article:20", formats=["xlsx"])
    report = first.report
    real = documents.item_view
    calls = []

    def fail_after_half(item, **kwargs):
        calls.append(item["code"])
        if len(calls) > 2:
            raise RuntimeError("Disk full while rendering")
        return real(item, **kwargs)

    from tests.reports.conftest import reply

    reply(dataset.consultation, "PT", dataset.answers_of("DE"))  # new figures, so the build renders
    with mock.patch("reports.documents.item_view", side_effect=fail_after_half):
        second = build(dataset, "article:20", formats=["xlsx"])
    assert calls == ["GENAI-01", "GENAI-02", "ROBOT-01"]
    second.refresh_from_db()
    assert second.status == "failed"
    assert second.error == "RuntimeError: Disk full while rendering"
    assert second.finished_at is not None
    report.refresh_from_db()
    assert report.current_version.run_id == first.pk
    assert ReportVersion.objects.filter(report=report).count() == 1


def test_a_build_that_keeps_dying_is_abandoned_after_the_attempt_cap(dataset, settings):
    settings.REPORTS_BUILD_MAX_ATTEMPTS = 2
    scope = scope_parse(consultation=dataset.consultation, text="item:ROBOT-01")
    from reports.services.builds import report_get_or_create

    report = report_get_or_create(consultation=dataset.consultation, scope=scope)
    run = ReportRun.objects.create(report=report, status="running", attempts=2)
    assert report_run_execute(run_id=run.pk).status == "failed"
    run.refresh_from_db()
    assert run.error == "The build stopped 2 times without finishing; it was abandoned."
    assert report.versions.count() == 0


def test_a_redelivered_build_after_a_killed_worker_completes(dataset):
    scope = scope_parse(consultation=dataset.consultation, text="item:ROBOT-01")
    from reports.services.builds import report_get_or_create

    report = report_get_or_create(consultation=dataset.consultation, scope=scope)
    # The worker died mid-build: the run is still "running" after one attempt, with no version written.
    run = ReportRun.objects.create(report=report, status="running", attempts=1, progress=40)
    done = report_run_execute(run_id=run.pk)
    assert done.status == "done"
    assert done.attempts == 2
    assert report.versions.get().run_id == run.pk


def test_xlsx_keeps_texts_as_typed_never_as_formulas_and_names_sheets_uniquely():
    used = set()
    long = "GENAI-02 a_very_long_field_key_that_overflows"
    first = xlsx.sheet_title(long, used)
    second = xlsx.sheet_title(long, used)
    assert len(first) <= 31
    assert len(second) <= 31
    assert first != second
    assert xlsx.sheet_title("a/b:c", used) == "a b c"
    names = [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://x")',
        "- Act 2023/41 on online platforms\n- Decree 2024-12",
        "+33 hotline staff",
        "@reporting unit",
        "Plain\x00text\x1f",
    ]
    workbook_bytes = documents.render_xlsx(
        {
            "L": labels("en"),
            "title": "T",
            "cutoff": "now",
            "participation": {
                "replied": [],
                "replied_names": names,
                "not_replied_names": [],
                "under_revision": [],
                "replied_count": len(names),
                "asked_count": len(names),
            },
            "items": [],
            "matrix": {"columns": [], "rows": []},
        }
    )
    sheet = load_workbook(io.BytesIO(workbook_bytes))["Participation"]
    cells = [sheet.cell(row=4 + index, column=1) for index in range(len(names))]
    assert [cell.value for cell in cells] == [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://x")',
        "- Act 2023/41 on online platforms\n- Decree 2024-12",
        "+33 hotline staff",
        "@reporting unit",
        "Plaintext",
    ]
    assert [cell.data_type for cell in cells] == ["s"] * 6
    assert [cell.quotePrefix for cell in cells] == [True, True, True, True, True, False]
    assert not any(cell.value.startswith("'") for cell in cells)


def test_a_batch_aggregates_once_and_one_failing_report_does_not_stop_the_others(
    dataset, django_capture_on_commit_callbacks, settings
):
    from reports.services.builds import reports_build_request

    settings.REPORTS_BUILD_PARALLELISM = 1
    scopes = [
        scope_parse(consultation=dataset.consultation, text=t) for t in ("article:20", "article:30", "theme:robotics")
    ]
    real = documents.item_view

    def fail_on_xr(item, **kwargs):
        if item["code"] == "XR-01":
            raise ValueError("Unreadable item")
        return real(item, **kwargs)

    with (
        mock.patch("reports.documents.item_view", side_effect=fail_on_xr),
        mock.patch("reports.services.builds.report_figures_many", wraps=report_figures_many_spy()) as aggregate,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        runs = reports_build_request(consultation=dataset.consultation, scopes=scopes, formats=["xlsx"])
    assert len(callbacks) == 1  # one batch task for the three builds
    assert aggregate.call_count == 1
    statuses = {run.report.scope: ReportRun.objects.get(pk=run.pk).status for run in runs}
    assert statuses == {"article:20": "done", "article:30": "failed", "theme:robotics": "done"}
    assert ReportRun.objects.get(report__scope_key="30").error == "ValueError: Unreadable item"


def report_figures_many_spy():
    from reports.selectors.figures import report_figures_many

    return report_figures_many


def test_a_batch_is_split_into_one_task_per_worker_process(dataset, django_capture_on_commit_callbacks, settings):
    from reports.services.builds import reports_build_request

    settings.REPORTS_BUILD_PARALLELISM = 2
    texts = ("article:20", "article:21", "article:30", "theme:robotics", "theme:immersive")
    scopes = [scope_parse(consultation=dataset.consultation, text=t) for t in texts]
    with (
        mock.patch("reports.services.builds.report_runs_enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        runs = reports_build_request(consultation=dataset.consultation, scopes=scopes)
    ids = [run.pk for run in runs]
    assert enqueue.call_args_list == [mock.call(run_ids=ids[0::2]), mock.call(run_ids=ids[1::2])]


def test_a_reopened_reply_counts_with_its_last_submission_and_is_marked_in_every_format(dataset):
    from consultation.services.responses import response_reopen
    from tests.reports.conftest import save

    netherlands = dataset.responses["NL"]
    response_reopen(response=netherlands, user=None, reason="Figures to correct.")
    save(netherlands, dataset.genai02, {"position": "yes", "explanation": "- Draft correction, not submitted."})
    reopened_at = timezone.localtime(type(netherlands).objects.get(pk=netherlands.pk).reopened_at)
    since = date_text(reopened_at, "en")
    note = f"Reply under revision since {since}"

    version = build(dataset, "item:GENAI-02").version
    marked = f"Netherlands ({note})"
    french_marked = f"Pays-Bas (Réponse en cours de révision depuis {date_text(reopened_at, 'fr')})"
    assert french_marked in html_of(version, "fr")

    assert marked in html_of(version)
    assert "Policy statement of NL on synthetic images." in html_of(version)
    assert "Draft correction" not in html_of(version)

    pdf_text = " ".join(" ".join(page.extract_text() for page in PdfReader(opened(version, "pdf")).pages).split())
    assert "Reply under revision since" in pdf_text
    assert "Policy statement of NL on synthetic images." in pdf_text
    assert "Draft correction" not in pdf_text

    paragraphs = [p.text for p in Document(opened(version, "docx")).paragraphs]
    assert any(marked in text for text in paragraphs)
    assert f"{note}: Netherlands" in paragraphs
    assert "Policy statement of NL on synthetic images." in paragraphs

    workbook = load_workbook(opened(version, "xlsx"))
    participation = [row[0] for row in workbook["Participation"].iter_rows(values_only=True)]
    assert marked in participation
    texts = list(workbook["GENAI-02 Explanation"].iter_rows(values_only=True))
    assert ("Netherlands", "en", "Policy statement of NL on synthetic images.") in texts
    no_counts = [row for row in workbook["GENAI-02 Position"].iter_rows(values_only=True) if row[0] == "No"]
    assert no_counts == [("No", 1, 6, 16.7, "Netherlands")]


def test_xlsx_texts_beginning_like_formulas_are_read_back_exactly_as_written(dataset):
    from tests.reports.conftest import reply

    text = "- Act 2023/41 on online platforms\n- Decree 2024-12 on hotlines\n=SUM(A1:A3) is not a formula"
    reply(
        dataset.consultation,
        "PT",
        dataset.answers_of("DE") | {dataset.genai02: {"position": "no", "explanation": text}},
    )
    version = build(dataset, "item:GENAI-02", formats=["xlsx"]).version
    sheet = load_workbook(opened(version, "xlsx"))[EXPLANATION_SHEET]
    cells = {row[0].value: row[2] for row in sheet.iter_rows(min_row=4) if row[0].value}
    assert cells["Portugal"].value == text
    assert cells["Portugal"].data_type == "s"
    assert cells["Portugal"].quotePrefix is True


def test_a_rebuild_with_identical_figures_and_texts_makes_no_new_version(dataset):
    first = build(dataset, "theme:robotics")
    version = first.version
    assert version.content_hash
    assert len(version.content_hash) == 64

    again = build(dataset, "theme:robotics")
    assert again.status == "done"
    assert again.same_as_id == version.pk
    assert ReportVersion.objects.filter(report=version.report).count() == 1
    assert Report.objects.get(pk=version.report_id).current_version_id == version.pk

    # Submitted data changed somewhere the theme report does not print: it is checked, found equal, and current.
    from django.db.models import F

    from consultation.models import Consultation
    from tests.reports.conftest import reply

    Consultation.objects.filter(pk=dataset.consultation.pk).update(data_version=F("data_version") + 1)
    data_version = Consultation.objects.get(pk=dataset.consultation.pk).data_version
    third = build(dataset, "theme:robotics")
    assert third.same_as_id == version.pk
    report = Report.objects.get(pk=version.report_id)
    assert report.built_data_version == data_version
    assert ReportVersion.objects.get(pk=version.pk).data_version == data_version

    # A change in what the report prints makes version 2.
    reply(dataset.consultation, "SE", dataset.answers_of("DE"))
    fourth = build(dataset, "theme:robotics")
    assert fourth.same_as_id is None
    assert fourth.version.number == 2
    assert fourth.version.content_hash != version.content_hash
    assert Report.objects.get(pk=version.report_id).current_version_id == fourth.version.pk


def test_an_identical_rebuild_still_writes_the_files_the_current_version_lacks(dataset):
    first = build(dataset, "item:ROBOT-01", formats=["xlsx"])
    assert not has_file(first.version, "pdf")
    second = build(dataset, "item:ROBOT-01")
    assert second.same_as_id is None
    assert second.version.number == 2
    assert has_file(second.version, "pdf")
    assert has_file(second.version, "docx")
