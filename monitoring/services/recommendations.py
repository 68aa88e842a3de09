"""Recommendations: numbered when created (R1... or per chapter), never renumbered; proposed, then adopted by
the Committee at a meeting (recorded by the Secretariat) and locked from then on, or withdrawn."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Article, Consultation, Item, Party

from ..errors import RecommendationInvalid, RecommendationLocked
from ..models import Coding, Recommendation, RecommendationStatus, Strength

MAX_CHAPTER = 15


def _check(
    *,
    consultation: Consultation,
    strength: str,
    text_en: str,
    chapter: int | None,
    items: Sequence[Item],
    evidence: Sequence[Coding],
) -> None:
    if strength not in Strength.values:
        raise RecommendationInvalid(_("Choose the recommendation's strength: urges, considers, invites or requests."))
    if not (text_en or "").strip():
        raise RecommendationInvalid(_("The English text is required."))
    if chapter is not None and not 1 <= chapter <= MAX_CHAPTER:
        raise RecommendationInvalid(_("The chapter is a number from 1 to %(n)s.") % {"n": MAX_CHAPTER})
    if any(item.consultation_id != consultation.pk for item in items):
        raise RecommendationInvalid(_("An item of another consultation cannot be cited."))
    if any(coding.consultation_id != consultation.pk for coding in evidence):
        raise RecommendationInvalid(_("A coding of another consultation cannot be cited."))


def _relations(
    recommendation: Recommendation,
    *,
    addressees: Iterable[Party],
    items: Sequence[Item],
    articles: Iterable[Article],
    evidence: Sequence[Coding],
) -> None:
    recommendation.addressees.set(addressees)
    recommendation.items.set(items)
    recommendation.articles.set(articles)
    recommendation.evidence.set(evidence)


@transaction.atomic
def recommendation_create(
    *,
    consultation: Consultation,
    strength: str,
    text_en: str,
    user: Any,
    text_fr: str = "",
    chapter: int | None = None,
    addressees: Iterable[Party] = (),
    items: Iterable[Item] = (),
    articles: Iterable[Article] = (),
    evidence: Iterable[Coding] = (),
    request: Any = None,
) -> Recommendation:
    """A new draft with the next number of its series (the consultation's R series, or its chapter's)."""
    items, evidence = list(items), list(evidence)
    _check(
        consultation=consultation, strength=strength, text_en=text_en, chapter=chapter, items=items, evidence=evidence
    )
    # Serialise numbering per consultation: two rapporteurs creating at once get R4 and R5, not two R4.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).exists()
    series = Recommendation.objects.filter(consultation=consultation, chapter=chapter)
    number = (series.aggregate(last=Max("number"))["last"] or 0) + 1
    recommendation = Recommendation.objects.create(
        consultation=consultation,
        chapter=chapter,
        number=number,
        strength=strength,
        text_en=text_en.strip(),
        text_fr=(text_fr or "").strip(),
        created_by=user,
    )
    _relations(recommendation, addressees=addressees, items=items, articles=articles, evidence=evidence)
    audit_record(
        event_type="monitoring.recommendation_created",
        actor=user,
        consultation=consultation,
        object_repr=recommendation.label,
        request=request,
        extra={"strength": strength},
    )
    return recommendation


def _locked(recommendation: Recommendation) -> Recommendation:
    locked = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
    if locked.status == RecommendationStatus.ADOPTED:
        raise RecommendationLocked(
            _("%(label)s was adopted on %(date)s and can no longer be changed.")
            % {"label": locked.label, "date": locked.adopted_on}
        )
    if locked.status == RecommendationStatus.WITHDRAWN:
        raise RecommendationLocked(_("%(label)s was withdrawn and can no longer be changed.") % {"label": locked.label})
    return locked


@transaction.atomic
def recommendation_update(
    *,
    recommendation: Recommendation,
    strength: str,
    text_en: str,
    user: Any,
    text_fr: str = "",
    addressees: Iterable[Party] = (),
    items: Iterable[Item] = (),
    articles: Iterable[Article] = (),
    evidence: Iterable[Coding] = (),
    request: Any = None,
) -> Recommendation:
    """Edit a draft or proposed recommendation (its number and chapter stay)."""
    recommendation = _locked(recommendation)
    items, evidence = list(items), list(evidence)
    _check(
        consultation=recommendation.consultation,
        strength=strength,
        text_en=text_en,
        chapter=recommendation.chapter,
        items=items,
        evidence=evidence,
    )
    recommendation.strength = strength
    recommendation.text_en = text_en.strip()
    recommendation.text_fr = (text_fr or "").strip()
    recommendation.updated_at = timezone.now()
    recommendation.save()
    _relations(recommendation, addressees=addressees, items=items, articles=articles, evidence=evidence)
    audit_record(
        event_type="monitoring.recommendation_updated",
        actor=user,
        consultation=recommendation.consultation,
        object_repr=recommendation.label,
        request=request,
        extra={"strength": strength},
    )
    return recommendation


TRANSITIONS = {
    "propose": ({RecommendationStatus.DRAFT}, RecommendationStatus.PROPOSED),
    "redraft": ({RecommendationStatus.PROPOSED}, RecommendationStatus.DRAFT),
    "adopt": ({RecommendationStatus.PROPOSED}, RecommendationStatus.ADOPTED),
    "withdraw": ({RecommendationStatus.DRAFT, RecommendationStatus.PROPOSED}, RecommendationStatus.WITHDRAWN),
}


@transaction.atomic
def recommendation_transition(
    *,
    recommendation: Recommendation,
    action: str,
    user: Any,
    meeting: str = "",
    adopted_on: datetime.date | None = None,
    request: Any = None,
) -> Recommendation:
    """Move a recommendation along draft → proposed → adopted (with the meeting and its date), or withdraw it."""
    if action not in TRANSITIONS:
        raise RecommendationInvalid(_("Unknown action."))
    recommendation = _locked(recommendation)
    allowed_from, target = TRANSITIONS[action]
    if recommendation.status not in allowed_from:
        raise RecommendationInvalid(
            _("%(label)s is %(status)s: it cannot be %(target)s.")
            % {
                "label": recommendation.label,
                "status": recommendation.get_status_display().lower(),
                "target": RecommendationStatus(target).label.lower(),
            }
        )
    if target == RecommendationStatus.ADOPTED:
        if not (meeting or "").strip():
            raise RecommendationInvalid(_("Give the meeting at which the Committee adopted it."))
        if adopted_on is None:
            raise RecommendationInvalid(_("Give the date of adoption."))
        if adopted_on > timezone.localdate():
            raise RecommendationInvalid(_("The date of adoption cannot be in the future."))
        recommendation.meeting = meeting.strip()
        recommendation.adopted_on = adopted_on
    previous = recommendation.status
    recommendation.status = target
    recommendation.updated_at = timezone.now()
    recommendation.save()
    audit_record(
        event_type=f"monitoring.recommendation_{RecommendationStatus(target).value}",
        actor=user,
        consultation=recommendation.consultation,
        object_repr=recommendation.label,
        request=request,
        extra={
            "from": previous,
            "to": target,
            "meeting": recommendation.meeting,
            "adopted_on": recommendation.adopted_on.isoformat() if recommendation.adopted_on else None,
            "text_en": recommendation.text_en,
            "text_fr": recommendation.text_fr,
        },
    )
    return recommendation
