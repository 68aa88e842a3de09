"""Writing help: word and character counts against the item's suggested length, and "Other (please specify)"
options that carry their text box (stored with the answer, required at submission, validated)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultation.answer_values import AnswerInvalid, answer_data_clean, answer_data_missing
from consultation.loader import background_paper_load
from consultation.models import Answer, Field, Option
from consultation.services.answers import answer_save, response_get_or_create
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_item(world):
    """GENAI-01 with a multiple choice whose last option asks to specify."""
    item = world.items[0]
    measures = f.FieldFactory(
        item=item, key="measures", type="multiple_choice", order=3, label_en="Measures", label_fr="Mesures"
    )
    f.OptionFactory(field=measures, key="law", label_en="Legislation", label_fr="Législation", order=1)
    f.OptionFactory(
        field=measures,
        key="other",
        label_en="Other (please specify)",
        label_fr="Autre (veuillez préciser)",
        order=2,
        needs_specification=True,
    )
    Field.objects.filter(item=item, key="explanation").update(suggested_words=5)
    return item


def _fields(item):
    return list(Field.objects.filter(item=item).prefetch_related("options"))


def test_the_2024_paper_suggests_lengths_and_asks_to_specify_other():
    background_paper_load()

    texts = Field.objects.filter(type="text")
    assert texts.count() == 32
    assert texts.filter(key="explanation", suggested_words=400).count() == 19
    assert texts.exclude(key="explanation").filter(suggested_words=200).count() == 13
    others = Option.objects.filter(needs_specification=True)
    assert others.count() == 5
    assert set(others.values_list("key", "label_en", "label_fr").distinct()) == {
        ("other", "Other (please specify)", "Autre (veuillez préciser)")
    }


def test_the_reply_page_shows_counts_and_the_suggested_length(client, world, other_item):
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=other_item,
        data={"position": "yes", "explanation": "Article 227-23 of the Criminal Code applies to generated images."},
        base_version=0,
        user=world.member_a,
    )
    client.force_login(world.member_a)

    html = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()

    assert "10 words · 64 characters" in html
    assert "suggested length: about 5 words" in html
    assert 'data-suggested-words="5"' in html
    over = html.split("data-count-over")[1].split(">")[0]
    assert "hidden" not in over  # 10 words where 5 are suggested


def test_the_other_text_is_stored_with_the_choice_through_the_form(client, world, other_item):
    client.force_login(world.member_a)
    url = reverse("consultation:answer_save", args=[world.consultation.slug, other_item.code])

    saved = client.post(
        url,
        {"base_version": "0", "f-position": "yes", "f-measures": ["law", "other"], "f-measures:specify": " Code "},
        HTTP_HX_REQUEST="true",
    )

    assert saved.status_code == 200
    answer = Answer.objects.get(item=other_item)
    assert answer.data == {"position": "yes", "measures": ["law", "other"], "measures:specify": "Code"}
    html = client.get(reverse("consultation:reply", args=[world.consultation.slug])).content.decode()
    assert f'name="i{other_item.pk}-f-measures:specify"' in html
    assert 'value="Code"' in html


def test_the_other_text_is_required_at_submission_and_dropped_when_other_is_unchosen(other_item):
    fields = _fields(other_item)
    measures = next(fld for fld in fields if fld.key == "measures")

    chosen_without_text = answer_data_clean(fields=fields, data={"position": "yes", "measures": ["other"]})
    assert answer_data_missing(fields=fields, data=chosen_without_text) == [measures]
    with_text = answer_data_clean(
        fields=fields, data={"position": "yes", "measures": ["other"], "measures:specify": "Codes of conduct"}
    )
    assert answer_data_missing(fields=fields, data=with_text) == []
    unchosen = answer_data_clean(
        fields=fields, data={"position": "yes", "measures": ["law"], "measures:specify": "Codes of conduct"}
    )
    assert unchosen == {"position": "yes", "measures": ["law"]}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * 1001, "is 1001 characters long; the limit is 1000"),
        ("Code\x00", "invisible control character (U+0000)"),
    ],
)
def test_a_bad_other_text_is_refused_under_its_field(other_item, text, message):
    with pytest.raises(AnswerInvalid) as refused:
        answer_data_clean(fields=_fields(other_item), data={"measures": ["other"], "measures:specify": text})
    assert list(refused.value.errors) == ["measures"]
    assert message in refused.value.errors["measures"]


def test_a_field_without_an_option_to_specify_takes_no_other_text(other_item):
    with pytest.raises(AnswerInvalid) as refused:
        answer_data_clean(fields=_fields(other_item), data={"position": "yes", "position:specify": "x"})
    assert refused.value.errors == {"position:specify": "This item has no field “position:specify”."}
