"""The report's outputs, all written from the same aggregated figures (``ReportVersion.data``).

``document_view`` turns the figures into what documents print (bilingual headings, the local data
cut-off, one chart per choice field); ``render_html`` / ``render_pdf`` / ``render_docx`` /
``render_xlsx`` write it out. Nothing here queries the database.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from typing import Any

from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from .charts import bar_chart_svg
from .labels import NOT_ASKED, answered_of_asked, date_text, is_asked, labels
from .pdf import report_pdf
from .rendering import annex_title, section_view, sections_html
from .sections import DocumentMeta, section_from_data
from .word import report_docx
from .xlsx import report_xlsx

CHOICE_TYPES = ("single_choice", "multiple_choice")
MATRIX_COLOURS = 6
ProgressCallback = Callable[[int, int], None]


def _in(language: str, data: dict[str, Any], key: str) -> str:
    """``data[key_fr]`` in the French edition (falling back to English), ``data[key_en]`` otherwise."""
    return (data.get(f"{key}_{language}") or data.get(f"{key}_en") or "") if language != "en" else data[f"{key}_en"]


class _Names:
    """Party names in the edition's language: the figures name Parties in English (their sort key), the
    participation lists carry both names."""

    def __init__(self, data: dict[str, Any], language: str) -> None:
        participation = data["participation"]
        self.language = language
        self.names = {
            p["name_en"]: (p.get("name_fr") or p["name_en"])
            for p in participation["replied"] + participation["not_replied"]
        }

    def __call__(self, name_en: str) -> str:
        return name_en if self.language == "en" else self.names.get(name_en, name_en)

    def sorted(self, rows: list[Any], key: Any = None) -> list[Any]:
        """``rows`` in the alphabetical order of the edition's names (the figures list them in English order)."""
        if self.language == "en":
            return rows
        key = key or (lambda row: row)
        return sorted(rows, key=lambda row: collation_key(key(row)))


def file_size(size: int, language: str) -> str:
    """``840 B``, ``12.5 KB``, ``3.2 MB`` (``12,5 Ko`` in French)."""
    units = ("B", "KB", "MB", "GB") if language == "en" else ("o", "Ko", "Mo", "Go")
    value = float(size)
    unit = 0
    while value >= 1024 and unit < len(units) - 1:
        value /= 1024
        unit += 1
    text = f"{value:.0f}" if unit == 0 else f"{value:.1f}"
    if language != "en":
        text = text.replace(".", ",")
    return f"{text} {units[unit]}"


