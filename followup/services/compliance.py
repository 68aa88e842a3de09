"""The Committee's compliance assessments: per recommendation and Party, with reasons citing the follow-up reply."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Party, SubmittedAnswer
from monitoring.models import Recommendation, RecommendationStatus

from ..errors import FollowUpError
from ..models import Assessment, ComplianceAssessment, FollowUpItem

REASONS_MAX = 10_000


def _check(*, recommendation: Recommendation, party: Party, assessment: str, reasons: str) -> None:
    if recommendation.status != RecommendationStatus.ADOPTED:
        raise FollowUpError(_("Only an adopted recommendation is assessed for compliance."))
    if assessment not in Assessment.values:
        raise FollowUpError(_("Choose an assessment: compliant, partly compliant, not compliant or not assessed."))
    if assessment != Assessment.NOT_ASSESSED and not reasons:
        raise FollowUpError(_("Give the reasons for the assessment, citing the Party's follow-up reply."))
    if len(reasons) > REASONS_MAX:
        raise FollowUpError(_("The reasons are limited to %(n)s characters.") % {"n": f"{REASONS_MAX:,}"})
    addressees = recommendation.addressees.all()
    if addressees.exists() and not addressees.filter(pk=party.pk).exists():
        raise FollowUpError(
            _("%(label)s is not addressed to %(party)s.") % {"label": recommendation.label, "party": party.name}
        )


@transaction.atomic
def compliance_assess(
    *, recommendation: Recommendation, party: Party, assessment: str, reasons: str, user: Any, request: Any = None
) -> ComplianceAssessment:
    """Record (or change) the assessment of ``party``'s compliance with ``recommendation``.

    It cites the Party's follow-up reply as last submitted (submission and answer version), so a later
    resubmission shows that the assessment was made on an earlier text.
    """
    reasons = (reasons or "").strip()
    _check(recommendation=recommendation, party=party, assessment=assessment, reasons=reasons)
    follow_up = FollowUpItem.objects.filter(recommendation=recommendation).values_list("item_id", flat=True).first()
    cited = (
        SubmittedAnswer.objects.filter(item_id=follow_up, party=party).values("submission_id", "version").first()
        if follow_up
        else None
    )
    row = ComplianceAssessment.objects.select_for_update().filter(recommendation=recommendation, party=party).first()
    previous = (row.assessment, row.reasons) if row else (Assessment.NOT_ASSESSED, "")
    if row is None:
        row = ComplianceAssessment(recommendation=recommendation, party=party)
    row.assessment = assessment
    row.reasons = reasons
    row.submission_id = cited["submission_id"] if cited else None
    row.answer_version = cited["version"] if cited else None
    row.assessed_by = user if getattr(user, "is_authenticated", False) else None
    row.assessed_at = timezone.now()
    row.save()
    audit_record(
        event_type="followup.compliance_assessed",
        actor=user,
        party=party,
        consultation=recommendation.consultation,
        object_repr=f"{recommendation.label}:{party.iso2}",
        request=request,
        extra={
            "from": previous[0],
            "to": assessment,
            "previous_reasons": previous[1],
            "reasons": reasons,
            "submission": row.submission_id,
            "answer_version": row.answer_version,
        },
    )
    return row
