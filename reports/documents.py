"""The report's outputs, all written from the same aggregated figures (``ReportVersion.data``).

``document_view`` turns the figures into what documents print (bilingual headings, the local data
cut-off, one chart per choice field); ``render_html`` / ``render_pdf`` / ``render_docx`` /
``render_xlsx`` write it out. Nothing here queries the database.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Callable
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .charts import bar_chart_svg
from .labels import LABELS, PAIRS, both
from .pdf import report_pdf
from .word import report_docx
from .xlsx import report_xlsx

CHOICE_TYPES = ("single_choice", "multiple_choice")
MATRIX_COLOURS = 6
ProgressCallback = Callable[[int, int], None]


def _local(iso: str | None) -> str:
    if not iso:
        return "–"
    moment = timezone.localtime(datetime.datetime.fromisoformat(iso))
    return moment.strftime("%Y-%m-%d %H:%M %Z")


def _local_date(iso: str | None) -> str:
    if not iso:
        return "–"
    return timezone.localtime(datetime.datetime.fromisoformat(iso)).strftime("%Y-%m-%d")


def _party_label(party: dict[str, Any]) -> str:
    """The Party's name in both languages, with "(under revision since <date>)" when its reply is reopened."""
    name = both(party["name_en"], party["name_fr"])
    if "under_revision_since" in party:
        name += f" ({LABELS['under_revision']} {_local_date(party['under_revision_since'])})"
    return name


def item_view(item: dict[str, Any]) -> dict[str, Any]:
    """One item ready to print: bilingual texts and a chart (SVG and its spec) per choice field."""
    view = copy.deepcopy(item)
    view["theme_label"] = both(item["theme"]["name_en"], item["theme"]["name_fr"])
    view["article_labels"] = [
        both(f"Article {a['number']} – {a['title_en']}", f"Article {a['number']} – {a['title_fr']}")
        for a in item["articles"]
    ]
    view["heading"] = f"{item['code']} – {view['theme_label']}"
    for field in view["fields"]:
        field["label"] = both(field["label_en"], field["label_fr"])
        for option in field.get("options", []):
            option["label"] = both(option["label_en"], option["label_fr"])
        if field["type"] in CHOICE_TYPES:
            spec = {
                "labels": tuple(option["label"] for option in field["options"]),
                "values": tuple(float(option["count"]) for option in field["options"]),
                "xlabel": PAIRS["number_of_parties"][0] + " / " + PAIRS["number_of_parties"][1],
                "title": f"{item['code']} – {field['label_en']}: {PAIRS['chart'][0]} / {PAIRS['chart'][1]}",
            }
            field["chart"] = spec
            field["svg"] = bar_chart_svg(
                labels=spec["labels"],
                values=spec["values"],
                xlabel=spec["xlabel"],
                prefix=f"chart-{field['id']}",
                title=spec["title"],
            )
        if field["type"] == "ranking":
            size = len(field["options"])
            field["ranks"] = list(range(1, size + 1))
    return view


class RenderCache:
    """Each item's printable view and HTML section, made once per batch of builds.

    An item appears in its article reports, its theme report and the overview; within one batch its figures
    are the same dict in every report (``item_figures`` is computed once), so its view (charts included) and its
    HTML section are made the first time and reused by the other reports.
    """

    def __init__(self) -> None:
        self.views: dict[int, dict[str, Any]] = {}
        self.sections: dict[int, SafeString] = {}

    def view(self, item: dict[str, Any]) -> dict[str, Any]:
        if item["id"] not in self.views:
            self.views[item["id"]] = item_view(item)
        return self.views[item["id"]]

    def section(self, item: dict[str, Any], labels: dict[str, str]) -> SafeString:
        if item["id"] not in self.sections:
            html = render_to_string("reports/_item_section.html", {"item": item, "L": labels})
            self.sections[item["id"]] = mark_safe(html)  # rendered by an autoescaped template
        return self.sections[item["id"]]


def document_view(
    data: dict[str, Any],
    *,
    title_en: str,
    title_fr: str,
    version: int | None = None,
    progress=None,
    cache: RenderCache | None = None,
) -> dict[str, Any]:
    """Everything the templates and writers print, item by item (``progress(done, total)`` after each)."""
    cache = cache or RenderCache()
    items = []
    total = len(data["items"])
    for index, item in enumerate(data["items"], start=1):
        items.append(cache.view(item))
        if progress is not None:
            progress(index, total)
    participation = data["participation"]
    matrix = data["matrix"]
    return {
        "L": LABELS,
        "title": both(title_en, title_fr),
        "title_en": title_en,
        "title_fr": title_fr,
        "version": version,
        "consultation_title": both(data["consultation"]["title_en"], data["consultation"]["title_fr"]),
        "cutoff": _local(data["cutoff"]),
        "last_submission": _local(data.get("last_submission")),
        "participation": {
            **participation,
            "replied_names": [_party_label(p) for p in participation["replied"]],
            "under_revision": [
                {"party": both(p["name_en"], p["name_fr"]), "since": _local_date(p["under_revision_since"])}
                for p in participation["replied"]
                if "under_revision_since" in p
            ],
            "not_replied_names": [both(p["name_en"], p["name_fr"]) for p in participation["not_replied"]],
        },
        "items": items,
        "matrix": {
            "columns": [f"{c['item']} {c['key']}" for c in matrix["columns"]],
            "rows": [
                {
                    "party": row["party"],
                    "cells": [
                        None if cell is None else {"label": cell[0], "colour": cell[1] % MATRIX_COLOURS}
                        for cell in row["cells"]
                    ],
                }
                for row in matrix["rows"]
            ],
        },
    }


def matrix_html(view: dict[str, Any]) -> SafeString:
    """The Party × closed-field table's head and body, written directly: on a large report it is most of the
    page's cells, and a template loop costs a variable lookup for each of them."""
    L = view["L"]
    matrix = view["matrix"]
    head = "".join(f'<th scope="col">{escape(column)}</th>' for column in matrix["columns"])
    rows = []
    for row in matrix["rows"]:
        cells = "".join(
            f'<td class="report-matrix__cell report-matrix__cell--{cell["colour"]}">{escape(cell["label"])}</td>'
            if cell
            else '<td class="report-matrix__cell">–</td>'
            for cell in row["cells"]
        )
        rows.append(f'<tr><th scope="row">{escape(row["party"])}</th>{cells}</tr>')
    return mark_safe(  # every text above is escaped
        f'<thead><tr><th scope="col">{escape(L["party"])}</th>{head}</tr></thead><tbody>{"".join(rows)}</tbody>'
    )


def render_html(view: dict[str, Any], cache: RenderCache | None = None) -> str:
    """The report body shown in the platform (charts inline, each with its data table beside it); each item's
    section comes from the batch's cache."""
    cache = cache or RenderCache()
    sections = [cache.section(item, view["L"]) for item in view["items"]]
    return render_to_string(
        "reports/document_body.html", {**view, "sections": sections, "matrix_html": matrix_html(view)}
    )


def render_pdf(view: dict[str, Any]) -> bytes:
    """A4 PDF typeset with Typst (``reports.pdf``): running header, page numbers and the data cut-off."""
    return report_pdf(view)


def render_docx(view: dict[str, Any]) -> bytes:
    """Word document (``reports.word``): real Heading 1–3 styles and PNG charts with their alt text."""
    return report_docx(view)


def render_xlsx(view: dict[str, Any]) -> bytes:
    """The workbook (``reports.xlsx``): a contents sheet, one sheet per table, a tidy sheet of every answer."""
    return report_xlsx(view)