def collation_key(text: str) -> str:
    """Alphabetical order that ignores accents and case (Émirats between Égypte and Espagne)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def item_view(
    item: dict[str, Any], *, language: str = "en", names: Any = None, L: dict[str, str] | None = None
) -> dict:
    """One item ready to print in one edition: texts in ``language``, Party names in it, replies marked when
    written in the other language, and a chart (SVG and its spec) per choice field."""
    L = L or labels(language)
    names = names or _Names({"participation": {"replied": [], "not_replied": []}}, "en")
    view = copy.deepcopy(item)
    view["language"] = language
    view["theme_label"] = _in(language, item["theme"], "name")
    view["text"] = _in(language, item, "text")
    view["article_labels"] = [f"{L['article']} {a['number']} – {_in(language, a, 'title')}" for a in item["articles"]]
    for article in view["articles"]:
        article["title"] = _in(language, article, "title")
        article["label"] = f"{L['article']} {article['number']} – {article['title']}"
        article["text"] = _in(language, article, "text") if article.get("text_en") else ""
    view["heading"] = f"{item['code']} – {view['theme_label']}"
    view["answered_by"] = names.sorted([names(p) for p in item.get("answered_by", [])])
    restricted = "asked_parties" in item  # put to some Parties only: counted against those asked
    if restricted:
        view["asked_parties"] = names.sorted([names(p) for p in item["asked_parties"]])
        view["replying_text"] = answered_of_asked(item["replying"], item["asked"], language)
    else:
        view["replying_text"] = f"{L['replying']}: {item['replying']}"
    view["attachments"] = names.sorted(
        [
            {
                "party": names(a["party"]),
                "name": a["name"],
                "size": file_size(a["size"], language),
                "url": reverse("consultation:attachment_download", kwargs={"pk": a["id"]}) if a.get("id") else "",
            }
            for a in item.get("attachments", [])
        ],
        key=lambda a: a["party"],
    )
    for field in view["fields"]:
        field["label"] = _in(language, field, "label")
        for option in field.get("options", []):
            option["label"] = _in(language, option, "label")
            if "parties" in option:
                option["parties"] = names.sorted([names(p) for p in option["parties"]])
            if "first" in option:
                option["first"] = names.sorted([names(p) for p in option["first"]])
        for key in ("values", "references", "answers"):
            for row in field.get(key, []):
                row["party"] = names(row["party"])
            if key in field:
                field[key] = names.sorted(field[key], key=lambda row: row["party"])
        for ranking in field.get("orders", []):
            ranking["party"] = names(ranking["party"])
        for answer in field.get("answers", []):
            answer["party"] = names(answer["party"])
            written = answer.get("language") or "en"
            answer["language"] = written
            answer["language_note"] = "" if written == language else L.get(f"reply_in_{written}", L["reply_in_other"])
        if field["type"] in CHOICE_TYPES:
            # The base of the percentages: the Parties asked a restricted question, else those replying.
            field["percent_label"] = L["percent_asked"] if restricted else L["percent"]
            field["base_label"] = L["asked"] if restricted else L["replying"]
            field["base"] = item["asked"] if restricted else field["replying"]
            spec = {
                "labels": tuple(option["label"] for option in field["options"]),
                "values": tuple(float(option["count"]) for option in field["options"]),
                "xlabel": L["number_of_parties"],
                "title": f"{item['code']} – {field['label']}: {L['chart']}",
            }
            field["chart"] = spec
            field["svg"] = bar_chart_svg(
                labels=spec["labels"],
                values=spec["values"],
                xlabel=spec["xlabel"],
                prefix=f"chart-{language}-{field['id']}",
                title=spec["title"],
            )
        if field["type"] == "ranking":
            size = len(field["options"])
            field["ranks"] = list(range(1, size + 1))
    return view


class RenderCache:
    """Each item's printable view and HTML section per edition, made once per batch of builds.

    An item appears in its article reports, its theme report and the overview; within one batch its figures
    are the same dict in every report (``item_figures`` is computed once), so its view (charts included) and its
    HTML section are made the first time for each language and reused by the other reports.
    """

    def __init__(self) -> None:
        self.views: dict[tuple[str, int], dict[str, Any]] = {}
        self.sections: dict[tuple[str, int], SafeString] = {}

    def view(self, item: dict[str, Any], *, language: str = "en", names: Any = None, L: Any = None) -> dict:
        key = (language, item["id"])
        if key not in self.views:
            self.views[key] = item_view(item, language=language, names=names, L=L)
        return self.views[key]

    def section(self, item: dict[str, Any], labels: dict[str, str]) -> SafeString:
        key = (item.get("language", "en"), item["id"])
        if key not in self.sections:
            html = render_to_string("reports/_item_section.html", {"item": item, "L": labels})
            self.sections[key] = mark_safe(html)  # rendered by an autoescaped template
        return self.sections[key]


def _with_article_text(view: dict[str, Any], quoted: dict[str, Any], language: str) -> dict[str, Any]:
    """The item's view with the report's article quoted under its label (a copy: the cached view is shared by every
    report of the batch)."""
    articles = [
        {**a, "text": _in(language, quoted, "text")} if a["number"] == quoted["number"] else a for a in view["articles"]
    ]
    return {**view, "articles": articles}


def document_view(
    data: dict[str, Any],
    *,
    language: str = "en",
    meta: DocumentMeta | None = None,
    version: int | None = None,
    progress=None,
    cache: RenderCache | None = None,
    title_en: str | None = None,
    title_fr: str | None = None,
) -> dict[str, Any]:
    """Everything the templates and writers print for one edition (``language``), item by item
    (``progress(done, total)`` after each). ``data`` is a version's stored data; ``meta`` the version's cover
    (symbol, date, meeting, classification), its title defaulting to the scope's title in ``language``."""
    cache = cache or RenderCache()
    L = labels(language)
    names = _Names(data, language)
    title_en = title_en if title_en is not None else data.get("title_en", "")
    title_fr = title_fr if title_fr is not None else (data.get("title_fr") or title_en)
    title = title_fr if language == "fr" else title_en
    meta = meta or DocumentMeta(title=title, language=language)
    items = []
    total = len(data["items"])
    quoted = data.get("article_text")  # an article report quotes its article, where the Secretariat entered it
    for index, item in enumerate(data["items"], start=1):
        view = cache.view(item, language=language, names=names, L=L)
        if quoted:
            view = _with_article_text(view, quoted, language)
        items.append(view)
        if progress is not None:
            progress(index, total)
    participation = data["participation"]
    matrix = data["matrix"]
    consultation = data["consultation"]

    def party(p: dict[str, Any]) -> str:
        return (p.get("name_fr") or p["name_en"]) if language == "fr" else p["name_en"]

    def party_label(p: dict[str, Any]) -> str:
        name = party(p)
        if "under_revision_since" in p:
            name += f" ({L['under_revision']} {date_text(p['under_revision_since'], language)})"
        return name

    extra = (data.get("extra_sections") or {}).get(language, [])
    replied_names = [party(p) for p in names.sorted(participation["replied"], key=party)]
    return {
        "overview": overview_rows(items, L),
        "legal": legal_view(data.get("legal_references"), language=language, names=names),
        "profiles": profiles(items, replied_names, L),
        "status": status_table(items, replied_names, L),
        "L": L,
        "language": language,
        "meta": meta,
        "meta_labels": {
            "symbol": meta.symbol,
            "date": date_text(meta.date, language) if meta.date else "",
            "meeting": meta.meeting,
            "classification": L[meta.classification],
        },
        "title": title,
        "title_en": title_en,
        "title_fr": title_fr,
        "version": version,
        "consultation_title": _in(language, consultation, "title"),
        "cutoff": date_text(data["cutoff"], language, time=True),
        "last_submission": date_text(data.get("last_submission"), language, time=True),
        "participation": {
            **participation,
            "replied_names": [party_label(p) for p in names.sorted(participation["replied"], key=party)],
            "under_revision": [
                {"party": party(p), "since": date_text(p["under_revision_since"], language)}
                for p in participation["replied"]
                if "under_revision_since" in p
            ],
            "not_replied_names": names.sorted([party(p) for p in participation["not_replied"]]),
        },
        "items": items,
        "extra_sections": [section_from_data(raw) for raw in extra],
        "matrix": {
            "columns": [f"{c['item']} {c['key']}" for c in matrix["columns"]],
            "column_items": [c["item"] for c in matrix["columns"]],
            "rows": [
                {
                    "party": names(row["party"]),
                    "cells": [
                        None if cell is None else {"label": cell[0], "colour": cell[1] % MATRIX_COLOURS}
                        for cell in row["cells"]
                    ],
                }
                for row in names.sorted(matrix["rows"], key=lambda row: names(row["party"]))
            ],
        },
    }


