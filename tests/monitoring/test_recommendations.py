"""Recommendations: numbering per series, never reused; transitions; adopted ones locked and audited."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from monitoring.errors import RecommendationInvalid, RecommendationLocked
from monitoring.services.recommendations import recommendation_create, recommendation_transition, recommendation_update

pytestmark = pytest.mark.django_db


def create(world, **kwargs):
    defaults = {"consultation": world.consultation, "strength": "urges", "text_en": "Parties to act.", "user": None}
    return recommendation_create(**{**defaults, **kwargs})


def test_numbers_run_per_series_and_are_never_reused(world):
    r1, r2 = create(world), create(world, strength="invites")
    iv1, iv2 = create(world, chapter=4), create(world, chapter=4)
    ii1 = create(world, chapter=2)
    assert [r.label for r in (r1, r2, iv1, iv2, ii1)] == ["R1", "R2", "IV-1", "IV-2", "II-1"]
    recommendation_transition(recommendation=r2, action="withdraw", user=world.secretariat)
    assert create(world).label == "R3"


def test_addressees_items_and_evidence_are_kept(world):
    r = create(world, addressees=[world.party_a, world.party_b], items=[world.items[0]], text_fr="Les Parties.")
    assert sorted(r.addressees.values_list("iso2", flat=True)) == ["DE", "FR"]
    assert list(r.items.all()) == [world.items[0]]
    assert (r.text_en, r.text_fr) == ("Parties to act.", "Les Parties.")


def test_an_item_of_another_consultation_or_a_bad_strength_is_refused(world):
    from tests import factories as f

    other = f.position_item(f.ConsultationFactory(slug="other"), code="X-01")
    with pytest.raises(RecommendationInvalid, match=re.escape("An item of another consultation cannot be cited.")):
        create(world, items=[other])
    with pytest.raises(RecommendationInvalid, match=re.escape("Choose the recommendation's strength")):
        create(world, strength="demands")
    with pytest.raises(RecommendationInvalid, match=re.escape("The English text is required.")):
        create(world, text_en="  ")


def test_adoption_needs_a_proposal_a_meeting_and_a_past_date_then_locks(world):
    r = create(world)
    today = timezone.localdate()
    with pytest.raises(RecommendationInvalid, match=re.escape("R1 is draft: it cannot be adopted.")):
        recommendation_transition(
            recommendation=r, action="adopt", user=world.secretariat, meeting="M", adopted_on=today
        )
    recommendation_transition(recommendation=r, action="propose", user=world.committee)
    with pytest.raises(RecommendationInvalid, match=re.escape("Give the meeting at which the Committee adopted it.")):
        recommendation_transition(recommendation=r, action="adopt", user=world.secretariat, adopted_on=today)
    with pytest.raises(RecommendationInvalid, match=re.escape("The date of adoption cannot be in the future.")):
        recommendation_transition(
            recommendation=r, action="adopt", user=world.secretariat, meeting="45th plenary",
            adopted_on=today + datetime.timedelta(days=1),
        )  # fmt: skip
    r = recommendation_transition(
        recommendation=r, action="adopt", user=world.secretariat, meeting="45th plenary", adopted_on=today
    )
    assert (r.status, r.meeting, r.adopted_on) == ("adopted", "45th plenary", today)
    message = f"R1 was adopted on {today} and can no longer be changed."
    with pytest.raises(RecommendationLocked, match=re.escape(message)):
        recommendation_update(recommendation=r, strength="invites", text_en="Softer.", user=world.committee)
    with pytest.raises(RecommendationLocked, match=re.escape(message)):
        recommendation_transition(recommendation=r, action="withdraw", user=world.secretariat)
    r.refresh_from_db()
    assert (r.strength, r.text_en) == ("urges", "Parties to act.")
    events = list(AuditEvent.objects.filter(object_repr="R1").values_list("event_type", flat=True).order_by("pk"))
    assert events == [
        "monitoring.recommendation_created",
        "monitoring.recommendation_proposed",
        "monitoring.recommendation_adopted",
    ]
    adopted = AuditEvent.objects.get(event_type="monitoring.recommendation_adopted")
    assert adopted.extra["meeting"] == "45th plenary"
    assert adopted.extra["text_en"] == "Parties to act."
