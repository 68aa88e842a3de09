"""The Analysis demo: a rapporteur with items and coded passages of the submitted demo replies, made once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from monitoring.demo import CODES, RAPPORTEUR_EMAIL, monitoring_demo_create
from monitoring.models import Coding, ItemAnalysis, RapporteurAssignment, Recommendation
from monitoring.selectors.comparisons import comparison_sections

pytestmark = pytest.mark.django_db


def test_seed_monitoring_demo_codes_demo_passages_once(background_paper):
    call_command("seed_demo", stdout=io.StringIO())
    first = monitoring_demo_create(consultation=background_paper)
    assert first["items"] == 3
    assert first["codings"] == Coding.objects.count() > 0
    assert set(Coding.objects.values_list("party__iso2", flat=True)) <= {"FR", "AT", "BE", "IT", "NL", "PT", "SE"}
    phrases = {phrase.lower() for *_texts, marks in CODES for phrase in marks}
    assert {quote.lower() for quote in Coding.objects.values_list("quote", flat=True)} <= phrases
    assert monitoring_demo_create(consultation=background_paper) == {"items": 0, "codings": 0}
    assert RapporteurAssignment.objects.count() == 3
    statuses = dict(Recommendation.objects.values_list("number", "status"))
    assert statuses == {1: "adopted", 2: "proposed"}
    first = RapporteurAssignment.objects.order_by("item__order").first().item
    analysis = ItemAnalysis.objects.get(item=first)
    assert (analysis.status, analysis.coding_final_by.email) == ("adopted", RAPPORTEUR_EMAIL)
    (section,) = comparison_sections(
        consultation_id=background_paper.pk, item_ids=[first.pk], language="en", links=False
    )
    assert section.subsections[0].key == f"monitoring-item-{first.code}"