def _first_choice_field(item: dict[str, Any]) -> dict[str, Any] | None:
    return next((f for f in item["fields"] if f["type"] == "single_choice"), None)


def overview_rows(items: list[dict[str, Any]], L: dict[str, str]) -> list[dict[str, Any]]:
    """The overview's facts per question: Parties replying, the spread of the first closed question's options,
    and the instruments the Parties cite most under it."""
    rows = []
    for item in items:
        field = _first_choice_field(item)
        positions = ""
        if field is not None and field.get("replying"):
            positions = "; ".join(
                f"{o['label']} {o['count']} ({floatformat(o['percent'], 1)} %)" for o in field["options"] if o["count"]
            )
        cited: dict[str, tuple[str, set[str]]] = {}
        for f in item["fields"]:
            for reference in f.get("references", []):
                key = " ".join(reference["instrument"].split()).casefold()
                text = " ".join(reference["instrument"].split())
                cited.setdefault(key, (text, set()))[1].add(reference["party"])
        top = sorted(cited.values(), key=lambda entry: (-len(entry[1]), entry[0].casefold()))[:3]
        rows.append(
            {
                "id": item["id"],
                "code": item["code"],
                "heading": item["heading"],
                "replying": item["replying"],
                "positions": positions or "–",
                "instruments": "; ".join(f"{text} ({len(parties)})" for text, parties in top) or "–",
            }
        )
    return rows


def legal_view(counts: dict[str, Any] | None, *, language: str, names: _Names) -> dict[str, list[dict[str, Any]]]:
    """Legal-reference counts in the edition's language (Party names, article titles)."""
    counts = counts or {"by_instrument": [], "by_article": []}
    L = labels(language)
    return {
        "by_instrument": [
            {
                "instrument": e["instrument"],
                "references": e["references"],
                "parties_count": len(e["parties"]),
                "parties": ", ".join(names.sorted([names(p) for p in e["parties"]])),
            }
            for e in counts["by_instrument"]
        ],
        "by_article": [
            {
                "number": e["number"],
                "label": f"{L['article']} {e['number']} – {_in(language, e, 'title')}",
                "references": e["references"],
                "parties_count": len(e["parties"]),
                "parties": ", ".join(names.sorted([names(p) for p in e["parties"]])),
            }
            for e in counts["by_article"]
        ],
    }


