"""The spreadsheet shows readable option labels; the keys travel in a hidden column so the round trip is exact
whatever the language the file was written in. "Other (please specify)" texts get a row of their own."""

from __future__ import annotations

import pytest
from django.utils import translation

from consultation.models import Answer
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import offline_import_apply, offline_import_preview, offline_workbook_export
from tests import factories as f
from tests.consultation.offline_world import all_types_item, row_of, set_value, to_bytes, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(world):
    world.tech = all_types_item(world.consultation)
    measures = world.tech.fields.get(key="measures")
    f.OptionFactory(
        field=measures, key="other", label_en="Other (please specify)", label_fr="Autre (veuillez préciser)", order=9
    )
    measures.options.filter(key="other").update(needs_specification=True)
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.tech,
        data={"position": "partially", "measures": ["law", "other"], "measures:specify": "Codes of conduct"},
        base_version=0,
        user=world.member_a,
    )
    return response


def export(reply, language="en") -> bytes:
    with translation.override(language):
        document = reply_document_get(consultation=reply.consultation, party=reply.party, response=reply)
        return offline_workbook_export(document=document)


def test_labels_in_the_value_column_keys_in_the_hidden_column(reply):
    sheet = workbook(export(reply, "fr")).worksheets[0]
    row = row_of(sheet, "TECH-01", "measures")
    assert (sheet[f"I{row}"].value, sheet[f"K{row}"].value) == (
        "Legislation (fr); Autre (veuillez préciser)",
        "law; other",
    )
    assert sheet.column_dimensions["K"].hidden is True
    specify = row_of(sheet, "TECH-01", "measures:specify")
    assert specify == row + 1
    assert sheet[f"I{specify}"].value == "Codes of conduct"
    assert sheet[f"E{specify}"].value == "Mesures en vigueur – « Autre (veuillez préciser) » : à préciser"


def test_a_french_download_imported_in_english_changes_nothing(reply):
    content = export(reply, "fr")
    with translation.override("en"):
        preview = offline_import_preview(response=reply, content=content)
    assert (preview.errors, preview.changes) == ([], [])


def test_labels_chosen_in_either_language_or_keys_are_saved_as_keys_with_the_other_text(world, reply):
    book = workbook(export(reply))
    sheet = book.worksheets[0]
    set_value(sheet, "TECH-01", "position", "Non")  # the French label
    set_value(sheet, "TECH-01", "measures", "Training; Other (please specify)")
    set_value(sheet, "TECH-01", "measures:specify", "Industry codes of conduct")
    set_value(sheet, "TECH-01", "priorities", "Detection > prevention > Prosecution (fr)")

    preview = offline_import_preview(response=reply, content=to_bytes(book))
    assert preview.errors == []
    offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)

    assert Answer.objects.get(response=reply, item=world.tech).data == {
        "position": "no",
        "measures": ["training", "other"],
        "measures:specify": "Industry codes of conduct",
        "priorities": ["detection", "prevention", "prosecution"],
    }


def test_an_other_text_too_long_is_a_row_error(reply):
    book = workbook(export(reply))
    row = set_value(book.worksheets[0], "TECH-01", "measures:specify", "x" * 1001)

    preview = offline_import_preview(response=reply, content=to_bytes(book))

    assert [(e.row, e.column) for e in preview.errors] == [(row - 1, "Value")]
    assert "the limit is 1000" in preview.errors[0].message
