"""Compliance reports as files, typeset by the reports' generic document writers (the same pipeline, both
editions, as every document of the cycle)."""

from __future__ import annotations

from django.http import Http404, HttpResponse

from reports.sections import Document

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_bytes(document: Document, *, fmt: str) -> bytes:
    from reports.documents import document_docx, document_pdf

    return document_pdf(document) if fmt == "pdf" else document_docx(document)


def document_response(document: Document, *, fmt: str, filename: str) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("No such format.")
    response = HttpResponse(document_bytes(document, fmt=fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
