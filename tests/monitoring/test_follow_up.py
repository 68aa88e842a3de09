"""Follow-up round: one item per adopted recommendation, put only to the Parties it addresses; generation is
idempotent; the delegation workspace, the submission check and the offline file respect the addressees."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consultation.models import Field, Item, ItemAddressee, Option
from followup.errors import FollowUpError
from followup.models import FollowUpItem, FollowUpRound
from followup.services.generate import follow_up_generate
from tests.access.helpers import login_with_mfa
from tests.monitoring.follow_up_world import answer_follow_up, open_follow_up, recommendations, submit

pytestmark = pytest.mark.django_db


def test_follow_up_generation_makes_one_item_per_adopted_recommendation_with_its_addressees(world):
    recommendations(world)
    round_, added = follow_up_generate(source=world.consultation, user=world.secretariat)
    items = list(Item.objects.filter(consultation=round_.consultation).order_by("order"))
    assert added == 3
    assert [i.code for i in items] == ["R1", "R2", "R3"]
    assert items[0].text_en == "R1 (Urges) Criminalise AI-generated material."
    assert items[0].text_fr == "R1 (Exhorte) FR Criminalise AI-generated material."
    assert sorted(ItemAddressee.objects.filter(item=items[0]).values_list("party__iso2", flat=True)) == ["FR"]
    assert sorted(ItemAddressee.objects.filter(item=items[1]).values_list("party__iso2", flat=True)) == ["DE", "FR"]
    assert not ItemAddressee.objects.filter(item=items[2]).exists()  # every Party
    fields = list(Field.objects.filter(item=items[0]).order_by("order").values_list("key", "type", "required"))
    assert fields == [
        ("status", "single_choice", True),
        ("measures", "text", True),
        ("legal_references", "legal_references", False),
        ("evidence", "attachment", False),
    ]
    assert list(Option.objects.filter(field__item=items[0]).order_by("order").values_list("key", flat=True)) == [
        "implemented",
        "partly",
        "in_progress",
        "not_implemented",
        "not_applicable",
    ]
    assert round_.consultation.status == "draft"
    assert round_.consultation.previous == world.consultation


def test_follow_up_generation_is_idempotent_and_adds_only_what_was_adopted_since(world):
    from tests.monitoring.follow_up_world import adopt

    recommendations(world)
    first, added = follow_up_generate(source=world.consultation, user=world.secretariat)
    again, added_again = follow_up_generate(source=world.consultation, user=world.secretariat)
    assert (again.pk, added, added_again) == (first.pk, 3, 0)
    assert Item.objects.filter(consultation=first.consultation).count() == 3
    adopt(world, strength="requests", text="Publish the data.", addressees=[world.party_b])
    _, added_later = follow_up_generate(source=world.consultation, user=world.secretariat)
    assert added_later == 1
    assert (FollowUpRound.objects.count(), FollowUpItem.objects.count()) == (1, 4)
    assert AuditEvent.objects.filter(event_type="followup.generated").count() == 3


def test_follow_up_generation_refuses_without_adopted_recommendations_and_once_open(world):
    from tests.monitoring.follow_up_world import adopt

    with pytest.raises(FollowUpError, match="No recommendation of this consultation has been adopted yet"):
        follow_up_generate(source=world.consultation, user=world.secretariat)
    assert not FollowUpRound.objects.exists()
    recommendations(world)
    open_follow_up(world)
    adopt(world, strength="urges", text="Late one.")
    with pytest.raises(FollowUpError, match=r"already open: 1 recommendation\(s\) adopted since cannot be added"):
        follow_up_generate(source=world.consultation, user=world.secretariat)


def test_follow_up_a_party_sees_answers_and_is_asked_exactly_its_recommendations(world, client):
    from consultation.models import Party
    from tests import factories as f

    recommendations(world)
    open_follow_up(world)
    italy = f.party("IT")
    italian = f.delegate(Party.objects.get(iso2="IT"), role="member", email="member@it.example")
    pages = {}
    for user in (world.member_a, world.member_b, italian):
        client.force_login(user)
        html = client.get(reverse("consultation:reply", args=[world.follow_up.slug])).content.decode()
        pages[user.email] = [code for code in ("R1", "R2", "R3") if f'data-code="{code}"' in html]
    assert pages == {
        "member.a@fr.example": ["R1", "R2", "R3"],
        "member.b@de.example": ["R2", "R3"],
        "member@it.example": ["R3"],
    }
    assert italy.iso2 == "IT"
    client.force_login(world.member_b)
    item_url = reverse("consultation:item", args=[world.follow_up.slug, "R1"])
    assert client.get(item_url).status_code == 404
    assert client.post(item_url, {"f-status": "implemented", "base_version": "0"}).status_code == 404


def test_follow_up_submission_requires_only_the_partys_own_items(world):
    from consultation.services.answers import response_missing_required

    recommendations(world)
    open_follow_up(world)
    response = answer_follow_up(
        world,
        party=world.party_b,
        member=world.member_b,
        head=world.head_b,
        item_code="R2",
        status="in_progress",
        measures="A training plan for 2026.",
    )
    missing = [(m["item"].code, m["field"].key) for m in response_missing_required(response=response)]
    assert missing == [("R3", "status"), ("R3", "measures")]
    answer_follow_up(
        world,
        party=world.party_b,
        member=world.member_b,
        head=world.head_b,
        item_code="R3",
        status="implemented",
        measures="Yearly statistics since 2024.",
    )
    submit(response, world.head_b)
    assert response.status == "submitted"


def test_follow_up_offline_file_lists_only_the_partys_items(world, client):
    from consultation.selectors.offline import reply_document_get

    recommendations(world)
    open_follow_up(world)
    document = reply_document_get(consultation=world.follow_up, party=world.party_b, response=None)
    assert [entry.item.code for entry in document.items] == ["R2", "R3"]


def test_follow_up_generate_page_for_the_secretariat_only(world, client):
    recommendations(world)
    url = reverse("followup:generate", args=[world.consultation.slug])
    client.force_login(world.committee)
    assert client.post(url).status_code == 403
    login_with_mfa(client, world.secretariat)
    page = client.post(url, {"closes_on": "not a date"}, follow=True)
    assert "Give the closing date as a date (YYYY-MM-DD)." in page.content.decode()
    page = client.post(url, {"closes_on": "2099-01-31"}, follow=True)
    assert "3 follow-up question(s) added to" in page.content.decode()
    assert FollowUpRound.objects.get().consultation.closes_on.isoformat() == "2099-01-31"
