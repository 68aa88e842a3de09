"""An upload is refused or accepted within 3 s at bounded memory, whatever it holds.

A 131 KB XLSX with 2.9 million shared strings held a worker until it was killed (30 s, then a 500); 200,000 took
15 s. The import now counts shared strings and cells, and sizes the parts, before openpyxl loads anything, and reads
the sheet within a time budget. Both files are built here from the platform's own export; the time and the peak
memory (tracemalloc) of each are printed with the reliability figures.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest
from django.urls import reverse

from consultation.models import Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import ImportRefused, offline_import_preview

from .hostile_xlsx import shared_strings

pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

TIME_LIMIT_S = 3.0
MEMORY_LIMIT_MB = 64


@pytest.fixture
def exported(world, client):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    client.force_login(world.member_a)
    download = client.get(reverse("offline:xlsx_export", kwargs={"slug": world.consultation.slug}))
    return reply, download.content


def _measure(reply, content: bytes):
    """The outcome (the preview or the refusal), its seconds, and its peak traced memory in MB (a second run:
    tracing slows Python several times, so time and memory are measured apart)."""

    def run():
        try:
            return offline_import_preview(response=reply, content=content, filename="hostile.xlsx")
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


@pytest.mark.parametrize("count", [2_900_000, 200_000])
def test_a_workbook_of_millions_of_shared_strings_is_refused_within_3_s(exported, client, world, figures, count):
    reply, content = exported
    payload = shared_strings(content, count)
    declared = zipfile.ZipFile(io.BytesIO(payload)).getinfo("xl/sharedStrings.xml").file_size
    outcome, seconds, peak = _measure(reply, payload)
    figures(
        f"import of {count:,} shared strings ({len(payload) / 1024:.0f} KB, {declared / 1e6:.1f} MB unpacked): "
        f"{'refused' if isinstance(outcome, ImportRefused) else 'previewed'} in {seconds:.2f} s, "
        f"peak {peak:.1f} MB traced"
    )
    assert isinstance(outcome, ImportRefused)
    assert str(outcome) == (
        "The workbook holds over 80,016 shared texts, more than a questionnaire ever needs. "
        "Save the exported file again from Excel, without extra sheets or columns."
    )
    assert seconds < TIME_LIMIT_S
    assert peak < MEMORY_LIMIT_MB
    # Over HTTP: the refusal, within the same time, and nothing written.
    before = Response.objects.count()
    started = time.perf_counter()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("strings.xlsx", payload, content_type="application/octet-stream")
    answer = client.post(reverse("offline:xlsx_import", kwargs={"slug": world.consultation.slug}), {"workbook": upload})
    assert time.perf_counter() - started < TIME_LIMIT_S
    assert answer.status_code == 400
    assert "shared texts" in answer.content.decode()
    assert Response.objects.count() == before


def test_the_exported_file_is_still_accepted_within_3_s(exported, figures):
    reply, content = exported
    outcome, seconds, peak = _measure(reply, content)
    figures(f"import of the exported file ({len(content) / 1024:.0f} KB): {seconds:.2f} s, peak {peak:.1f} MB traced")
    assert not isinstance(outcome, ImportRefused)
    assert outcome.errors == []
    assert seconds < TIME_LIMIT_S
