"""Check 10: hostile and broken XLSX uploads through the offline import pages.

``tests/consultation/test_offline_hostile.py`` (the offline area's own tests) checks most kinds at the service
level with a tracemalloc budget. This check adds the kinds it does not build (wrong headers, missing column, bad
types, unknown codes, duplicate rows, empty workbook, PDF renamed, ZIP-encrypted parts, a bomb lying about its
sizes, an external DTD in a relationships part) and runs the whole corpus end to end: upload page, preview page
and confirmation, with the process's resident memory (which also counts lxml's and zlib's C allocations).

For each file of the corpus (``hostile_xlsx.CORPUS``): the upload is refused or previewed with its errors,
confirming is refused, 0 rows are written (every reply table counted before and after), each sheet error
names its row and column, no stack trace reaches the person, and the request stays within 256 MB of extra
memory (the process's peak resident set, reset before each file through ``/proc/self/clear_refs``) and 10 s.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultation.models import (
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Attachment,
    LegalReference,
    Response,
    ResponseSubmission,
)
from consultation.services import offline as offline_service
from consultation.services.answers import answer_save, response_get_or_create

from .hostile_xlsx import CORPUS

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

TABLES = (Response, Answer, AnswerRevision, AnswerChoice, AnswerValue, LegalReference, Attachment, ResponseSubmission)
MEMORY_LIMIT_MB = 256
TIME_LIMIT_S = 10
# Files whose problems are inside the sheet: each must be reported with a row number and a column.
ROW_LEVEL = {
    "bad types",
    "unknown item codes",
    "duplicate rows",
    "formula cells",
    "missing required column",
    "wrong headers",
}
LEAK_MARKERS = ("Traceback", 'File "/', "zipfile.", "openpyxl", "BadZipFile", "Exception", "lxml", "defusedxml")
STATUS = Path("/proc/self/status")


def _rss_mb(key: str) -> float:
    match = re.search(rf"{key}:\s+(\d+) kB", STATUS.read_text())
    return int(match.group(1)) / 1024 if match else 0.0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in TABLES}


@pytest.fixture
def exported(world, client):
    """Party A's reply with two saved answers, exported by the platform as the delegation downloads it."""
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    client.force_login(world.member_a)
    download = client.get(reverse("offline:xlsx_export", kwargs={"slug": world.consultation.slug}))
    assert download.status_code == 200
    return reply, download.content


def test_hostile_workbooks_write_nothing_and_stay_bounded(world, client, exported, figures):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml must be installed: openpyxl then parses every part through it"

    reply, content = exported
    slug = world.consultation.slug
    upload_url = reverse("offline:xlsx_import", kwargs={"slug": slug})
    assert len(CORPUS) >= 12
    measured = _reset_peak()
    results = []
    for name, build in CORPUS.items():
        payload = build(content)
        before = _counts()
        baseline = _rss_mb("VmRSS")
        _reset_peak()
        start = time.monotonic()
        upload = SimpleUploadedFile("reply.xlsx", payload, content_type="application/octet-stream")
        answer = client.post(upload_url, {"workbook": upload})
        pages = [answer]
        errors: list = []
        if answer.status_code == 302:
            preview_url = answer["Location"]
            token = preview_url.rstrip("/").rsplit("/", 1)[-1]
            preview = offline_service.import_preview_load(
                session=client.session, token=token, user=world.member_a, response=reply
            )
            assert preview is not None, name
            errors = preview.errors
            pages.append(client.get(preview_url))
            pages.append(client.post(f"{preview_url}confirm/", {"action": "confirm"}, follow=True))
        else:
            assert answer.status_code == 400, f"{name}: {answer.status_code}"
        seconds = time.monotonic() - start
        peak = _rss_mb("VmHWM")
        after = _counts()
        outcome = "refused" if answer.status_code == 400 else f"{len(errors)} errors"
        results.append((name, len(payload), outcome, seconds, peak - baseline, peak))

        assert after == before, f"{name}: rows were written {before} -> {after}"
        for page in pages:
            assert page.status_code in (200, 302, 400), f"{name}: {page.status_code}"
            body = page.content.decode(errors="replace")
            leaks = [marker for marker in LEAK_MARKERS if marker in body]
            assert not leaks, f"{name}: the page shows {leaks}"
        if answer.status_code == 400:
            form = answer.context["form"]
            message = answer.context.get("refusal") or " ".join(form.errors.get("workbook", []))
            assert message, f"{name}: refused without saying why"
            assert message in answer.content.decode() or str(form.errors["workbook"][0]) in answer.content.decode()
        else:
            assert errors, f"{name}: previewed without any error"
            assert pages[1].status_code == 200
            assert str(errors[0].message) in pages[1].content.decode()
        if name in ROW_LEVEL:
            assert any(error.row is not None and error.column for error in errors), f"{name}: no row and column"
        if name == "10,000-row file":  # refused as a whole before loading: 100,000 cells, a full sheet has 80,016
            assert answer.status_code == 400
            assert "The workbook holds over 80,016 cells" in answer.content.decode()
        assert seconds < TIME_LIMIT_S, f"{name}: {seconds:.1f} s"
        if measured:
            assert peak - baseline < MEMORY_LIMIT_MB, f"{name}: {peak - baseline:.0f} MB above the baseline"
    worst_time = max(results, key=lambda r: r[3])
    worst_memory = max(results, key=lambda r: r[4])
    figures(
        f"hostile imports: {len(results)} files, 0 rows written, 0 stack traces shown, "
        f"slowest {worst_time[0]} {worst_time[3]:.2f} s, "
        f"most memory {worst_memory[0]} +{worst_memory[4]:.0f} MB (peak RSS {worst_memory[5]:.0f} MB)"
    )
    for name, size, outcome, seconds, extra, peak in results:
        figures(f"  {name}: {size:,} bytes, {outcome}, {seconds:.2f} s, +{extra:.0f} MB (peak RSS {peak:.0f} MB)")
