"""Voices other than the States': organisations' comments and replies, and children's group contributions.

The Committee's Rules of Procedure invite civil society (NGOs, national human rights institutions,
ombudspersons for children, professional bodies) to comment on the Parties' replies within a deadline; the
Secretariat transmits the comments to the Party concerned and publishes them when it decides. Children's views
are gathered by facilitators in groups and entered without personal data (an age band, a setting, a count).
These never mix with the State replies: they live here, and reports print them in sections of their own.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StakeholderInvitation(models.Model):
    """An organisation invited to take part in one consultation, until a deadline."""

    consultation = models.ForeignKey(
        "consultation.Consultation", on_delete=models.CASCADE, related_name="stakeholder_invitations"
    )
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField(_("deadline for comments"))
    may_reply = models.BooleanField(
        _("may answer the questionnaire"), default=True, help_text=_("Besides commenting on the Parties' replies.")
    )
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("stakeholder invitation")
        verbose_name_plural = _("stakeholder invitations")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "organisation"], name="stakeholder_invitation_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.consultation}"

    def is_open(self, today: object = None) -> bool:
        return (today or timezone.localdate()) <= self.deadline


class ContributionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class StakeholderComment(models.Model):
    """An organisation's comment on one Party's reply: on one item, or on the reply as a whole (no item)."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="comments")
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="stakeholder_comments")
    item = models.ForeignKey("consultation.Item", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("comment"))
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    status = models.CharField(max_length=10, choices=ContributionStatus.choices, default=ContributionStatus.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the Party's delegation was told by e-mail.")
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["party__name_en", "item__order", "submitted_at", "id"]
        verbose_name = _("stakeholder comment")
        verbose_name_plural = _("stakeholder comments")
        indexes = [models.Index(fields=["consultation", "party", "status"])]

    def __str__(self) -> str:
        return f"{self.organisation} on {self.party} ({self.item.code if self.item_id else 'overall'})"


class StakeholderReply(models.Model):
    """An organisation's own answers to the questionnaire (free text per item)."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="replies")
    status = models.CharField(max_length=10, choices=ContributionStatus.choices, default=ContributionStatus.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("stakeholder reply")
        verbose_name_plural = _("stakeholder replies")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "organisation"], name="stakeholder_reply_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.consultation}"


class StakeholderAnswer(models.Model):
    reply = models.ForeignKey(StakeholderReply, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("consultation.Item", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(blank=True)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["item__order"]
        constraints = [models.UniqueConstraint(fields=["reply", "item"], name="stakeholder_answer_unique")]

    def __str__(self) -> str:
        return f"{self.reply} – {self.item_id}"


class AgeBand(models.TextChoices):
    UNDER_10 = "under_10", _("Under 10")
    AGE_10_13 = "10_13", _("10 to 13")
    AGE_14_17 = "14_17", _("14 to 17")
    MIXED = "mixed", _("Mixed ages")


class Setting(models.TextChoices):
    SCHOOL = "school", _("School")
    YOUTH = "youth", _("Youth organisation or club")
    ONLINE = "online", _("Online consultation")
    CARE = "care", _("Care or protection setting")
    OTHER = "other", _("Other setting")


MAX_CHILDREN_PER_GROUP = 500


class ChildrenContribution(models.Model):
    """What one group of children said on one technology theme, entered by its facilitator without personal data."""

    consultation = models.ForeignKey(
        "consultation.Consultation", on_delete=models.CASCADE, related_name="children_contributions"
    )
    theme = models.ForeignKey("consultation.Theme", on_delete=models.PROTECT, related_name="+")
    party = models.ForeignKey(
        "consultation.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The country where the group met, if any."),
    )
    age_band = models.CharField(_("age band"), max_length=10, choices=AgeBand.choices)
    setting = models.CharField(_("setting"), max_length=10, choices=Setting.choices)
    children_count = models.PositiveSmallIntegerField(
        _("number of children"), validators=[MinValueValidator(1), MaxValueValidator(MAX_CHILDREN_PER_GROUP)]
    )
    views = models.TextField(_("the children's views"))
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    gathered_on = models.DateField(_("date of the session"))
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["theme__order", "gathered_on", "id"]
        verbose_name = _("children's contribution")
        verbose_name_plural = _("children's contributions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(children_count__gte=1, children_count__lte=MAX_CHILDREN_PER_GROUP),
                name="children_count_in_bounds",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_age_band_display()} · {self.theme} · {self.children_count}"
