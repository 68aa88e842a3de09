"""Compliance reports as files, typeset by the reports' generic document writers (the same pipeline, both
editions, as every document of the cycle). Word comes from ``reports.word.document_docx``; PDF is offered as soon
as the reports app provides ``document_pdf`` (``reports.rendering``), and not before."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from django.http import Http404, HttpResponse

from reports.sections import Document

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FORMAT_LABELS = {"pdf": "PDF", "docx": "Word"}


def document_writers() -> dict[str, Callable[[Document], bytes]]:
    """The generic writers the reports app provides, by format, PDF first."""
    found: dict[str, Callable[[Document], bytes]] = {}
    for fmt, module in (("pdf", "reports.rendering"), ("docx", "reports.word")):
        try:
            writer = getattr(importlib.import_module(module), f"document_{fmt}", None)
        except ImportError:
            writer = None
        if writer is not None:
            found[fmt] = writer
    return found


def available_formats() -> list[dict[str, str]]:
    return [{"key": fmt, "label": FORMAT_LABELS[fmt]} for fmt in document_writers()]


def document_response(document: Document, *, fmt: str, filename: str) -> HttpResponse:
    writer = document_writers().get(fmt)
    if writer is None:
        raise Http404("No such format.")
    response = HttpResponse(writer(document), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
