"""Hostile uploads: every bad file is refused, or reported per row and column, writes nothing, and is read in
bounded memory and time. The files are built here, not committed."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import openpyxl
import pytest

from consultation.models import Answer, AnswerRevision
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import (
    OLE_MAGIC,
    ImportRefused,
    offline_import_preview,
    offline_workbook_export,
)
from tests.consultation.offline_world import row_of, set_value, to_bytes, workbook

pytestmark = pytest.mark.django_db

MEMORY_BUDGET_BYTES = 64 * 1024 * 1024
TIME_BUDGET_SECONDS = 10


@pytest.fixture
def reply(world):
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "yes", "explanation": "Criminal Code, art. 227-23."},
        base_version=0,
        user=world.member_a,
    )
    return response


@pytest.fixture
def exported(reply) -> bytes:
    document = reply_document_get(consultation=reply.consultation, party=reply.party, response=reply)
    return offline_workbook_export(document=document)


def counts() -> tuple[int, int]:
    return Answer.objects.count(), AnswerRevision.objects.count()


def replace_part(content: bytes, name: str, data: bytes) -> bytes:
    """The same workbook with one part's bytes replaced."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, data if entry.filename == name else source.read(entry.filename))
    return out.getvalue()


def _preview_or_refusal(reply, content: bytes):
    try:
        return offline_import_preview(response=reply, content=content, filename="hostile.xlsx")
    except ImportRefused as refused:
        return refused


def bounded_preview(reply, content: bytes):
    """Run the preview, timed, then again under tracemalloc for its peak memory (tracing slows it several times,
    so the two are measured apart); return the outcome: the preview, or the refusal."""
    started = time.perf_counter()
    outcome = _preview_or_refusal(reply, content)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    try:
        _preview_or_refusal(reply, content)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BUDGET_BYTES, f"peak {peak} bytes"
    assert elapsed < TIME_BUDGET_SECONDS, f"{elapsed:.1f} s"
    return outcome


def test_an_empty_file_is_refused(reply):
    before = counts()
    outcome = bounded_preview(reply, b"")
    assert str(outcome) == "The file is empty."
    assert counts() == before


def test_a_text_file_renamed_xlsx_is_refused(reply):
    outcome = bounded_preview(reply, b"item_code,value\nGENAI-01,no\n")
    assert str(outcome) == "The file is not an XLSX workbook. Save it from Excel as “Excel Workbook (.xlsx)”."


def test_a_zip_that_is_not_a_workbook_is_refused(reply):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    outcome = bounded_preview(reply, out.getvalue())
    assert str(outcome) == "The file is a ZIP archive but not an XLSX workbook (no xl/workbook.xml)."


def test_a_password_protected_workbook_is_refused(reply):
    """Excel saves an encrypted workbook as an OLE compound file (EncryptionInfo + EncryptedPackage)."""
    content = OLE_MAGIC + b"\x00" * 4096
    outcome = bounded_preview(reply, content)
    assert str(outcome) == (
        "The file is password-protected or in the old Excel 97-2003 format. Remove the password and save it as an "
        "Excel workbook (.xlsx)."
    )


def test_a_file_over_the_upload_limit_is_refused(reply, exported, settings):
    settings.IMPORT_MAX_BYTES = 1000
    outcome = bounded_preview(reply, exported)
    assert str(outcome) == f"The file is {len(exported)} bytes; the limit is 1000 bytes."


def test_a_zip_bomb_is_refused_from_its_declared_size_before_anything_is_inflated(reply, exported):
    bomb = replace_part(exported, "xl/worksheets/sheet1.xml", b"\x00" * (60 * 1024 * 1024))
    assert len(bomb) < 1024 * 1024  # 60 MB of zeros packs into a few dozen kilobytes
    before = counts()
    outcome = bounded_preview(reply, bomb)
    assert str(outcome) == "The workbook unpacks to 60 MB; at most 50 MB are accepted."
    assert counts() == before


