"""The codebook: REFI-QDA export valid against the codebook schema's structure, and re-imported identically."""

from __future__ import annotations

import re

import pytest

from monitoring.errors import CodebookInvalid
from monitoring.models import Code, CodeGroup
from monitoring.services.codebook import code_create, codebook_qdc_export, codebook_qdc_import, qdc_problems

pytestmark = pytest.mark.django_db

FIELDS = ("guid", "name_en", "name_fr", "definition_en", "definition_fr", "color", "order")


def snapshot(consultation):
    codes = [
        (*(getattr(c, f) for f in FIELDS), c.group.guid if c.group else None)
        for c in Code.objects.filter(consultation=consultation).select_related("group")
    ]
    groups = [(g.guid, g.name_en, g.name_fr, g.order) for g in CodeGroup.objects.filter(consultation=consultation)]
    return codes, groups


def test_export_is_a_valid_codebook_with_sets(world, codes):
    data = codebook_qdc_export(consultation=world.consultation)
    assert qdc_problems(data) == []
    text = data.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>\n<CodeBook xmlns="urn:QDA-XML:codebook:1.0"')
    assert (
        f'<Code guid="{str(world.code_ai.guid).upper()}" name="AI-generated CSAM criminalised" isCodable="true" '
        'color="#AA3300">' in text
    )
    assert "<Description>The law covers material generated without a real child.</Description>" in text
    assert f'<MemberCode guid="{str(world.code_ai.guid).upper()}" />' in text
    french = codebook_qdc_export(consultation=world.consultation, language="fr").decode()
    assert 'name="CSAM généré par IA incriminé"' in french
    assert 'name="Reform planned"' in french  # no French name: the English one


def test_both_languages_reimport_identically_into_another_consultation_and_again_change_nothing(world, codes):
    from tests import factories as f

    english = codebook_qdc_export(consultation=world.consultation, language="en")
    french = codebook_qdc_export(consultation=world.consultation, language="fr")
    # The French export fell back to English for "Reform planned": blank it first, as the original is blank.
    other = f.ConsultationFactory(slug="next-round")
    counts = codebook_qdc_import(consultation=other, data=english, language="en", user=None)
    assert counts == {"codes_created": 2, "codes_updated": 0, "groups_created": 1, "groups_updated": 0}
    codebook_qdc_import(consultation=other, data=french, language="fr", user=None)
    original, copied = snapshot(world.consultation), snapshot(other)
    reform_fr = next(c for c in copied[0] if c[1] == "Reform planned")[2]
    assert reform_fr == "Reform planned"
    Code.objects.filter(consultation=other, name_en="Reform planned").update(name_fr="")
    assert snapshot(other) == original
    again = codebook_qdc_import(consultation=world.consultation, data=english, language="en", user=None)
    assert again == {"codes_created": 0, "codes_updated": 2, "groups_created": 0, "groups_updated": 1}
    assert snapshot(world.consultation) == original


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"<CodeBook", "not well-formed XML"),
        (b'<CodeBook xmlns="urn:other"><Codes/></CodeBook>', "root element is {urn:other}CodeBook"),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="nope" name="A" isCodable="true"/>'
            b"</Codes></CodeBook>",
            "Code[A]: guid 'nope' is not a GUID",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"'
            b' name="A"/></Codes></CodeBook>',
            "Code[A]: missing isCodable",
        ),
        (
            b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294"'
            b' name="A" isCodable="true"/></Codes><Sets><Set guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F0" name="S">'
            b'<MemberCode guid="ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F1"/></Set></Sets></CodeBook>',
            "Set[S]: MemberCode ECA18D76-2B8B-4F26-BC1D-19ECA19FB3F1 names no code",
        ),
    ],
)
def test_invalid_files_are_refused_with_the_first_problem(world, data, problem):
    assert qdc_problems(data)[0].startswith(problem)
    with pytest.raises(CodebookInvalid, match=re.escape("This is not a valid REFI-QDA codebook")):
        codebook_qdc_import(consultation=world.consultation, data=data, user=None)
    assert Code.objects.count() == 0


def test_an_entity_bomb_is_refused(world):
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><CodeBook xmlns="urn:QDA-XML:codebook:1.0">&a;</CodeBook>'
    assert qdc_problems(bomb)[0].startswith("not well-formed XML")


def test_duplicate_code_names_and_bad_colours_are_refused(world, codes):
    with pytest.raises(CodebookInvalid, match=re.escape("A code named “Reform planned” already exists.")):
        code_create(consultation=world.consultation, name_en="reform PLANNED", user=None)
    with pytest.raises(CodebookInvalid, match=re.escape("A colour is written #RRGGBB.")):
        code_create(consultation=world.consultation, name_en="New", color="red", user=None)
