"""Helpers to read, edit and rebuild the Word form in tests (python-docx, as a ministry's Word would)."""

from __future__ import annotations

import io
import re
import zipfile

import docx

MARK = re.compile(r"⟦lzr\|([^|⟧]+)\|([^|⟧]+)\|(\d+)⟧")


def open_docx(content: bytes):
    return docx.Document(io.BytesIO(content))


def answer_cell(document, code: str, key: str):
    """The answer box of one item's field."""
    for table in document.tables:
        for row in table.rows:
            found = MARK.search(row.cells[0].text)
            if found and (found.group(1), found.group(2)) == (code, key):
                return row.cells[1]
    raise AssertionError(f"no answer box for {code}/{key}")


def write(cell, *lines: str) -> None:
    """Replace the answer box's paragraphs with ``lines``, as typing in Word does."""
    paragraphs = cell.paragraphs
    paragraphs[0].text = lines[0] if lines else ""
    for extra in paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
    for line in lines[1:]:
        cell.add_paragraph(line)


def tick(cell, label: str, *, only: bool = False) -> None:
    """Tick the box of ``label`` (and untick the others when ``only``)."""
    for paragraph in cell.paragraphs:
        text = paragraph.text
        if text[2:] == label:
            paragraph.text = "☒ " + label
        elif only and text.startswith("☒ "):
            paragraph.text = "☐ " + text[2:]


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def replace_part(content: bytes, name: str, data: bytes) -> bytes:
    """The DOCX with one part's bytes replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != name:
                target.writestr(entry, source.read(entry.filename))
        target.writestr(name, data)
    return buffer.getvalue()


def read_part(content: bytes, name: str) -> bytes:
    return zipfile.ZipFile(io.BytesIO(content)).read(name)