def test_a_zip_with_thousands_of_parts_is_refused(reply, exported):
    source = zipfile.ZipFile(io.BytesIO(exported))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            target.writestr(entry.filename, source.read(entry.filename))
        for number in range(1000):
            target.writestr(f"xl/media/image{number}.png", b"")
    outcome = bounded_preview(reply, out.getvalue())
    assert str(outcome) == f"The workbook holds {len(source.infolist()) + 1000} parts; at most 200 are accepted."


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>"""


@pytest.mark.parametrize(
    ("part", "payload"), [("xl/worksheets/sheet1.xml", BILLION_LAUGHS), ("docProps/core.xml", XXE)]
)
def test_entity_payloads_are_refused_before_the_xml_is_parsed(reply, exported, part, payload):
    assert part in zipfile.ZipFile(io.BytesIO(exported)).namelist()
    before = counts()
    outcome = bounded_preview(reply, replace_part(exported, part, payload))
    assert str(outcome) == f"The workbook part {part} declares a DOCTYPE or entities, which Excel never writes."
    assert counts() == before


def test_a_10000_row_sheet_is_cut_off_with_a_clear_error(reply):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Answers")
    sheet.append(["item_code", "field_key", "value", "answer_version"])
    for number in range(10_000):
        sheet.append(["GENAI-01", "explanation", f"Row {number}", 1])
    before = counts()
    preview = bounded_preview(reply, to_bytes(book))
    assert [(e.row, e.message) for e in preview.errors] == [
        (5002, "The sheet has more than 5000 rows; the questionnaire needs 4. Remove the extra rows.")
    ]
    assert counts() == before


def test_formula_cells_are_reported_per_row_and_column(reply, exported):
    book = workbook(exported)
    sheet = book.worksheets[0]
    row_value = set_value(sheet, "GENAI-01", "explanation", '=HYPERLINK("http://evil.example","x")')
    row_version = row_of(sheet, "ROBOT-01", "position")
    sheet[f"J{row_version}"] = "=1-1"
    preview = bounded_preview(reply, to_bytes(book))
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (row_value, "Value", "Formulas and error values are not accepted: type the value itself."),
        (row_version, "Answer version", "Formulas and error values are not accepted: type the value itself."),
    ]


def test_an_extra_sheet_is_reported(reply, exported):
    book = workbook(exported)
    book.create_sheet("Notes from the Ministry")["A1"] = "GENAI-01"
    preview = bounded_preview(reply, to_bytes(book))
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (
            None,
            "",
            "Unexpected sheet “Notes from the Ministry”: remove it; the file must hold only the exported sheet.",
        )
    ]


def test_a_file_exported_for_another_party_is_refused(world, exported):
    other = response_get_or_create(consultation=world.consultation, party=world.party_b)
    preview = bounded_preview(other, exported)
    assert [e.message for e in preview.errors] == ["This file was exported for another Party's reply."]


def test_a_version_from_the_future_is_reported(reply, exported):
    book = workbook(exported)
    sheet = book.worksheets[0]
    for key in ("position", "explanation"):
        sheet[f"J{row_of(sheet, 'GENAI-01', key)}"] = 9
    preview = bounded_preview(reply, to_bytes(book))
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (
            row_of(sheet, "GENAI-01", "position"),
            "Answer version",
            "Version 9 is newer than the reply's (1): this file is not a download of this reply.",
        )
    ]


def test_a_wrong_declared_sheet_size_neither_pads_nor_hides_rows(reply, exported):
    book = workbook(exported)
    set_value(book.worksheets[0], "ROBOT-01", "position", "no")
    edited = to_bytes(book)
    sheet_xml = zipfile.ZipFile(io.BytesIO(edited)).read("xl/worksheets/sheet1.xml")
    assert b'<dimension ref="A1:K5"/>' in sheet_xml
    for declared in (b"A1:K1048576", b"A1:B2"):
        patched = replace_part(edited, "xl/worksheets/sheet1.xml", sheet_xml.replace(b"A1:K5", declared))
        preview = bounded_preview(reply, patched)
        assert (preview.errors, preview.rows_read, [c.item_code for c in preview.changes]) == ([], 4, ["ROBOT-01"])


def test_a_workbook_read_past_the_time_budget_is_refused(reply, exported, settings):
    """The parse is bounded in time as well as in counts: past the budget, the file is set aside."""
    settings.IMPORT_TIME_BUDGET_SECONDS = 0
    outcome = bounded_preview(reply, exported)
    assert str(outcome) == (
        "The workbook took more than 0.0 seconds to read and was set aside. Save the exported file again from "
        "Excel, without extra sheets or columns."
    )
    settings.IMPORT_TIME_BUDGET_SECONDS = 2.5
    assert bounded_preview(reply, exported).errors == []


def test_more_cells_than_a_full_questionnaire_are_refused_before_loading(reply, exported):
    sheet = "xl/worksheets/sheet1.xml"
    xml = zipfile.ZipFile(io.BytesIO(exported)).read(sheet)
    padding = b'<row r="9000">' + b'<c r="A9000" t="n"><v>1</v></c>' * 81_000 + b"</row>"
    outcome = bounded_preview(
        reply, replace_part(exported, sheet, xml.replace(b"</sheetData>", padding + b"</sheetData>"))
    )
    assert str(outcome) == (
        "The workbook holds over 80,016 cells, more than a questionnaire ever needs. Save the exported file again "
        "from Excel, without extra sheets or columns."
    )
