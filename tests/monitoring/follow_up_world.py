"""Builders shared by the follow-up, compliance and round tests: adopted recommendations, a generated follow-up
round, and a second round duplicated from the world's consultation."""

from __future__ import annotations

import datetime

from django.utils import timezone


def adopt(world, *, strength: str, text: str, addressees=(), chapter=None):
    from monitoring.services.recommendations import recommendation_create, recommendation_transition

    rec = recommendation_create(
        consultation=world.consultation,
        strength=strength,
        text_en=text,
        text_fr=f"FR {text}",
        user=world.committee,
        chapter=chapter,
        addressees=addressees,
    )
    recommendation_transition(recommendation=rec, action="propose", user=world.committee)
    return recommendation_transition(
        recommendation=rec,
        action="adopt",
        user=world.secretariat,
        meeting="48th plenary",
        adopted_on=timezone.localdate() - datetime.timedelta(days=3),
    )


def recommendations(world):
    """R1 urges France only, R2 invites France and Germany, R3 considers every Party."""
    world.r1 = adopt(world, strength="urges", text="Criminalise AI-generated material.", addressees=[world.party_a])
    world.r2 = adopt(
        world,
        strength="invites",
        text="Train the police in digital evidence.",
        addressees=[world.party_a, world.party_b],
    )
    world.r3 = adopt(world, strength="considers", text="Collect statistics every year.")
    return world


def open_follow_up(world):
    from consultation.services.lifecycle import consultation_open
    from followup.services.generate import follow_up_generate

    round_, _added = follow_up_generate(
        source=world.consultation, user=world.secretariat, closes_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    consultation_open(consultation=round_.consultation, user=world.secretariat)
    world.follow_up = round_.consultation
    return round_


def answer_follow_up(world, *, party, member, head, item_code, status, measures, submit=True):
    from consultation.models import Item
    from consultation.services.answers import answer_save, response_get_or_create

    response = response_get_or_create(consultation=world.follow_up, party=party)
    item = Item.objects.get(consultation=world.follow_up, code=item_code)
    answer_save(
        response=response,
        item=item,
        data={
            "status": status,
            "measures": measures,
            "legal_references": [{"instrument": "Criminal Code", "provision": "Art. 227-23", "url": ""}],
        },
        base_version=0,
        user=member,
    )
    return response


def submit(response, head):
    from consultation.services.responses import response_submit

    response_submit(response=response, user=head)
    response.refresh_from_db()
    return response


def second_round(world):
    """Both Parties submit round 1 (France: yes; Germany: partially), then round 2 is duplicated with carry-over."""
    from consultation.services.lifecycle import consultation_duplicate, consultation_open
    from tests.monitoring.conftest import submit_reply

    world.france = submit_reply(world, world.party_a, world.head_a, world.member_a, {0: "The Criminal Code covers it."})
    world.germany = submit_reply(
        world, world.party_b, world.head_b, world.member_b, {0: "Section 184b covers it."}, "partially"
    )
    new = consultation_duplicate(
        source=world.consultation,
        user=world.secretariat,
        slug="world-round-2",
        title_en="World consultation, round 2",
        title_fr="Consultation mondiale, 2e cycle",
        closes_on=timezone.localdate() + datetime.timedelta(days=30),
        carry_over=True,
    )
    consultation_open(consultation=new, user=world.secretariat)
    world.round2 = new
    return new
