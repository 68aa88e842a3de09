"""Follow-up of the Committee's recommendations, and its assessment of each Party's compliance.

The follow-up round is an ordinary consultation (same workspace, deadlines, reminders and sign-off): this app
only remembers which consultation follows up which round and which of its items asks about which recommendation
(``FollowUpItem``, the generator's idempotency key), and records the Committee's assessment per recommendation and
Party (``ComplianceAssessment``), citing the follow-up reply it rests on.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FollowUpRound(models.Model):
    """The consultation that asks the Parties what they did about ``source``'s adopted recommendations."""

    source = models.OneToOneField("consultation.Consultation", on_delete=models.CASCADE, related_name="follow_up")
    consultation = models.OneToOneField(
        "consultation.Consultation", on_delete=models.CASCADE, related_name="follow_up_of"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("follow-up round")
        verbose_name_plural = _("follow-up rounds")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.consultation_id}"


class FollowUpItem(models.Model):
    """The follow-up question on one recommendation (one per recommendation, whatever how often it is run)."""

    round = models.ForeignKey(FollowUpRound, on_delete=models.CASCADE, related_name="items")
    recommendation = models.OneToOneField(
        "monitoring.Recommendation", on_delete=models.CASCADE, related_name="follow_up_item"
    )
    item = models.OneToOneField("consultation.Item", on_delete=models.CASCADE, related_name="follow_up_of")

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")

    def __str__(self) -> str:
        return f"{self.recommendation_id} → {self.item_id}"


class ImplementationStatus(models.TextChoices):
    """The options of a follow-up item's status field (their keys are the options' keys)."""

    IMPLEMENTED = "implemented", _("Implemented")
    PARTLY = "partly", _("Partly implemented")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_IMPLEMENTED = "not_implemented", _("Not implemented")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Assessment(models.TextChoices):
    COMPLIANT = "compliant", _("Compliant")
    PARTLY = "partly", _("Partly compliant")
    NOT_COMPLIANT = "not_compliant", _("Not compliant")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class ComplianceAssessment(models.Model):
    """The Committee's assessment of one Party's compliance with one recommendation (the latest; every change is
    in the audit log with its reasons)."""

    recommendation = models.ForeignKey(
        "monitoring.Recommendation", on_delete=models.CASCADE, related_name="compliance_assessments"
    )
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="+")
    assessment = models.CharField(max_length=15, choices=Assessment.choices, default=Assessment.NOT_ASSESSED)
    reasons = models.TextField(blank=True)
    submission = models.ForeignKey(
        "consultation.ResponseSubmission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The Party's follow-up submission the assessment cites."),
    )
    answer_version = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("The version of the Party's follow-up answer the assessment cites.")
    )
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    assessed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("compliance assessment")
        verbose_name_plural = _("compliance assessments")
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "party"], name="compliance_unique_per_party"),
            models.CheckConstraint(
                condition=models.Q(assessment="not_assessed") | ~models.Q(reasons=""),
                name="compliance_assessed_has_reasons",
            ),
        ]
        indexes = [models.Index(fields=["party", "assessment"])]

    def __str__(self) -> str:
        return f"{self.recommendation_id}:{self.party_id} {self.assessment}"
