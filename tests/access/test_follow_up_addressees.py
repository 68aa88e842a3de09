"""A follow-up item addressed to one Party is that Party's only: every actor, every delegation URL of the item.

R1 is addressed to Party A (France) only, R2 to every Party. Party B's people never see R1 on the reply page, and
its item URLs answer 404 as for an item that does not exist; Party A's answer it. The assessment page of R1 for
Party B does not exist either.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.access.helpers import login_with_mfa

pytestmark = pytest.mark.django_db

ACTORS = ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee")


@pytest.fixture
def follow_up(world):
    from consultation.services.lifecycle import consultation_open
    from followup.services.generate import follow_up_generate
    from tests.monitoring.follow_up_world import adopt

    world.r1 = adopt(world, strength="urges", text="Only France.", addressees=[world.party_a])
    world.r2 = adopt(world, strength="invites", text="Everyone.")
    round_, _ = follow_up_generate(
        source=world.consultation, user=world.secretariat, closes_on=timezone.localdate() + datetime.timedelta(days=9)
    )
    consultation_open(consultation=round_.consultation, user=world.secretariat)
    world.follow_up = round_.consultation
    return world


EXPECTED = {
    # actor: (R1 on the reply page, R1 item GET, R1 history GET, R1 no-change POST, R2 item GET)
    "member_a": (True, 200, 200, 302, 200),
    "head_a": (True, 200, 200, 302, 200),
    "member_b": (False, 404, 404, 404, 200),
    "head_b": (False, 404, 404, 404, 200),
    "secretariat": (False, 404, 404, 404, 404),
    "committee": (False, 404, 404, 404, 404),
}


@pytest.mark.parametrize("actor", ACTORS)
def test_follow_up_item_is_reached_only_by_its_addressees(follow_up, client, actor):
    user = getattr(follow_up, actor)
    login_with_mfa(client, user) if actor in ("head_a", "head_b", "secretariat") else client.force_login(user)
    slug = follow_up.follow_up.slug
    reply = client.get(reverse("consultation:reply", args=[slug]))
    seen = reply.status_code == 200 and 'data-code="R1"' in reply.content.decode()
    statuses = (
        client.get(reverse("consultation:item", args=[slug, "R1"])).status_code,
        client.get(reverse("consultation:answer_history", args=[slug, "R1"])).status_code,
        client.post(reverse("consultation:answer_no_change", args=[slug, "R1"]), {"base_version": "0"}).status_code,
        client.get(reverse("consultation:item", args=[slug, "R2"])).status_code,
    )
    assert (seen, *statuses) == EXPECTED[actor]


@pytest.mark.parametrize(("actor", "status"), [("secretariat", 404), ("committee", 404), ("member_a", 403)])
def test_compliance_page_of_a_party_the_recommendation_does_not_address_does_not_exist(
    follow_up, client, actor, status
):
    user = getattr(follow_up, actor)
    login_with_mfa(client, user) if actor == "secretariat" else client.force_login(user)
    url = reverse("followup:assess", args=[follow_up.consultation.slug, follow_up.r1.pk, "DE"])
    assert client.get(url).status_code == status
