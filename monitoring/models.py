"""The rapporteurs' work on the submitted replies: assignments, codebook, codings, observations, recommendations.

Everything here reads the consultation's submitted copy (``consultation.SubmittedAnswer`` and its typed rows),
never the live drafts. A coding points at the reply, item and field (stable across submissions, unlike the
submitted copy's rows, which each submission replaces) and keeps the quoted text, its offsets and the submitted
answer version it was made on; ``monitoring.services.codings.codings_flag_changed`` compares the quote with the
current submitted text and flags the coding for review when the Party's resubmission changed it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

ROMAN = ("", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV")


def in_language(english: str, french: str) -> str:
    """The French text when the interface is in French and there is one, else the English."""
    if (get_language() or "en").startswith("fr") and french:
        return french
    return english


class RapporteurAssignment(models.Model):
    """A Committee member appointed rapporteur for one item, or for every item of the consultation tagged with
    one article of the Convention."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rapporteur_of")
    item = models.ForeignKey("consultation.Item", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(
        "consultation.Article", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["consultation", "item__order", "article__number", "user__email"]
        verbose_name = _("rapporteur assignment")
        verbose_name_plural = _("rapporteur assignments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, article__isnull=True)
                | models.Q(item__isnull=True, article__isnull=False),
                name="assignment_item_or_article",
            ),
            models.UniqueConstraint(
                fields=["user", "item"], condition=models.Q(item__isnull=False), name="assignment_unique_item"
            ),
            models.UniqueConstraint(
                fields=["user", "consultation", "article"],
                condition=models.Q(article__isnull=False),
                name="assignment_unique_article",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.item or self.article}"


class CodeGroup(models.Model):
    """A group of codes in a consultation's codebook (a REFI-QDA "Set")."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    guid = models.UUIDField(default=uuid.uuid4, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["consultation", "order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name_en"], name="code_group_unique_name"),
            models.UniqueConstraint(fields=["consultation", "guid"], name="code_group_unique_guid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_en, self.name_fr)


class Code(models.Model):
    """A code of the consultation's codebook, reusable across its items."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    group = models.ForeignKey(CodeGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="codes")
    guid = models.UUIDField(default=uuid.uuid4, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    color = models.CharField(max_length=7, blank=True, help_text=_("#RRGGBB, shown in QDA software."))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["consultation", "order", "name_en"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "name_en"], name="code_unique_name"),
            models.UniqueConstraint(fields=["consultation", "guid"], name="code_unique_guid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_language(self.name_en, self.name_fr)

    @property
    def definition(self) -> str:
        return in_language(self.definition_en, self.definition_fr)


class Coding(models.Model):
    """A code applied to a passage of a submitted text answer (``field`` and offsets), or to a whole answer
    (no field, no offsets)."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("consultation.Response", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("consultation.Item", on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey("consultation.Field", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    submission = models.ForeignKey(
        "consultation.ResponseSubmission", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answer_version = models.PositiveIntegerField(help_text=_("The submitted answer version the coding was made on."))
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item", "party__name_en", "field", "start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(field__isnull=True, start__isnull=True, end__isnull=True)
                | models.Q(field__isnull=False, start__isnull=False, end__gt=models.F("start")),
                name="coding_passage_or_whole_answer",
            ),
            models.UniqueConstraint(
                fields=["code", "response", "item", "field", "start", "end"],
                condition=models.Q(field__isnull=False),
                name="coding_unique_passage",
            ),
            models.UniqueConstraint(
                fields=["code", "response", "item"], condition=models.Q(field__isnull=True), name="coding_unique_whole"
            ),
        ]
        indexes = [models.Index(fields=["consultation", "item", "party"])]

    def __str__(self) -> str:
        return f"{self.code} @ {self.party_id}:{self.item_id}"

    @property
    def is_whole_answer(self) -> bool:
        return self.field_id is None


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready for the Committee")


class ItemAnalysis(models.Model):
    """Per item: the rapporteur's observations (Markdown, versioned) and whether the coding is final."""

    item = models.OneToOneField("consultation.Item", on_delete=models.CASCADE, related_name="analysis")
    observations = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ObservationStatus.choices, default=ObservationStatus.DRAFT)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    coding_final_at = models.DateTimeField(null=True, blank=True)
    coding_final_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("item analysis")
        verbose_name_plural = _("item analyses")

    def __str__(self) -> str:
        return f"{self.item} v{self.version}"


class ObservationRevision(models.Model):
    """Every saved state of an item's observations, for the history and its diffs."""

    analysis = models.ForeignKey(ItemAnalysis, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["analysis", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["analysis", "version"], name="observation_revision_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.analysis.item_id} v{self.version}"


class ObservationComment(models.Model):
    """A Committee member's comment on an item's observations."""

    analysis = models.ForeignKey(ItemAnalysis, on_delete=models.CASCADE, related_name="comments")
    version = models.PositiveIntegerField(help_text=_("The observations' version the comment was made on."))
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["analysis", "created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class Strength(models.TextChoices):
    URGES = "urges", _("Urges")
    CONSIDERS = "considers", _("Considers")
    INVITES = "invites", _("Invites")
    REQUESTS = "requests", _("Requests")


class RecommendationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    ADOPTED = "adopted", _("Adopted")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Recommendation(models.Model):
    """A numbered recommendation (R1... or per chapter, "IV-3"); numbers are never reused, adopted ones locked."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    chapter = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Chapter of the report, for numbering per chapter (IV-3); empty for R1...")
    )
    number = models.PositiveSmallIntegerField()
    strength = models.CharField(max_length=10, choices=Strength.choices)
    addressees = models.ManyToManyField(
        "consultation.Party", blank=True, related_name="+", help_text=_("None: all Parties.")
    )
    items = models.ManyToManyField("consultation.Item", blank=True, related_name="+")
    articles = models.ManyToManyField("consultation.Article", blank=True, related_name="+")
    evidence = models.ManyToManyField(Coding, blank=True, related_name="recommendations")
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    status = models.CharField(max_length=10, choices=RecommendationStatus.choices, default=RecommendationStatus.DRAFT)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    adopted_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["consultation", "chapter", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "number"],
                condition=models.Q(chapter__isnull=True),
                name="recommendation_r_unique",
            ),
            models.UniqueConstraint(
                fields=["consultation", "chapter", "number"],
                condition=models.Q(chapter__isnull=False),
                name="recommendation_chapter_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="adopted") | models.Q(adopted_on__isnull=False),
                name="recommendation_adopted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.chapter is None:
            return f"R{self.number}"
        roman = ROMAN[self.chapter] if self.chapter < len(ROMAN) else str(self.chapter)
        return f"{roman}-{self.number}"

    @property
    def text(self) -> str:
        return in_language(self.text_en, self.text_fr)

    @property
    def is_locked(self) -> bool:
        return self.status in (RecommendationStatus.ADOPTED, RecommendationStatus.WITHDRAWN)