def _answer_lines(field: dict[str, Any], party: str, L: dict[str, str]) -> list[str] | None:
    """What ``party`` answered to ``field`` as printable lines (None when it gave nothing)."""
    kind = field["type"]
    if kind in CHOICE_TYPES:
        chosen = [o["label"] for o in field["options"] if party in o["parties"]]
        return ["; ".join(chosen)] if chosen else None
    if kind == "ranking":
        labels_by_key = {o["key"]: o["label"] for o in field["options"]}
        for ranking in field.get("orders", []):
            if ranking["party"] == party:
                return ["; ".join(f"{n}. {labels_by_key.get(k, k)}" for n, k in enumerate(ranking["options"], start=1))]
        return None
    if kind == "number":
        for row in field["values"]:
            if row["party"] == party:
                return [row["value"] + (f" {field['unit']}" if field.get("unit") else "")]
        return None
    if kind == "text":
        for answer in field["answers"]:
            if answer["party"] == party:
                note = f" ({answer['language_note']})" if answer.get("language_note") else ""
                return [answer["text"] + note] if note else [answer["text"]]
        return None
    if kind == "legal_references":
        lines = [
            ", ".join(part for part in (r["instrument"], r["provision"], r["url"]) if part)
            for r in field["references"]
            if r["party"] == party
        ]
        return lines or None
    return None


def profiles(items: list[dict[str, Any]], parties: list[str], L: dict[str, str]) -> list[dict[str, Any]]:
    """One profile per replying Party: every item put to it that it answered, in questionnaire order, with each
    field's answer (or "No answer.") and its attachments."""
    out = []
    for party in parties:
        entries = []
        for item in items:
            if party not in item["answered_by"] or not is_asked(item, party):
                continue
            fields = []
            for field in item["fields"]:
                lines = _answer_lines(field, party, L)
                fields.append({"label": field["label"], "lines": lines or [L["no_answer"]], "answered": bool(lines)})
            attachments = [f"{a['name']} ({a['size']})" for a in item["attachments"] if a["party"] == party]
            if attachments:
                fields.append({"label": L["attachments"], "lines": attachments, "answered": True})
            entries.append({"code": item["code"], "heading": item["heading"], "fields": fields})
        out.append({"party": party, "items": entries})
    return out


STATUS_COLUMNS_PER_TABLE = 10  # item columns per landscape A4 table, the Party column repeated


def status_table(items: list[dict[str, Any]], parties: list[str], L: dict[str, str]) -> dict[str, Any]:
    """Party × item: the option each Party chose in the item's first closed question, "✓" for an answer without
    one, "–" for none, "—" where the question was not put to the Party (with its legend line); split in slices of
    ``STATUS_COLUMNS_PER_TABLE`` items so each fits a landscape page."""
    columns = [item["code"] for item in items]
    rows = []
    for party in parties:
        cells = []
        for item in items:
            if not is_asked(item, party):
                cells.append(NOT_ASKED)
                continue
            if party not in item["answered_by"]:
                cells.append("–")
                continue
            field = _first_choice_field(item)
            chosen = [o["label"] for o in field["options"] if party in o["parties"]] if field else []
            cells.append("; ".join(chosen) or "✓")
        rows.append({"party": party, "cells": cells})
    chunks = [
        list(range(start, min(start + STATUS_COLUMNS_PER_TABLE, len(columns))))
        for start in range(0, len(columns), STATUS_COLUMNS_PER_TABLE)
    ]
    restricted = any("asked_parties" in item for item in items)
    return {"columns": columns, "rows": rows, "chunks": chunks, "legend": L["not_asked_legend"] if restricted else ""}


def render_html(view: dict[str, Any], cache: RenderCache | None = None) -> str:
    """The report body shown in the platform (charts inline, each with its data table beside it); each item's
    section comes from the batch's cache."""
    cache = cache or RenderCache()
    sections = [cache.section(item, view["L"]) for item in view["items"]]
    extra = [section_view(section) for section in view.get("extra_sections", [])]
    return render_to_string(
        "reports/document_body.html",
        {
            **view,
            "sections": sections,
            "extra_html": [mark_safe(html) for html in sections_html(extra)],  # autoescaped template
            "annex_profiles": annex_title(0, view["L"]["profiles"], view["language"]),
            "annex_status": annex_title(1, view["L"]["status_table"], view["language"]),
        },
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
