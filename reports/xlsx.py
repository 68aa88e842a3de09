"""The report as an Excel workbook, written from the same view as every other format (``documents.document_view``).

What an analyst expects of it: a contents sheet first (each sheet's name, what it holds, a link to it); sheets
named by item code and field label; on every sheet a title, the question, the header row frozen with a filter on
it and columns wide enough to read; numbers stored as numbers, the base of every percentage (the replying Parties)
and the unit in columns of their own; and one tidy "all answers" sheet (one row per Party, item and field) to
pivot. Texts are stored as text cells, never formulas.

Written in openpyxl's write-only mode: rows stream to the file instead of building a cell object per value, which
keeps a workbook of tens of thousands of answers fast and flat in memory.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .labels import NOT_ASKED, is_asked
from .sections import Paragraph, Section, Table
from .word import LANGUAGE_TAGS, xml_text

CHOICE_TYPES = ("single_choice", "multiple_choice")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MIN_WIDTH, MAX_WIDTH = 8, 60
WIDTH_SAMPLE = 300  # rows looked at to size a column
HEADER_FILL = "D9E2F3"


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet name of at most 31 characters."""
    base = _SHEET_FORBIDDEN.sub(" ", name).strip().strip("'")[:31].strip() or "Sheet"
    title, counter = base, 2
    while title.lower() in used:
        suffix = f" ({counter})"
        title = base[: 31 - len(suffix)].rstrip() + suffix
        counter += 1
    used.add(title.lower())
    return title


def row_cells(worksheet: Any, values: Sequence[Any]) -> list[Any]:
    """One row's values; every text is stored as a text cell, never a formula.

    openpyxl would turn a text beginning with ``=`` into a formula. Such cells (and every text a spreadsheet
    could evaluate once someone edits it: ``+``, ``-``, ``@``) are typed as text and carry the "quote prefix"
    style, so Excel and LibreOffice show the text as typed and never evaluate it; nothing is added to the text.
    Only those cells cost a cell object; the others are written as plain values.
    """
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            value = xml_text(value)  # what XML (a cell) can hold
            if value.startswith(_FORMULA_START):
                cell = WriteOnlyCell(worksheet, value)
                cell.data_type = "s"
                cell.quotePrefix = True
                value = cell
        row.append(value)
    return row


def append_row(worksheet: Any, values: Sequence[Any]) -> None:
    worksheet.append(row_cells(worksheet, values))


