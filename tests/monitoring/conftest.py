"""Fixtures for the monitoring tests: submitted replies with known texts, and the world's committee member as
rapporteur of the first item."""

from __future__ import annotations

import pytest

FRANCE_TEXT = "The Criminal Code punishes generated material. A reform of sentencing is planned for 2025."
GERMANY_TEXT = "Section 184b of the Criminal Code covers generated material."


def submit_reply(world, party, head, member, texts: dict, position: str = "yes"):
    """Save and submit the Party's reply: ``texts`` maps an item index to its explanation."""
    from consultation.services.answers import answer_save, response_get_or_create
    from consultation.services.responses import response_submit

    response = response_get_or_create(consultation=world.consultation, party=party)
    for index, item in enumerate(world.items):
        answer_save(
            response=response,
            item=item,
            data={"position": position, "explanation": texts.get(index, "")},
            base_version=0,
            user=member,
            language="en",
        )
    response_submit(response=response, user=head)
    response.refresh_from_db()
    return response


def resubmit(world, response, head, member, item, text: str, position: str = "yes"):
    """The Secretariat reopens the reply; the delegation changes one explanation and submits again."""
    from consultation.models import Answer
    from consultation.services.answers import answer_save
    from consultation.services.responses import response_reopen, response_submit

    response_reopen(response=response, user=world.secretariat, reason="Correction")
    answer = Answer.objects.get(response=response, item=item)
    answer_save(
        response=response,
        item=item,
        data={"position": position, "explanation": text},
        base_version=answer.version,
        user=member,
        language="en",
    )
    response.refresh_from_db()
    response_submit(response=response, user=head)
    response.refresh_from_db()
    return response


@pytest.fixture
def replies(world):
    """France and Germany submitted; the committee member is rapporteur of GENAI-01 only."""
    from monitoring.services.assignments import rapporteur_assign

    world.france = submit_reply(world, world.party_a, world.head_a, world.member_a, {0: FRANCE_TEXT, 1: "Robots."})
    world.germany = submit_reply(world, world.party_b, world.head_b, world.member_b, {0: GERMANY_TEXT}, "partially")
    rapporteur_assign(
        consultation=world.consultation, user=world.committee, item=world.items[0], acting_user=world.secretariat
    )
    world.explanation = world.items[0].fields.get(key="explanation")
    return world


@pytest.fixture
def codes(world):
    from monitoring.services.codebook import code_create, code_group_create

    group = code_group_create(consultation=world.consultation, name_en="Criminal law", name_fr="Droit pénal", user=None)
    world.code_ai = code_create(
        consultation=world.consultation,
        name_en="AI-generated CSAM criminalised",
        name_fr="CSAM généré par IA incriminé",
        definition_en="The law covers material generated without a real child.",
        definition_fr="La loi couvre le matériel généré sans enfant réel.",
        group=group,
        color="#aa3300",
        user=None,
    )
    world.code_reform = code_create(consultation=world.consultation, name_en="Reform planned", user=None)
    world.group = group
    return world
