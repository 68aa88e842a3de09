"""The workbook read back with openpyxl and its XML: contents sheet, sheet names, frozen headers, filters, typed
numbers, percentage bases and units, question texts and article titles."""

from __future__ import annotations

import datetime
import io
import zipfile

import pytest
from openpyxl import load_workbook

from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now

pytestmark = pytest.mark.django_db


def build(dataset, text, **kwargs):
    scope = scope_parse(consultation=dataset.consultation, text=text)
    return report_build_now(consultation=dataset.consultation, scope=scope, **kwargs)


def rows_from(sheet, first_row):
    return [row for row in sheet.iter_rows(min_row=first_row, values_only=True) if any(v is not None for v in row)]


@pytest.fixture
def overview(dataset):
    run = build(dataset, "overview", formats=["xlsx"])
    assert run.status == "done", run.error
    data = run.version.edition("en", "xlsx").file.read()
    return load_workbook(io.BytesIO(data)), data


def test_contents_sheet_lists_every_sheet_with_a_link_and_what_it_holds(overview):
    workbook, _data = overview
    names = workbook.sheetnames
    assert names[0] == "Contents"
    contents = workbook["Contents"]
    header_row = next(row[0].row for row in contents.iter_rows() if row[0].value == "Sheet")
    listed = rows_from(contents, header_row + 1)
    assert [row[0] for row in listed] == names[1:]
    for offset, row in enumerate(listed):
        cell = contents.cell(row=header_row + 1 + offset, column=1)
        assert cell.hyperlink.location == f"'{row[0]}'!A1"
        assert row[1]  # what it holds
    counts = {row[0]: row[2] for row in listed}
    assert counts["GENAI-02 Position"] == 3
    assert counts["GENAI-02 Explanation"] == 6  # replying Parties
    assert contents.freeze_panes == f"A{header_row + 1}"


def test_every_sheet_is_named_by_code_and_label_frozen_filtered_and_sized(overview):
    workbook, _data = overview
    assert all(len(name) <= 31 for name in workbook.sheetnames)
    assert len({name.lower() for name in workbook.sheetnames}) == len(workbook.sheetnames)
    assert "GENAI-02 Position" in workbook.sheetnames
    assert "GENAI-01 Recorded cases" in workbook.sheetnames
    assert not any("_" in name for name in workbook.sheetnames)  # no internal field keys
    for sheet in workbook.worksheets:
        header = int(sheet.auto_filter.ref.split(":")[0][1:])
        assert sheet.freeze_panes == f"A{header + 1}", sheet.title
        assert sheet.column_dimensions["A"].width >= 8, sheet.title


def test_choice_sheet_has_typed_counts_percentages_and_their_base(overview, dataset):
    workbook, _data = overview
    sheet = workbook["GENAI-02 Position"]
    assert sheet["A1"].value == "GENAI-02 – Position"
    assert sheet["A2"].value == dataset.genai02.text_en  # the English edition
    assert sheet["B3"].value.startswith("Article 20 – Offences concerning child pornography")
    assert sheet.auto_filter.ref == "A5:E8"
    assert [c.value for c in sheet[5]] == [
        "Option",
        "Parties",
        "Replying Parties",
        "% of replying Parties",
        "Parties",
    ]
    assert rows_from(sheet, 6) == [
        ("Yes", 3, 6, 50, "Belgium, France, Germany"),
        ("Partially", 2, 6, 33.3, "Italy, Spain"),
        ("No", 1, 6, 16.7, "Netherlands"),
    ]
    assert [sheet.cell(row=6, column=c).data_type for c in (2, 3, 4)] == ["n", "n", "n"]


def test_ranking_and_number_sheets_carry_ranked_first_by_and_units(overview):
    workbook, _data = overview
    ranking = workbook["GENAI-01 Rank by severity"]
    header = [c.value for c in ranking[5]]
    assert header[-2:] == ["Ranked first by", "Replying Parties"]
    assert rows_from(ranking, 6)[0] == (
        "Offline CSEA",
        1.33,
        1,
        4,
        2,
        0,
        "Belgium, France, Italy, Netherlands",
        6,
    )
    numbers = workbook["GENAI-01 Recorded cases"]
    intro = {row[0]: row[1] for row in numbers.iter_rows(max_row=8, values_only=True)}
    assert intro["Total"] == 53.5
    assert intro["Parties reporting"] == 5
    assert [c.value for c in numbers[9]] == ["Party", "Value", "Unit"]
    assert rows_from(numbers, 10)[:3] == [("Belgium", 4, None), ("France", 12.5, None), ("Germany", 30, None)]
    assert numbers.cell(row=11, column=2).data_type == "n"


def test_items_sheet_holds_question_texts_and_article_titles(overview, dataset):
    workbook, _data = overview
    items = workbook["Items covered"]
    first = rows_from(items, 2)[0]
    assert first[0] == "GENAI-01"
    assert first[2] == dataset.genai01.text_en  # the English edition
    assert "Article 23 – Solicitation of children for sexual purposes" in first[3]
    assert first[4] == 6


def test_workbook_properties_and_xml(overview):
    workbook, data = overview
    assert workbook.properties.title.startswith("Overview")
    assert workbook.properties.language == "en-GB"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet7.xml").decode()
    assert '<pane ySplit="5" topLeftCell="A6" activePane="bottomLeft" state="frozen"/>' in sheet_xml
    assert '<autoFilter ref="A5:E8"/>' in sheet_xml


