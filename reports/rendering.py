"""Typesetting a ``reports.sections.Document`` (the implementation report, the compliance report, …) to HTML and
PDF with the comparative reports' own cover, contents, page setup and section layout.

Other apps build a ``Document`` (plain text in one language) and call ``document_html`` / ``document_pdf``;
the comparative reports' writers use ``section_view`` for the sections that later apps add to them, so a section
looks the same wherever it is printed. Nothing here queries the database.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from consultation.typesetting import typeset_pdf

from .labels import date_text, labels
from .sections import BulletList, Document, DocumentMeta, Paragraph, Section, Table

PRELUDE = "reports/_document.typ"
TEMPLATE = "reports/document.typ"
ANNEX_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


def _block_view(block: Any) -> dict[str, Any]:
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "text": block.text, "style": block.style}
    if isinstance(block, BulletList):
        return {"kind": "bulletlist", "items": list(block.items), "numbered": block.numbered}
    if isinstance(block, Table):
        links = block.links or ()
        rows = []
        for r, row in enumerate(block.rows):
            rows.append(
                [
                    {"text": cell, "link": links[r][c] if r < len(links) and c < len(links[r]) else ""}
                    for c, cell in enumerate(row)
                ]
            )
        return {"kind": "table", "caption": block.caption, "header": list(block.header), "rows": rows, "cells": rows}
    raise TypeError(f"not a block: {block!r}")


def section_view(section: Section, *, number: str = "") -> dict[str, Any]:
    """A section as the HTML template and the Typst prelude walk it (plain dicts and lists)."""
    return {
        "key": section.key,
        "title": section.title,
        "number": number,
        "blocks": [_block_view(block) for block in section.blocks],
        "subsections": [section_view(sub) for sub in section.subsections],
    }


def annex_title(index: int, title: str, language: str) -> str:
    """``Annex I – Country profiles`` / ``Annexe I – Profils par pays``."""
    return (
        f"{labels(language)['annex']} {ANNEX_NUMERALS[index] if index < len(ANNEX_NUMERALS) else index + 1} – {title}"
    )


def meta_view(meta: DocumentMeta) -> dict[str, str]:
    """The cover's values as printed in the edition's language."""
    L = labels(meta.language)
    return {
        "symbol": meta.symbol,
        "date": date_text(meta.date, meta.language) if meta.date else "",
        "meeting": meta.meeting,
        "classification": L[meta.classification],
    }


def sections_html(sections: list[dict[str, Any]]) -> list[str]:
    return [
        render_to_string("reports/_section.html", {"section": s, "level": 2, "number": s["number"]}) for s in sections
    ]


def document_html(doc: Document) -> str:
    """The document's body (an ``<article>``) for a platform page: cover block, contents, numbered sections and
    annexes, in the document's language."""
    language = doc.meta.language
    sections = [section_view(s, number=str(n)) for n, s in enumerate(doc.sections, start=1)]
    annexes = [
        section_view(
            Section(key=a.key, title=annex_title(i, a.title, language), blocks=a.blocks, subsections=a.subsections)
        )
        for i, a in enumerate(doc.annexes)
    ]
    return render_to_string(
        "reports/document.html",
        {
            "L": labels(language),
            "meta": doc.meta,
            "cover": meta_view(doc.meta),
            "sections": sections,
            "annexes": annexes,
            "sections_html": sections_html(sections),
            "annexes_html": sections_html(annexes),
        },
    )


def document_pdf(doc: Document) -> bytes:
    """A4 PDF: cover (committee, title, symbol, date, meeting, classification, edition), contents with page
    numbers, numbered sections, annexes; running header with the symbol, footer "page n / N"; tagged, with the
    document's title and language."""
    language = doc.meta.language
    L = labels(language)
    cover = meta_view(doc.meta)
    data = {
        "L": L,
        "language": language,
        "title": doc.meta.title,
        "subtitle": doc.meta.subtitle,
        "meta": cover,
        "kicker": L["committee"],
        "header": " – ".join(part for part in (doc.meta.symbol, doc.meta.title) if part),
        "footer": " · ".join(part for part in (doc.meta.symbol, cover["date"]) if part),
        "sections": [section_view(s) for s in doc.sections],
        "annexes": [
            section_view(
                Section(key=a.key, title=annex_title(i, a.title, language), blocks=a.blocks, subsections=a.subsections)
            )
            for i, a in enumerate(doc.annexes)
        ],
    }
    return typeset_pdf(template=TEMPLATE, data=data, preludes=(PRELUDE,))


__all__ = ["annex_title", "document_html", "document_pdf", "meta_view", "section_view", "sections_html"]
