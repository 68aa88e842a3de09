"""The Word round trip's upload is refused or accepted within 3 s at bounded memory, like the spreadsheet's.

A Word document's body can be inflated like a workbook's shared strings: millions of empty table cells or
paragraphs fit in a few hundred KB. The import counts them by streaming ``word/document.xml`` before python-docx
builds its tree, and reads the answer boxes within the time budget. The files are built here from the platform's
own Word form; the time and peak memory (tracemalloc) of each are printed with the reliability figures.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from consultation.models import Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import ImportRefused, docx_import_preview

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

TIME_LIMIT_S = 3.0
MEMORY_LIMIT_MB = 64


@pytest.fixture
def exported(world, client):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    client.force_login(world.member_a)
    download = client.get(reverse("offline:questionnaire_docx", kwargs={"slug": world.consultation.slug}))
    return reply, download.content


def inflated(content: bytes, *, tag: bytes, count: int) -> bytes:
    """The form with ``count`` empty ``tag`` elements added to its body (compressed, they weigh little)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "word/document.xml":
                data = data.replace(b"<w:sectPr", tag * count + b"<w:sectPr", 1)
            target.writestr(entry, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return buffer.getvalue()


def _measure(reply, content: bytes):
    def run():
        try:
            return docx_import_preview(response=reply, content=content, filename="hostile.docx")
        except ImportRefused as refused:
            return refused

    started = time.perf_counter()
    outcome = run()
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()
    return outcome, seconds, peak


def test_200000_empty_paragraphs_are_under_the_bound_and_read_within_3_s(exported, figures):
    """Below the bound (4 x 80,016 paragraphs), the document is read: within the time budget, at little memory."""
    reply, content = exported
    payload = inflated(content, tag=b"<w:p/>", count=200_000)
    outcome, seconds, peak = _measure(reply, payload)
    figures(
        f"Word import with 200,000 added paragraphs ({len(payload) / 1024:.0f} KB): previewed in {seconds:.2f} s, "
        f"peak {peak:.1f} MB traced"
    )
    assert not isinstance(outcome, ImportRefused)
    assert (outcome.errors, outcome.changes) == ([], [])
    assert seconds < TIME_LIMIT_S
    assert peak < MEMORY_LIMIT_MB


@pytest.mark.parametrize(
    ("what", "tag", "count"),
    [
        ("table cells", b"<w:tbl><w:tr>" + b"<w:tc/>" * 100 + b"</w:tr></w:tbl>", 29_000),
        ("paragraphs", b"<w:p/>", 2_900_000),
    ],
)
def test_a_word_file_of_millions_of_cells_or_paragraphs_is_refused_within_3_s(
    exported, client, world, figures, what, tag, count
):
    reply, content = exported
    payload = inflated(content, tag=tag, count=count)
    declared = zipfile.ZipFile(io.BytesIO(payload)).getinfo("word/document.xml").file_size
    outcome, seconds, peak = _measure(reply, payload)
    figures(
        f"Word import with {count:,} added {'rows of 100 ' if what == 'table cells' else ''}{what} "
        f"({len(payload) / 1024:.0f} KB, {declared / 1e6:.1f} MB unpacked): "
        f"{'refused' if isinstance(outcome, ImportRefused) else 'previewed'} in {seconds:.2f} s, "
        f"peak {peak:.1f} MB traced"
    )
    assert isinstance(outcome, ImportRefused)
    assert str(outcome) == (
        "The document holds over 80,016 table cells or paragraphs, more than a questionnaire ever needs. "
        "Upload the downloaded form with your answers, without added tables."
    )
    assert seconds < TIME_LIMIT_S
    assert peak < MEMORY_LIMIT_MB
    before = Response.objects.count()
    started = time.perf_counter()
    upload = SimpleUploadedFile("inflated.docx", payload, content_type="application/octet-stream")
    answer = client.post(reverse("offline:xlsx_import", kwargs={"slug": world.consultation.slug}), {"workbook": upload})
    assert time.perf_counter() - started < TIME_LIMIT_S
    assert answer.status_code == 400
    assert "table cells or paragraphs" in answer.content.decode()
    assert Response.objects.count() == before


def test_the_downloaded_word_form_is_still_accepted_within_3_s(exported, figures):
    reply, content = exported
    outcome, seconds, peak = _measure(reply, content)
    figures(f"Word import of the downloaded form ({len(content) / 1024:.0f} KB): {seconds:.2f} s, peak {peak:.1f} MB")
    assert not isinstance(outcome, ImportRefused)
    assert outcome.errors == []
    assert seconds < TIME_LIMIT_S
