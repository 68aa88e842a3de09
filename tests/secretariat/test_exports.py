"""Answer exports: exact rows and values, filters, formula escaping, background jobs, access."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from consultation.models import ExportJob
from consultation.services.answers import response_get_or_create
from consultation.services.exports import answers_export, export_job_run
from consultation.services.responses import response_submit
from tests.access.helpers import login_with_mfa
from tests.secretariat.conftest import save

pytestmark = pytest.mark.django_db

HEADERS = [
    "party",
    "party_name",
    "item",
    "theme",
    "articles",
    "field",
    "field_type",
    "value",
    "language",
    "state",
    "submitted_at",
]


@pytest.fixture
def data(world):
    genai, robot = world.items
    fr = response_get_or_create(consultation=world.consultation, party=world.party_a)
    save(fr, genai, {"position": "yes", "explanation": "Criminal Code, art. 227-23."}, world.member_a)
    save(fr, robot, {"position": "partially"}, world.member_a)
    response_submit(response=fr, user=world.head_a)
    fr.refresh_from_db()
    de = response_get_or_create(consultation=world.consultation, party=world.party_b)
    save(de, genai, {"explanation": '=HYPERLINK("http://x")'}, world.member_b)
    world.fr = fr
    return world


def _xlsx_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_the_xlsx_has_exactly_the_submitted_rows_and_values(data):
    name, content = answers_export(consultation=data.consultation, format="xlsx", filters={})
    assert name.startswith("world-consultation-answers-submitted-")
    assert name.endswith(".xlsx")
    submitted = timezone.localtime(data.fr.submitted_at).isoformat(timespec="seconds")
    assert _xlsx_rows(content) == [
        tuple(HEADERS),
        (
            "FR",
            "France",
            "GENAI-01",
            "generative-ai",
            "20, 21",
            "position",
            "single_choice",
            "Yes",
            "en",
            "submitted",
            submitted,
        ),
        (
            "FR",
            "France",
            "GENAI-01",
            "generative-ai",
            "20, 21",
            "explanation",
            "text",
            "Criminal Code, art. 227-23.",
            "en",
            "submitted",
            submitted,
        ),
        (
            "FR",
            "France",
            "ROBOT-01",
            "robotics",
            "20",
            "position",
            "single_choice",
            "Partially",
            "en",
            "submitted",
            submitted,
        ),
        ("FR", "France", "ROBOT-01", "robotics", "20", "explanation", "text", None, "en", "submitted", submitted),
    ]


def test_a_formula_is_exported_as_plain_text_in_xlsx_and_csv(data):
    _, content = answers_export(consultation=data.consultation, format="xlsx", filters={"state": "draft"})
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [row for row in sheet.iter_rows(min_row=2) if row[5].value == "explanation"]
    (value_cell,) = [row[7] for row in cells]
    assert value_cell.data_type == "s"
    assert value_cell.value == '\'=HYPERLINK("http://x")'
    _, csv_content = answers_export(consultation=data.consultation, format="csv", filters={"state": "draft"})
    rows = list(csv.DictReader(io.StringIO(csv_content.decode("utf-8-sig"))))
    assert [r["value"] for r in rows] == ["", '\'=HYPERLINK("http://x")']
    _, json_content = answers_export(consultation=data.consultation, format="json", filters={"state": "draft"})
    # JSON is not opened by spreadsheets: the value stays exactly as the delegation wrote it.
    assert [r["value"] for r in json.loads(json_content)] == ["", '=HYPERLINK("http://x")']


def test_filters_by_party_theme_article_and_state(data):
    def rows(**filters):
        _, content = answers_export(consultation=data.consultation, format="json", filters=filters)
        return [(r["party"], r["item"], r["field"]) for r in json.loads(content)]

    assert rows(state="all", parties=["DE"]) == [("DE", "GENAI-01", "position"), ("DE", "GENAI-01", "explanation")]
    assert rows(themes=["robotics"]) == [("FR", "ROBOT-01", "position"), ("FR", "ROBOT-01", "explanation")]
    assert rows(articles="21") == [("FR", "GENAI-01", "position"), ("FR", "GENAI-01", "explanation")]
    assert len(rows(state="all")) == 6
    assert rows(state="ready") == []


def test_the_page_downloads_small_exports_and_audits_them(client, data):
    login_with_mfa(client, data.secretariat)
    url = reverse("secretariat:export", kwargs={"slug": data.consultation.slug})
    assert client.get(url).status_code == 200
    response = client.post(url, {"format": "csv", "state": "submitted", "articles": "20"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert len(response.content.decode("utf-8-sig").strip().splitlines()) == 5
    assert AuditEvent.objects.get(event_type="answers.exported").extra["rows"] == 4
    bad = client.post(url, {"format": "csv", "state": "submitted", "articles": "twenty"})
    assert "“twenty” is not an article number." in bad.content.decode()


def test_a_large_export_becomes_a_job_with_progress_and_a_checked_download(
    client, data, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_DIRECT_MAX_ROWS = 3
    login_with_mfa(client, data.secretariat)
    url = reverse("secretariat:export", kwargs={"slug": data.consultation.slug})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"format": "xlsx", "state": "all"})
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "secretariat:export_job", kwargs={"slug": data.consultation.slug, "pk": job.pk}
    )
    job.refresh_from_db()
    assert (job.status, job.progress, job.row_count, job.requested_by) == ("done", 100, 6, data.secretariat)
    assert job.file.name.startswith("exports/")
    page = client.get(response["Location"]).content.decode()
    assert "Download the export" in page
    download = client.get(reverse("secretariat:export_download", kwargs={"slug": data.consultation.slug, "pk": job.pk}))
    assert download.status_code == 200
    assert len(_xlsx_rows(b"".join(download.streaming_content))) == 7
    # Running the task again leaves the finished job as it is (idempotent).
    name = job.file.name
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.file.name) == ("done", name)
    client.logout()
    login_with_mfa(client, data.member_a)
    refused = client.get(reverse("secretariat:export_download", kwargs={"slug": data.consultation.slug, "pk": job.pk}))
    assert refused.status_code == 403


def test_a_delegation_member_cannot_reach_the_export(client, data):
    login_with_mfa(client, data.member_a)
    url = reverse("secretariat:export", kwargs={"slug": data.consultation.slug})
    assert client.get(url).status_code == 403
    assert client.post(url, {"format": "csv", "state": "all"}).status_code == 403
    assert AuditEvent.objects.filter(event_type="access.denied", actor=data.member_a).count() == 2
