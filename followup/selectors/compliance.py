"""The compliance dashboard (recommendation x Party) and what the compliance reports print, read in SQL.

A recommendation without addressees is addressed to every active Party. A pair never assessed counts as "not
assessed". Every count is a GROUP BY in the database; the page reads a fixed number of queries whatever the
number of recommendations and Parties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from consultation.models import Consultation, Party, SubmittedAnswer, SubmittedChoice
from monitoring.models import Recommendation, RecommendationStatus, Strength

from ..models import Assessment, ComplianceAssessment, FollowUpItem, ImplementationStatus

# Urges first: the Committee's strongest wording, then requests, considers, invites.
STRENGTH_ORDER = (Strength.URGES, Strength.REQUESTS, Strength.CONSIDERS, Strength.INVITES)
ASSESSED = (Assessment.COMPLIANT, Assessment.PARTLY, Assessment.NOT_COMPLIANT)


def strength_rank():
    return Case(
        *[When(strength=value, then=Value(rank)) for rank, value in enumerate(STRENGTH_ORDER)],
        output_field=IntegerField(),
    )


@dataclass
class Cell:
    addressed: bool
    iso2: str
    party_name: str
    assessment: str = Assessment.NOT_ASSESSED
    status: str = ""  # the implementation status the Party reported (option key), "" if no submitted reply
    replied: bool = False

    @property
    def assessment_label(self) -> str:
        return Assessment(self.assessment).label

    @property
    def status_label(self) -> str:
        return ImplementationStatus(self.status).label if self.status in ImplementationStatus.values else ""


@dataclass
class Row:
    recommendation: Recommendation
    cells: list[Cell]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class ComplianceGrid:
    consultation: Consultation
    parties: list[Party]
    rows: list[Row]
    party_counts: dict[int, dict[str, int]]
    totals: dict[str, int]
    follow_up: Any = None  # the FollowUpRound, if generated

    @property
    def columns(self) -> list[tuple[Party, dict[str, int]]]:
        return [(p, self.party_counts.get(p.pk, {})) for p in self.parties]

    @property
    def footer(self) -> list[tuple[str, list[int]]]:
        """Per assessment, its count in each Party's column."""
        return [
            (label, [self.party_counts.get(p.pk, {}).get(key, 0) for p in self.parties])
            for key, label in Assessment.choices
        ]


def adopted_recommendations(*, consultation: Consultation, strength: str = "", party: Party | None = None):
    """The consultation's adopted recommendations, urges first, then by number (addressed to ``party`` if given)."""
    found = Recommendation.objects.filter(consultation=consultation, status=RecommendationStatus.ADOPTED)
    if strength:
        found = found.filter(strength=strength)
    if party is not None:
        found = found.filter(Q(addressees=party) | Q(addressees__isnull=True)).distinct()
    return found.annotate(strength_rank=strength_rank()).order_by("strength_rank", "chapter", "number")


def _counts(row: dict[str, Any], addressed: int) -> dict[str, int]:
    counts = {key: row.get(key, 0) or 0 for key in ASSESSED}
    counts[Assessment.NOT_ASSESSED] = addressed - sum(counts.values())
    counts["addressed"] = addressed
    return counts


def _assessment_counts(group_by: str, recommendations, party_ids: list[int]) -> dict[int, dict[str, int]]:
    """Assessed pairs per recommendation or per Party (one GROUP BY), only pairs whose Party the recommendation
    addresses (an assessment kept from before an addressee was removed does not count)."""
    rows = (
        ComplianceAssessment.objects.filter(recommendation__in=recommendations, party_id__in=party_ids)
        .filter(Q(recommendation__addressees__isnull=True) | Q(recommendation__addressees=F("party_id")))
        .values(group_by)
        .annotate(**{key: Count("pk", filter=Q(assessment=key), distinct=True) for key in ASSESSED})
        .order_by()
    )
    return {row[group_by]: row for row in rows}


def compliance_grid(*, consultation: Consultation, strength: str = "", party: Party | None = None) -> ComplianceGrid:
    """The recommendation x Party grid of the consultation's adopted recommendations with their counts."""
    from ..models import FollowUpRound

    recommendations = list(
        adopted_recommendations(consultation=consultation, strength=strength, party=party).prefetch_related(
            "addressees"
        )
    )
    parties = list(Party.objects.filter(is_active=True).order_by("name_en"))
    if party is not None:
        parties = [p for p in parties if p.pk == party.pk]
    party_ids = [p.pk for p in parties]
    rec_ids = [r.pk for r in recommendations]
    assessments = {
        (a["recommendation_id"], a["party_id"]): a["assessment"]
        for a in ComplianceAssessment.objects.filter(recommendation_id__in=rec_ids, party_id__in=party_ids).values(
            "recommendation_id", "party_id", "assessment"
        )
    }
    follow_items = dict(
        FollowUpItem.objects.filter(recommendation_id__in=rec_ids).values_list("item_id", "recommendation_id")
    )
    statuses = {
        (follow_items[c["item_id"]], c["party_id"]): c["option__key"]
        for c in SubmittedChoice.objects.filter(item_id__in=list(follow_items), field__key="status").values(
            "item_id", "party_id", "option__key"
        )
    }
    replied = {
        (follow_items[item_id], party_id)
        for item_id, party_id in SubmittedAnswer.objects.filter(item_id__in=list(follow_items)).values_list(
            "item_id", "party_id"
        )
    }
    by_rec = _assessment_counts("recommendation_id", rec_ids, party_ids)
    by_party = _assessment_counts("party_id", rec_ids, party_ids)
    rows = []
    addressed_per_party = {pk: 0 for pk in party_ids}
    for rec in recommendations:
        named = {p.pk for p in rec.addressees.all()}
        addressed_ids = [pk for pk in party_ids if not named or pk in named]
        for pk in addressed_ids:
            addressed_per_party[pk] += 1
        cells = [
            Cell(
                addressed=p.pk in addressed_ids,
                iso2=p.iso2,
                party_name=p.name,
                assessment=assessments.get((rec.pk, p.pk), Assessment.NOT_ASSESSED),
                status=statuses.get((rec.pk, p.pk), ""),
                replied=(rec.pk, p.pk) in replied,
            )
            for p in parties
        ]
        rows.append(Row(recommendation=rec, cells=cells, counts=_counts(by_rec.get(rec.pk, {}), len(addressed_ids))))
    party_counts = {pk: _counts(by_party.get(pk, {}), addressed_per_party[pk]) for pk in party_ids}
    totals = {key: sum(r.counts[key] for r in rows) for key in (*ASSESSED, Assessment.NOT_ASSESSED, "addressed")}
    return ComplianceGrid(
        consultation=consultation,
        parties=parties,
        rows=rows,
        party_counts=party_counts,
        totals=totals,
        follow_up=FollowUpRound.objects.filter(source=consultation).select_related("consultation").first(),
    )
