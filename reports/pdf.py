"""The comparative report as PDF: the document view turned into plain data for ``templates/reports/report.typ``.

Everything a reader sees is formatted here, with the same filters as the HTML body (percentages with one
decimal, ranks with two, "–" for what is missing), so the PDF prints the same figures as the page. The
template only lays the data out; texts are never parsed as markup (``consultation.typesetting``).
"""

from __future__ import annotations

import re
from typing import Any

from django.template.defaultfilters import floatformat

from consultation.typesetting import typeset_pdf

from .charts import BAR_HEIGHT, LABEL_WIDTH, LINE_HEIGHT, RIGHT, ROW_PADDING, TOP, WIDTH, layout
from .rendering import annex_title, section_view

CHOICE_TYPES = ("single_choice", "multiple_choice")
TEMPLATE = "reports/report.typ"
PRELUDE = "reports/_document.typ"


def _or_dash(value: Any) -> str:
    return str(value) if value not in (None, "", [], 0) else "–"


def _joined(names: list[str]) -> str:
    return ", ".join(names) or "–"


def chart_geometry(chart: dict[str, Any]) -> dict[str, Any]:
    """The bar chart's drawing in the units of ``reports.charts`` (640 wide), as the SVG draws it."""
    geometry = layout(tuple(chart["labels"]), tuple(chart["values"]), chart["xlabel"])
    rows = []
    for row in geometry.rows:
        middle = row.top + (row.height - ROW_PADDING) / 2
        rows.append(
            {
                "lines": list(row.lines),
                "middle": middle,
                "bar_top": middle - BAR_HEIGHT / 2,
                "bar_width": row.bar_width,
                "value": f"{row.value:g}",
            }
        )
    return {
        "width": WIDTH,
        "height": geometry.height,
        "top": TOP,
        "label_width": LABEL_WIDTH,
        "right": RIGHT,
        "line_height": LINE_HEIGHT,
        "bar_height": BAR_HEIGHT,
        "plot_left": geometry.plot_left,
        "plot_bottom": geometry.plot_bottom,
        "rows": rows,
        "ticks": [{"x": x, "text": text} for x, text in geometry.ticks],
        "xlabel": geometry.xlabel,
        "title": chart["title"],
    }


def _field(field: dict[str, Any], L: dict[str, str]) -> dict[str, Any]:
    kind = field["type"]
    out: dict[str, Any] = {
        "type": kind,
        "label": field["label"],
        "percent_label": field.get("percent_label", L["percent"]),
    }
    if kind in CHOICE_TYPES:
        out["chart"] = chart_geometry(field["chart"])
        out["caption"] = f"{field['chart']['title']} ({L['replying']}: {field['replying']})"
        # What a screen reader says for the drawing: its title and every bar's value (the table repeats them).
        out["alt"] = (
            f"{field['chart']['title']}. "
            + "; ".join(f"{o['label']}: {o['count']}" for o in field["options"])
            + f" ({L['number_of_parties']})."
        )
        out["rows"] = [
            [o["label"], str(o["count"]), f"{floatformat(o['percent'], 1)} %", _joined(o["parties"])]
            for o in field["options"]
        ]
    elif kind == "ranking":
        out["ranks"] = [f"{L['rank']} {rank}" for rank in field["ranks"]]
        out["rows"] = [
            [
                o["label"],
                _or_dash(floatformat(o["mean"], 2) if o["mean"] is not None else ""),
                _or_dash(floatformat(o["median"], 1) if o["median"] is not None else ""),
                *[str(n) for n in o["distribution"]],
                _joined(o["first"]),
            ]
            for o in field["options"]
        ]
    elif kind == "number":
        stats = field["stats"]
        out["value_heading"] = L["value"] + (f" ({field['unit']})" if field.get("unit") else "")
        out["stats"] = [
            [L["reporting"], str(stats["count"])],
            [L["total"], _or_dash(stats["total"])],
            [L["median"], _or_dash(stats["median"])],
            [L["minimum"], _or_dash(stats["min"])],
            [L["maximum"], _or_dash(stats["max"])],
        ]
        out["values"] = [[v["party"], str(v["value"])] for v in field["values"]]
    elif kind == "text":
        out["answers"] = [
            {
                "party": a["party"],
                "language": a["language"] or "en",
                "note": a.get("language_note", ""),
                "paragraphs": paragraphs(a["text"]),
            }
            for a in field["answers"]
        ]
    elif kind == "legal_references":
        out["rows"] = [[r["party"], r["instrument"], r["provision"], r["url"]] for r in field["references"]]
    return out


def paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (split on blank lines) of lines, as Django's ``linebreaks`` filter splits them."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return [block.split("\n") for block in re.split(r"\n{2,}", text) if block.strip()]


def pdf_data(view: dict[str, Any]) -> dict[str, Any]:
    """What ``report.typ`` prints, from ``reports.documents.document_view``."""
    L = view["L"]
    participation = view["participation"]
    return {
        "L": L,
        "language": view["language"],
        "title": view["title"],
        "meta": view["meta_labels"],
        "header": " – ".join(part for part in (view["meta_labels"]["symbol"], view["title"]) if part),
        "footer": " · ".join(
            part for part in (view["meta_labels"]["symbol"], f"{L['cutoff']}: {view['cutoff']}") if part
        ),
        "extra_sections": [section_view(section) for section in view.get("extra_sections", [])],
        "overview": view["overview"],
        "legal": view["legal"],
        "profiles": view["profiles"],
        "status": view["status"],
        "annex_profiles": annex_title(0, L["profiles"], view["language"]),
        "annex_status": annex_title(1, L["status_table"], view["language"]),
        "kicker": f"{L['committee']} · {view['consultation_title']}",
        "cutoff": view["cutoff"],
        "version": f" · {L['version']} {view['version']}" if view.get("version") else "",
        "participation": {
            "replied_count": participation["replied_count"],
            "asked_count": participation["asked_count"],
            "replied": _joined(participation["replied_names"]),
            "not_replied": _joined(participation["not_replied_names"]),
            "not_replied_count": len(participation["not_replied_names"]),
            "under_revision_label": L["under_revision"],
            "under_revision_note": L["under_revision_note"],
            "under_revision": [
                {"party": entry["party"], "since": entry["since"]} for entry in participation.get("under_revision", [])
            ],
        },
        "items": [
            {
                "code": item["code"],
                "heading": item["heading"],
                "theme_label": item["theme_label"],
                "article_numbers": ", ".join(str(a["number"]) for a in item["articles"]),
                "replying": str(item["replying"]),
                "replying_text": item.get("replying_text") or f"{L['replying']}: {item['replying']}",
                "text": item["text"],
                "article_labels": item["article_labels"],
                "articles": [{"label": a["label"], "text": a.get("text", "")} for a in item["articles"]],
                "attachments": [[a["party"], a["name"], a["size"]] for a in item.get("attachments", [])],
                "fields": [_field(field, L) for field in item["fields"]],
            }
            for item in view["items"]
        ],
    }


def report_pdf(view: dict[str, Any]) -> bytes:
    """A4 PDF typeset with Typst: running header, cut-off line and "n / N" in the footer, tagged structure."""
    return typeset_pdf(template=TEMPLATE, data=pdf_data(view), preludes=(PRELUDE,))