def test_all_answers_sheet_has_one_row_per_submitted_answered_field(overview, dataset):
    from django.db.models import Q

    from consultation.models import SubmittedChoice, SubmittedReference, SubmittedValue

    workbook, _data = overview
    assert workbook.sheetnames[-1] == "All answers"
    sheet = workbook["All answers"]
    assert [c.value for c in sheet[1]] == [
        "Party code",
        "Party",
        "Item",
        "Field key",
        "Field",
        "Value",
        "Language",
        "Submitted at",
    ]
    rows = rows_from(sheet, 2)
    scope = {"consultation": dataset.consultation}
    pairs = (
        SubmittedChoice.objects.filter(**scope)
        .values_list("party_id", "field_id")
        .union(
            SubmittedValue.objects.filter(**scope)
            .filter(Q(number__isnull=False) | ~Q(text=""))
            .values_list("party_id", "field_id"),
            SubmittedReference.objects.filter(**scope).values_list("party_id", "field_id"),
        )
    )
    # 6 Parties x 11 fields, less: no figure from NL, references from France only, explanations to GENAI-02 only
    assert len(rows) == pairs.count() == 6 * 11 - 1 - 5 - 3 * 6
    assert len({(r[0], r[2], r[3]) for r in rows}) == len(rows)
    assert [r[0] for r in rows[:8]] == ["BE"] * 7 + ["FR"]
    by_key = {(r[0], r[2], r[3]): r for r in rows}
    assert by_key[("BE", "GENAI-01", "impact_ranking")][5] == ("1. Offline CSEA; 2. Solicitation; 3. AI generated")
    assert by_key[("FR", "GENAI-01", "recorded_cases")][5] == 12.5
    assert (
        by_key[("FR", "GENAI-01", "legal_references")][5] == "Code pénal, art. 227-23 <https://www.legifrance.gouv.fr/>"
    )
    assert by_key[("FR", "GENAI-02", "explanation")][6] == "fr"
    assert by_key[("NL", "GENAI-02", "position")][5] == "No"
    assert all(isinstance(r[7], datetime.datetime) for r in rows)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:H{len(rows) + 1}"


def synthetic_view(language="en", **extra):
    return {
        "L": {key: key for key in _LABEL_KEYS},
        "language": language,
        "title": "Vue d'ensemble",
        "cutoff": "3 décembre 2026",
        "participation": {
            "replied": [{"name_en": "Belgium", "name_fr": "Belgique", "iso2": "BE", "submitted_at": None}],
            "replied_names": ["Belgique"],
            "not_replied_names": [],
            "under_revision": [],
            "replied_count": 1,
            "asked_count": 1,
        },
        "items": [],
        "matrix": {"columns": [], "rows": []},
        **extra,
    }


def test_french_edition_names_its_own_sheets_and_columns_in_french():
    from reports import xlsx

    workbook = load_workbook(io.BytesIO(xlsx.report_xlsx(synthetic_view("fr"))))
    assert workbook.sheetnames == ["Sommaire", "participation", "summary", "Toutes les réponses"]
    contents = workbook["Sommaire"]
    header = next(row for row in contents.iter_rows(values_only=True) if row[0] == "Feuille")
    assert header == ("Feuille", "Contenu", "Lignes")
    assert [c.value for c in workbook["Toutes les réponses"][1]][:1] == ["Code de la Partie"]
    assert workbook.properties.language == "fr-FR"


_LABEL_KEYS = (
    "participation party replied not_replied replying under_revision_note summary item theme articles cutoff"
    " cutoff_note value language matrix"
).split()


def test_tables_of_the_sections_other_apps_add_become_sheets_with_typed_figures():
    from reports import xlsx
    from reports.sections import Paragraph, Section, Table

    section = Section(
        key="comparisons",
        title="Coded comparisons",
        blocks=(Paragraph("Final coding of GENAI-02."),),
        subsections=(
            Section(
                key="genai-02",
                title="GENAI-02",
                blocks=(
                    Table(
                        caption="GENAI-02: Parties by code",
                        header=("Code", "Parties", "Share"),
                        rows=(("Criminalised", "4", "66.7"), ("=Not yet", "2", "n/a")),
                    ),
                ),
            ),
        ),
    )
    workbook = load_workbook(io.BytesIO(xlsx.report_xlsx(synthetic_view(extra_sections=[section]))))
    assert workbook.sheetnames[-2:] == ["GENAI-02 Parties by code", "All answers"]
    sheet = workbook["GENAI-02 Parties by code"]
    assert sheet["A1"].value == "GENAI-02"
    assert [c.value for c in sheet[3]] == ["Code", "Parties", "Share"]
    assert rows_from(sheet, 4) == [("Criminalised", 4, 66.7), ("=Not yet", 2, "n/a")]
    assert sheet["A5"].data_type == "s"
    assert sheet.freeze_panes == "A4"
    contents = {row[0]: row[1] for row in workbook["Contents"].iter_rows(values_only=True)}
    assert contents["GENAI-02 Parties by code"] == "GENAI-02 – GENAI-02: Parties by code"


def test_legal_reference_counts_are_sheets_of_the_workbook(overview):
    workbook, _data = overview
    by_instrument = workbook["Legal references by instrument"]
    assert [c.value for c in by_instrument[1]] == ["Instrument", "References", "Parties citing it", "Parties"]
    assert rows_from(by_instrument, 2) == [("Code pénal", 1, 1, "France")]
    assert "Legal references by instrument" in [row[0] for row in workbook["Contents"].iter_rows(values_only=True)]