def number(value: Any) -> int | float | None:
    """A figure as stored in the view (``"12.5"``, ``"4"``, ``None``) as a number the spreadsheet can sum."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float):
        return value
    try:
        decimal = Decimal(str(value))
    except InvalidOperation:
        return None
    return int(decimal) if decimal == decimal.to_integral_value() else float(decimal)


@dataclass
class Sheet:
    """One table of the workbook: title lines above it, a header row and its rows."""

    name: str
    holds: str
    header: list[str]
    rows: list[Sequence[Any]]
    intro: list[Sequence[Any]] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)  # column index → width, where the sample would mislead


def _widths(sheet: Sheet) -> list[float]:
    widths = []
    for index, heading in enumerate(sheet.header):
        if index in sheet.widths:
            widths.append(sheet.widths[index])
            continue
        longest = len(str(heading))
        for row in sheet.rows[:WIDTH_SAMPLE]:
            if index < len(row) and row[index] is not None:
                text = str(row[index])
                longest = max(longest, max((len(line) for line in text.split("\n")), default=0))
        widths.append(max(MIN_WIDTH, min(MAX_WIDTH, longest + 2)))
    return widths


def _write(workbook: Any, title: str, sheet: Sheet, *, index: int | None = None, links: bool = False) -> None:
    """``sheet`` as a worksheet: title lines, the header row (frozen, filtered), the rows; with ``links`` the
    first column holds sheet names, each a link to that sheet."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.hyperlink import Hyperlink

    worksheet = workbook.create_sheet(title, index)
    columns = max(1, len(sheet.header))
    for column, width in enumerate(_widths(sheet), start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    header_row = len(sheet.intro) + 1
    worksheet.freeze_panes = f"A{header_row + 1}"
    worksheet.auto_filter.ref = f"A{header_row}:{get_column_letter(columns)}{header_row + len(sheet.rows)}"
    for line_number, line in enumerate(sheet.intro):
        values = row_cells(worksheet, line)
        if line_number == 0 and values:
            first = WriteOnlyCell(worksheet, values[0])
            first.font = Font(bold=True, size=12)
            values[0] = first
        worksheet.append(values)
    bold, fill, wrap = Font(bold=True), PatternFill("solid", fgColor=HEADER_FILL), Alignment(wrap_text=True)
    head = []
    for text in sheet.header:
        cell = WriteOnlyCell(worksheet, xml_text(text))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    worksheet.append(head)
    link_font = Font(color="0B3D91", underline="single")
    for offset, values in enumerate(sheet.rows):
        cells = row_cells(worksheet, values)
        if links:
            name = str(values[0])
            link = WriteOnlyCell(worksheet, name)
            target = "'" + name.replace("'", "''") + "'!A1"
            link.hyperlink = Hyperlink(ref=f"A{header_row + 1 + offset}", location=target, display=name)
            link.font = link_font
            cells[0] = link
        worksheet.append(cells)


def _write_contents(workbook: Any, title: str, view: dict[str, Any], sheets: list[tuple[str, Sheet]]) -> None:
    """The first sheet: the report's title and metadata, then one row per sheet with a link to it."""
    L = view["L"]
    meta = view.get("meta")
    intro: list[list[Any]] = [[view["title"]]]
    if view.get("consultation_title"):
        intro.append([view["consultation_title"]])
    if meta is not None and getattr(meta, "symbol", ""):
        intro.append([_("Symbol"), meta.symbol])
    intro.append([L["cutoff"], view["cutoff"]])
    intro.append([L["cutoff_note"]])
    contents = Sheet(
        name=title,
        holds="",
        header=[_("Sheet"), _("What it holds"), _("Rows")],
        rows=[[name, sheet.holds, len(sheet.rows)] for name, sheet in sheets],
        intro=intro,
        widths={0: 32, 1: 70},
    )
    _write(workbook, title, contents, index=0, links=True)


# --- what the report holds, sheet by sheet -------------------------------------------------------------------


def _item_text(item: dict[str, Any]) -> str:
    if "text" in item:
        return item["text"]
    return item["text_en"] if item["text_fr"] == item["text_en"] else f"{item['text_en']}\n{item['text_fr']}"


def _field_intro(item: dict[str, Any], fld: dict[str, Any], L: dict[str, str]) -> list[Sequence[Any]]:
    return [
        [f"{item['code']} – {fld['label']}"],
        [_item_text(item)],
        [L["articles"], "; ".join(item["article_labels"]) or "–"],
    ]


def _field_sheet(item: dict[str, Any], fld: dict[str, Any], L: dict[str, str]) -> Sheet | None:
    kind = fld["type"]
    name = f"{item['code']} {fld['label']}"
    intro = _field_intro(item, fld, L)
    replying = fld.get("replying")
    if kind in CHOICE_TYPES:
        # The base column: the Parties asked a question put to some Parties only, else the replying Parties.
        base = fld.get("base", replying)
        asked = [[item["replying_text"]], [L["asked"], item["asked"]]] if "asked_parties" in item else []
        return Sheet(
            name=name,
            holds=_("Replies per option to %(item)s – %(field)s") % {"item": item["code"], "field": fld["label"]},
            header=[
                L["option"],
                L["count"],
                fld.get("base_label", L["replying"]),
                fld.get("percent_label", L["percent"]),
                L["parties"],
            ],
            rows=[
                [o["label"], o["count"], base, number(o["percent"]), ", ".join(o["parties"])] for o in fld["options"]
            ],
            intro=[*intro, [L["replying"], replying], *asked],
        )
    if kind == "ranking":
        return Sheet(
            name=name,
            holds=_("Ranks given to the options of %(item)s – %(field)s")
            % {"item": item["code"], "field": fld["label"]},
            header=[
                L["option"],
                L["mean_rank"],
                L["median_rank"],
                *[f"{L['rank']} {rank}" for rank in fld["ranks"]],
                L["ranked_first"],
                L["replying"],
            ],
            rows=[
                [o["label"], o["mean"], o["median"], *o["distribution"], ", ".join(o["first"]), replying]
                for o in fld["options"]
            ],
            intro=[*intro, [L["replying"], replying]],
        )
    if kind == "number":
        stats = fld["stats"]
        unit = fld.get("unit") or ""
        return Sheet(
            name=name,
            holds=_("Figures given for %(item)s – %(field)s") % {"item": item["code"], "field": fld["label"]},
            header=[L["party"], L["value"], _("Unit")],
            rows=[[v["party"], number(v["value"]), unit] for v in fld["values"]],
            intro=[
                *intro,
                [L["reporting"], stats["count"]],
                [L["total"], number(stats["total"]), unit],
                [L["median"], number(stats["median"]), unit],
                [L["minimum"], number(stats["min"]), unit],
                [L["maximum"], number(stats["max"]), unit],
            ],
        )
    if kind == "text":
        return Sheet(
            name=name,
            holds=_("Every reply to %(item)s – %(field)s, in full") % {"item": item["code"], "field": fld["label"]},
            header=[L["party"], L["language"], L["compilation"]],
            rows=[[a["party"], a["language"], a["text"]] for a in fld["answers"]],
            intro=intro,
            widths={2: 100},
        )
    if kind == "legal_references":
        return Sheet(
            name=name,
            holds=_("Legal references cited for %(item)s – %(field)s") % {"item": item["code"], "field": fld["label"]},
            header=[L["party"], L["instrument"], L["provision"], L["link"]],
            rows=[[r["party"], r["instrument"], r["provision"], r["url"]] for r in fld["references"]],
            intro=intro,
        )
    return None


def _submitted_at(iso: str | None) -> datetime.datetime | None:
    """A submission time as the spreadsheet's date type: local time, without a zone (Excel has none)."""
    if not iso:
        return None
    return timezone.localtime(datetime.datetime.fromisoformat(iso)).replace(tzinfo=None, microsecond=0)


def _answers_by_party(fld: dict[str, Any]) -> dict[str, tuple[Any, str]]:
    """One field's answers as ``{Party name: (value, language)}``, from the field's figures."""
    kind = fld["type"]
    answers: dict[str, tuple[Any, str]] = {}
    if kind in CHOICE_TYPES:
        chosen: dict[str, list[str]] = {}
        for option in fld["options"]:  # in the questionnaire's option order
            for party in option["parties"]:
                chosen.setdefault(party, []).append(option["label"])
        answers = {party: ("; ".join(labels), "") for party, labels in chosen.items()}
    elif kind == "ranking":
        labels = {option["key"]: option["label"] for option in fld["options"]}
        for order in fld.get("orders", []):
            text = "; ".join(f"{rank}. {labels[key]}" for rank, key in enumerate(order["options"], start=1))
            answers[order["party"]] = (text, "")
    elif kind == "number":
        answers = {v["party"]: (number(v["value"]), "") for v in fld["values"]}
    elif kind == "text":
        answers = {a["party"]: (a["text"], a.get("language") or "") for a in fld["answers"]}
    elif kind == "legal_references":
        cited: dict[str, list[str]] = {}
        for r in fld["references"]:
            text = ", ".join(part for part in (r["instrument"], r["provision"]) if part)
            cited.setdefault(r["party"], []).append(f"{text} <{r['url']}>" if r["url"] else text)
        answers = {party: ("; ".join(texts), "") for party, texts in cited.items()}
    return answers


def _collation(text: str) -> str:
    """Alphabetical order that ignores accents and case (Émirats between Égypte and Espagne)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def tidy_sheet(view: dict[str, Any]) -> Sheet:
    """Every submitted answer, one row per Party, item and field (Parties in the edition's alphabetical order,
    then the questionnaire's): the long table analysts pivot. Built from the fields' figures, which name each
    Party (in English, or in the edition's language once the view translated them) next to its answer."""
    L = view["L"]
    french = view.get("language", "en") == "fr"
    entries: dict[str, dict[str, Any]] = {}
    for party in view["participation"]["replied"]:
        entries.setdefault(party["name_en"], party)
        entries.setdefault(party.get("name_fr") or party["name_en"], party)

    def edition_name(entry: dict[str, Any], fallback: str) -> str:
        return (entry.get("name_fr") if french else entry.get("name_en")) or fallback

    collected: list[tuple[str, int, list[Any]]] = []
    position = 0
    for item in view["items"]:
        for fld in item["fields"]:
            position += 1
            for party, (value, written) in _answers_by_party(fld).items():
                entry = entries.get(party, {})
                name = edition_name(entry, party)
                row = [
                    entry.get("iso2", ""),
                    name,
                    item["code"],
                    fld["key"],
                    fld["label"],
                    value,
                    written,
                    _submitted_at(entry.get("submitted_at")),
                ]
                collected.append((_collation(name), position, row))
    collected.sort(key=lambda row: (row[0], row[1]))
    return Sheet(
        name=_("All answers"),
        holds=_("Every submitted answer, one row per Party, item and field"),
        header=[
            _("Party code"),
            L["party"],
            L["item"],
            _("Field key"),
            _("Field"),
            L["value"],
            L["language"],
            _("Submitted at"),
        ],
        rows=[row for _name, _position, row in collected],
        widths={5: 80, 7: 18},
    )


_NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")


def _cell_value(text: str) -> Any:
    """A section table's cell: a plain figure ("12", "33.3") as a number, any other text as it is."""
    return number(text) if _NUMBER_TEXT.fullmatch(text) else text


def section_sheets(sections: Sequence[Section]) -> list[Sheet]:
    """Every table of the sections other apps add to the report (``reports.sections``), a sheet each, named by
    its caption; the section's paragraphs are the lines above it."""
    sheets: list[Sheet] = []

    def walk(section: Section) -> None:
        notes = [[block.text] for block in section.blocks if isinstance(block, Paragraph)][:3]
        for block in section.blocks:
            if isinstance(block, Table):
                title = block.caption or section.title
                sheets.append(
                    Sheet(
                        name=" ".join(_SHEET_FORBIDDEN.sub(" ", title).split()),  # "GENAI-02: x" → "GENAI-02 x"
                        holds=f"{section.title} – {block.caption}" if block.caption else section.title,
                        header=list(block.header),
                        rows=[[_cell_value(cell) for cell in row] for row in block.rows],
                        intro=[[section.title], *([[block.caption]] if block.caption else []), *notes],
                    )
                )
        for subsection in section.subsections:
            walk(subsection)

    for section in sections:
        walk(section)
    return sheets


def report_sheets(view: dict[str, Any]) -> list[Sheet]:
    """The workbook's tables in order (the contents sheet is made from them)."""
    L = view["L"]
    participation = view["participation"]
    sheets = [
        Sheet(
            name=L["participation"],
            holds=_("The Parties that replied and those that did not"),
            header=[L["party"], L["participation"]],
            rows=[[name, L["replied"]] for name in participation["replied_names"]]
            + [[name, L["not_replied"]] for name in participation["not_replied_names"]],
            intro=[
                [f"{view['title']} – {L['cutoff']}: {view['cutoff']}"],
                [L["replying"], participation["replied_count"], participation["asked_count"]],
                *([[L["under_revision_note"]]] if participation["under_revision"] else []),
            ],
        ),
        Sheet(
            name=L["summary"],
            holds=_("The items covered: theme, question, articles of the Convention, replying Parties"),
            header=[L["item"], L["theme"], _("Question"), L["articles"], L["replying"]],
            rows=[
                [i["code"], i["theme_label"], _item_text(i), "; ".join(i["article_labels"]), i["replying"]]
                for i in view["items"]
            ],
            widths={2: 80},
        ),
    ]
    for item in view["items"]:
        for fld in item["fields"]:
            sheet = _field_sheet(item, fld, L)
            if sheet is not None:
                sheets.append(sheet)
    if view["matrix"]["columns"]:
        by_code = {item["code"]: item for item in view["items"]}
        column_items = [by_code.get(code) for code in view["matrix"].get("column_items", [])]

        def matrix_cell(row: dict[str, Any], index: int, cell: dict[str, Any] | None) -> str:
            """The Party's choice, "—" where the question was not put to it (as in Annex II), else empty."""
            if cell:
                return str(cell["label"])
            item = column_items[index] if index < len(column_items) else None
            return NOT_ASKED if item is not None and not is_asked(item, row["party"]) else ""

        sheets.append(
            Sheet(
                name=L["matrix"],
                holds=_("Each Party's choice for every closed question"),
                header=[L["party"], *view["matrix"]["columns"]],
                rows=[
                    [row["party"], *[matrix_cell(row, index, c) for index, c in enumerate(row["cells"])]]
                    for row in view["matrix"]["rows"]
                ],
            )
        )
    status = view.get("status")
    if status and status["columns"]:  # Annex II: the replies at a glance
        sheets.append(
            Sheet(
                name=L["status_table"],
                holds=L["status_table"],
                header=[L["party"], *status["columns"]],
                rows=[[row["party"], *row["cells"]] for row in status["rows"]],
                intro=[[L["status_note"]], *([[status["legend"]]] if status.get("legend") else [])],
            )
        )
    legal = view.get("legal") or {}
    if legal.get("by_instrument"):
        sheets.append(
            Sheet(
                name=L["references_by_instrument"],
                holds=L["references_by_instrument"],
                header=[L["instrument"], L["references"], L["citing_parties"], L["parties"]],
                rows=[
                    [e["instrument"], e["references"], e["parties_count"], e["parties"]] for e in legal["by_instrument"]
                ],
            )
        )
    if legal.get("by_article"):
        sheets.append(
            Sheet(
                name=L["references_by_article"],
                holds=L["references_by_article"],
                header=[L["article"], L["articles"], L["references"], L["citing_parties"], L["parties"]],
                rows=[
                    [e["number"], e["label"], e["references"], e["parties_count"], e["parties"]]
                    for e in legal["by_article"]
                ],
            )
        )
    attachments = [(item["code"], a) for item in view["items"] for a in item.get("attachments", [])]
    if attachments:
        sheets.append(
            Sheet(
                name=L["attachments"],
                holds=L["attachments"],
                header=[L["item"], L["party"], L["file"], L["size"], L["link"]],
                rows=[[code, a["party"], a["name"], a["size"], a["url"]] for code, a in attachments],
            )
        )
    sheets.extend(section_sheets(view.get("extra_sections", ())))
    sheets.append(tidy_sheet(view))
    return sheets


def report_xlsx(view: dict[str, Any]) -> bytes:
    """The workbook as bytes: contents, participation, items, one sheet per field, the matrix."""
    from openpyxl import Workbook

    language = view.get("language", "en")
    with translation.override(language):
        sheets = report_sheets(view)
        workbook = Workbook(write_only=True)
        used: set[str] = set()
        contents_title = sheet_title(_("Contents"), used)
        named = [(sheet_title(sheet.name, used), sheet) for sheet in sheets]
        for title, sheet in named:
            _write(workbook, title, sheet)
        _write_contents(workbook, contents_title, view, named)
        properties = workbook.properties
        properties.title = xml_text(view["title"])[:255]
        properties.language = LANGUAGE_TAGS.get(language, language)
        properties.creator = _("Lanzarote Committee")
        meta = view.get("meta")
        if meta is not None and getattr(meta, "symbol", ""):
            properties.subject = meta.symbol
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
