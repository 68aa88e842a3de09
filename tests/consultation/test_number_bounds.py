"""Number fields carry their bounds and precision (lowest, highest value, decimal places): 1e-400 was stored as a
400-digit number and a count accepted -3. Refused with a clear message in autosave, section save, restore and the
Excel import (422, nothing written); the 2024 consultation's counts are whole numbers, 0 or more."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from consultation.answer_values import AnswerInvalid, number_rule
from consultation.loader import background_paper_load, consultation_file_validate
from consultation.models import Answer, AnswerRevision, AnswerValue, Field
from consultation.selectors.offline import reply_document_get
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.offline import offline_import_preview, offline_workbook_export
from tests import factories as f
from tests.consultation.offline_world import set_value, to_bytes, workbook

pytestmark = pytest.mark.django_db

NOT_WHOLE = "“{}” is not a whole number: this field counts something."
NEGATIVE = "“{}” is below 0: this field counts or measures something, so it cannot be negative."


@pytest.fixture
def item(world):
    """An item with a count (0 or more, whole), a share (0 to 100, one decimal) and an unbounded balance."""
    item = f.ItemFactory(consultation=world.consultation, theme=world.items[0].theme, code="STAT-01", order=9)
    f.FieldFactory(item=item, key="cases", type="number", order=1, min_value=0, decimal_places=0, label_en="Cases")
    f.FieldFactory(
        item=item, key="share", type="number", order=2, min_value=0, max_value=100, decimal_places=1, label_en="Share"
    )
    f.FieldFactory(item=item, key="balance", type="number", order=3, min_value=-10, label_en="Balance")
    f.FieldFactory(item=item, key="free", type="number", order=4, label_en="Free")
    return item


@pytest.fixture
def reply(world):
    return response_get_or_create(consultation=world.consultation, party=world.party_a)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("cases", "1e-400", NOT_WHOLE.format("1e-400")),
        ("cases", "2.5", NOT_WHOLE.format("2.5")),
        ("cases", "-3", NEGATIVE.format("-3")),
        ("share", "100.5", "“100.5” is above 100, the highest value accepted here."),
        ("share", "12.25", "“12.25” has more than 1 decimal places: round it to 1 at most."),
        ("share", "-0.1", NEGATIVE.format("-0.1")),
        ("balance", "-10.5", "“-10.5” is below -10, the lowest value accepted here."),
        ("free", "1e-400", "“1e-400” has more than 4 decimal places: round it to 4 at most."),
        ("free", "-1e16", "“-1e16” is not a number in range."),
    ],
)
def test_a_number_outside_its_fields_bounds_is_refused_by_name(world, item, reply, key, value, message):
    with pytest.raises(AnswerInvalid) as refused:
        answer_save(response=reply, item=item, data={key: value}, base_version=0, user=world.member_a)
    assert refused.value.errors == {key: message}
    assert not AnswerValue.objects.exists()


@pytest.mark.parametrize(
    ("key", "value", "stored"),
    [
        ("cases", "1 204", "1204"),
        ("cases", "0", "0"),
        ("cases", "12.0", "12"),
        ("share", "100", "100"),
        ("share", "37,5", "37.5"),
        ("balance", "-10", "-10"),
        ("free", "-3.25", "-3.25"),
    ],
)
def test_a_number_within_its_fields_bounds_is_stored_exactly(world, item, reply, key, value, stored):
    answer = answer_save(response=reply, item=item, data={key: value}, base_version=0, user=world.member_a)
    assert answer.data == {key: stored}
    assert AnswerValue.objects.get(answer=answer).number == Decimal(stored)


def test_each_field_says_what_it_accepts(item):
    fields = {fld.key: fld for fld in item.fields.all()}
    assert number_rule(fields["cases"]) == "A whole number, 0 or more."
    assert number_rule(fields["share"]) == "A number with up to 1 decimal places from 0 to 100."
    assert number_rule(fields["balance"]) == "A number with up to 4 decimal places, -10 or more."
    assert number_rule(fields["free"]) == "A number with up to 4 decimal places."


def test_a_field_whose_lowest_value_is_above_its_highest_is_refused(item):
    share = item.fields.get(key="share")
    share.min_value, share.max_value = Decimal(50), Decimal(10)
    with pytest.raises(ValidationError) as refused:
        share.full_clean()
    assert refused.value.message_dict["max_value"] == ["The highest value must not be below the lowest."]


def autosave(client, world, item, data, base_version="0"):
    url = reverse("consultation:answer_save", args=[world.consultation.slug, item.code])
    return client.post(url, {"base_version": base_version, **data}, HTTP_HX_REQUEST="true")


def test_autosave_refuses_1e_400_in_a_count_with_422_and_the_message(client, world, item):
    client.force_login(world.member_a)
    response = autosave(client, world, item, {"f-cases": "1e-400"})
    assert response.status_code == 422
    assert NOT_WHOLE.format("1e-400") in response.content.decode()
    assert not Answer.objects.exists()


def test_a_section_save_with_a_negative_count_saves_nothing_and_answers_422(client, world, item):
    client.force_login(world.member_a)
    genai = world.items[0]
    posted = {
        f"i{genai.pk}-base_version": "0",
        f"i{genai.pk}-f-position": "yes",
        f"i{item.pk}-base_version": "0",
        f"i{item.pk}-f-cases": "-3",
    }
    response = client.post(reverse("consultation:section_save", args=[world.consultation.slug]), posted)
    assert response.status_code == 422
    assert NEGATIVE.format("-3") in response.content.decode()
    assert not Answer.objects.exists()


def test_restoring_a_version_out_of_the_fields_bounds_answers_422(client, world, item, reply):
    """A version saved before the field had its bounds is refused on restore, not written back."""
    client.force_login(world.member_a)
    answer = answer_save(response=reply, item=item, data={"cases": "4"}, base_version=0, user=world.member_a)
    answer_save(response=reply, item=item, data={"cases": "5"}, base_version=1, user=world.member_a)
    AnswerRevision.objects.filter(answer=answer, version=1).update(data={"cases": "1e-400"})
    url = reverse("consultation:answer_restore", args=[world.consultation.slug, item.code, 1])
    response = client.post(url, {"base_version": "2"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Not restored:" in html
    assert NOT_WHOLE.format("1e-400") in html
    answer.refresh_from_db()
    assert (answer.version, answer.data) == (2, {"cases": "5"})


def test_the_excel_import_names_the_row_of_a_number_out_of_bounds_and_writes_nothing(world, item, reply):
    answer_save(response=reply, item=item, data={"cases": "4"}, base_version=0, user=world.member_a)
    document = reply_document_get(consultation=reply.consultation, party=reply.party, response=reply)
    book = workbook(offline_workbook_export(document=document))
    row = set_value(book.worksheets[0], "STAT-01", "cases", "1e-400")
    share_row = set_value(book.worksheets[0], "STAT-01", "share", 250)
    preview = offline_import_preview(response=reply, content=to_bytes(book), filename="stats.xlsx")
    assert sorted((e.row, e.column, e.message) for e in preview.errors) == sorted(
        [
            (row, "Value", NOT_WHOLE.format("1e-400")),
            (share_row, "Value", "“250” is above 100, the highest value accepted here."),
        ]
    )
    assert preview.changes == []


def test_the_reply_page_tells_what_a_count_accepts(client, world, item):
    client.force_login(world.member_a)
    html = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert "A whole number, 0 or more." in html
    assert 'inputmode="numeric"' in html


def test_the_2024_consultation_counts_are_whole_numbers_0_or_more():
    background_paper_load()
    counts = Field.objects.filter(type="number").order_by("item__code")
    assert [(fld.item.code, fld.key, fld.min_value, fld.max_value, fld.decimal_places) for fld in counts] == [
        ("GENAI-03", "recorded_cases", Decimal(0), None, 0),
        ("ML-01", "reports_received", Decimal(0), None, 0),
    ]


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        ({"type": "text", "min": 0}, "item X-01, field f: a text field takes no min"),
        ({"type": "number", "min": "zero"}, "item X-01, field f: min must be a number"),
        ({"type": "number", "min": 10, "max": 5}, "item X-01, field f: min (10) is above max (5)"),
        (
            {"type": "number", "decimal_places": 7},
            "item X-01, field f: decimal_places must be a whole number from 0 to 4",
        ),
    ],
)
def test_the_consultation_file_refuses_bad_number_bounds(spec, problem):
    data = {
        "consultation": {"slug": "x", "title_en": "X"},
        "themes": [{"code": "t", "name_en": "T"}],
        "items": [{"code": "X-01", "text_en": "Q?", "theme": "t", "fields": [{"key": "f", "label_en": "F", **spec}]}],
    }
    assert consultation_file_validate(data=data, known_articles=set()) == [problem]
