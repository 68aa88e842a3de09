import copy
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from consultation.loader import (
    BACKGROUND_PAPER_PATH,
    ConsultationFileError,
    background_paper_load,
    consultation_file_read,
    consultation_load,
)
from consultation.models import Consultation, Field, Item, Option, Theme

pytestmark = pytest.mark.django_db

EXPECTED_COUNTS = {
    "generative-ai": 7,
    "machine-learning": 3,
    "immersive": 4,
    "iot": 3,
    "robotics": 2,
    "live-csea": 3,
    "cross-cutting": 1,
}


def _snapshot():
    """Every row the loader writes, with every column, for before/after comparisons."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Consultation, Theme, Item, Field, Option)
    } | {
        "item_articles": list(Item.articles.through.objects.order_by("pk").values()),
        "history": Item.history.count() + Consultation.history.count(),
    }


def test_the_background_paper_gives_23_items_in_7_themes():
    consultation = background_paper_load().consultation
    assert consultation.slug == "emerging-technologies-2024"
    items = Item.objects.filter(consultation=consultation)
    assert items.count() == 23
    assert Counter(items.values_list("theme__code", flat=True)) == EXPECTED_COUNTS
    codes = list(items.values_list("code", flat=True))
    assert len(set(codes)) == 23
    assert codes[:7] == [f"GENAI-0{n}" for n in range(1, 8)]
    assert codes[-1] == "CROSS-01"
    assert not items.filter(fields__isnull=True).exists()
    for item in items.filter(theme__code="generative-ai"):
        assert 20 in set(item.articles.values_list("number", flat=True)), item.code
    assert not items.filter(text_fr="").exists()
    assert not Field.objects.filter(item__consultation=consultation, label_fr="").exists()


def test_texts_are_the_papers_with_the_ocr_slips_mended():
    background_paper_load()
    ranking_item = Item.objects.get(code="GENAI-01")
    assert ranking_item.text_en == (
        "How should victim impact be evaluated, relative to i) offline CSEA, ii) CSAM obtained through "
        "solicitation, iii) CSGSIV that is misused, and iv) AI generated CSAM in which there is no real child?"
    )
    ranking = ranking_item.fields.get(type="ranking")
    assert list(ranking.options.values_list("key", flat=True)) == [
        "offline",
        "solicitation",
        "misused_csgsiv",
        "ai_generated",
    ]
    assert Item.objects.get(code="CROSS-01").text_en == (
        "How might stakeholders in the fight against CSEA turn technological developments to their and "
        "children's advantage?"
    )
    assert not Item.objects.filter(text_en__contains=" Al ").exists()


def test_loading_twice_leaves_every_row_unchanged(capsys):
    call_command("load_background_paper")
    before = _snapshot()
    capsys.readouterr()
    call_command("load_background_paper")
    assert "already up to date (23 items)" in capsys.readouterr().out
    assert _snapshot() == before


def test_a_changed_text_updates_in_place_and_keeps_answers(world):
    from consultation.models import Answer
    from consultation.services.answers import answer_save, response_get_or_create

    data = consultation_file_read(path=BACKGROUND_PAPER_PATH)
    consultation = consultation_load(data=data).consultation
    item = Item.objects.get(consultation=consultation, code="ROBOT-01")
    item_pk = item.pk
    reply = response_get_or_create(consultation=consultation, party=world.party_a)
    position = item.fields.get(key="position").options.first().key
    answer_save(
        response=reply, item=item, data={"position": position}, base_version=0, user=world.member_a, check_lock=False
    )
    changed = copy.deepcopy(data)
    changed["items"][[i["code"] for i in changed["items"]].index("ROBOT-01")]["guidance_en"] = "New guidance."
    result = consultation_load(data=changed)
    assert result.updated["items"] == 1
    item = Item.objects.get(pk=item_pk)
    assert item.guidance_en == "New guidance."
    assert Answer.objects.get(item=item).data == {"position": position}


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["items"][2].update(articles=[20, 99]), "item GENAI-03: unknown Convention article '99'"),
        (lambda d: d["items"][5].update(code="GENAI-01"), "item GENAI-01: duplicate item code"),
        (lambda d: d["items"][8]["fields"][0].update(type="essay"), "item ML-02, field "),
        (lambda d: d["items"][0].update(fields=[]), "item GENAI-01: at least one answer field is required"),
        (lambda d: d["items"][3].update(theme="quantum"), "item GENAI-04: unknown theme 'quantum'"),
        (
            lambda d: d["items"][0]["fields"][0].update(suggested_words=300),
            "item GENAI-01, field impact_ranking: suggested_words is a whole number of words, for text fields only",
        ),
        (
            lambda d: d["items"][0]["fields"][1].update(suggested_words="many"),
            "item GENAI-01, field explanation: suggested_words is a whole number of words",
        ),
    ],
)
def test_a_malformed_file_names_the_item_and_writes_nothing(mutate, message):
    data = consultation_file_read(path=BACKGROUND_PAPER_PATH)
    broken = copy.deepcopy(data)
    mutate(broken)
    before = _snapshot()
    with pytest.raises(ConsultationFileError) as error:
        consultation_load(data=broken)
    assert message in str(error.value)
    assert _snapshot() == before


def test_an_unknown_field_type_is_named(tmp_path):
    data = consultation_file_read(path=BACKGROUND_PAPER_PATH)
    data["items"][8]["fields"][0]["type"] = "essay"
    key = data["items"][8]["fields"][0]["key"]
    with pytest.raises(ConsultationFileError) as error:
        consultation_load(data=data)
    assert f"item ML-02, field {key}: unknown field type 'essay'" in error.value.problems


def test_the_command_reports_a_broken_file_as_an_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("consultation: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match=r"broken\.yaml is not valid YAML"):
        call_command("load_background_paper", file=path)
    assert Consultation.objects.count() == 0
