"""The rapporteurs' work on the submitted replies: assignments, codebook, codings, observations, recommendations.

Everything here reads the consultation's submitted copy (``consultation.SubmittedAnswer`` and its typed rows),
never the live drafts. A coding points at the reply, item and field (stable across submissions, unlike the
submitted copy's rows, which each submission replaces) and keeps the quoted text, its offsets and the submitted
answer version it was made on. Whether a coding still matches the reply is derived when it is read
(``Coding.objects.with_review()``, in SQL): a resubmission that changed the quoted words shows the coding "to
review" at once, without any page writing flags.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from consultation.models import Article, Item

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


CHANGED_PASSAGE = "changed_passage"
CHANGED_ANSWER = "changed_answer"


# Rows typed Any: the django-stubs plugin cannot follow the annotations these methods add (``review_reason``) through
# a method's return type, and would refuse the lookups on them.
class CodingQuerySet(models.QuerySet[Any]):
    def with_review(self) -> CodingQuerySet:
        """Annotate ``review_reason``: "" while the coding matches the Party's current submitted copy,
        ``changed_answer`` when the answer was resubmitted differently (whole-answer codings) or withdrawn, and
        ``changed_passage`` when the words at the passage's offsets are no longer the quote."""
        from consultation.models import SubmittedAnswer, SubmittedValue

        current = SubmittedAnswer.objects.filter(response_id=OuterRef("response_id"), item_id=OuterRef("item_id"))
        passage = (
            SubmittedValue.objects.filter(
                answer__response_id=OuterRef("response_id"),
                item_id=OuterRef("item_id"),
                field_id=OuterRef("field_id"),
            )
            .annotate(words=Substr("text", OuterRef("start") + 1, OuterRef("end") - OuterRef("start")))
            .values("words")[:1]
        )
        annotated: CodingQuerySet = self.annotate(current_version=Subquery(current.values("version")[:1])).annotate(
            review_reason=Case(
                When(current_version__isnull=True, then=Value(CHANGED_ANSWER)),
                When(answer_version=F("current_version"), then=Value("")),
                When(field__isnull=True, then=Value(CHANGED_ANSWER)),
                When(Q(quote=Subquery(passage)), then=Value("")),
                default=Value(CHANGED_PASSAGE),
                output_field=models.CharField(),
            )
        )
        return annotated

    def current(self) -> CodingQuerySet:
        """Only the codings that still match the submitted replies (what comparisons count)."""
        return self.with_review().filter(review_reason="")


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
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CodingQuerySet.as_manager()

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

    @property
    def needs_review(self) -> bool:
        """Read from ``with_review()``'s annotation; a coding loaded without it is taken as current."""
        return bool(getattr(self, "review_reason", ""))


class ObservationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready for the Committee")
    ADOPTED = "adopted", _("Adopted by the Committee")


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
    adopted_on = models.DateField(null=True, blank=True)
    adopted_meeting = models.CharField(max_length=200, blank=True)
    adopted_by = models.ForeignKey(
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
    items: models.ManyToManyField[Item, Any] = models.ManyToManyField("consultation.Item", blank=True, related_name="+")
    articles: models.ManyToManyField[Article, Any] = models.ManyToManyField(
        "consultation.Article", blank=True, related_name="+"
    )
    evidence: models.ManyToManyField[Coding, Any] = models.ManyToManyField(
        Coding, blank=True, related_name="recommendations"
    )
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


class BuildStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being built")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


ACTIVE_BUILD_STATUSES = (BuildStatus.QUEUED, BuildStatus.RUNNING)


class ImplementationReport(models.Model):
    """One build of a consultation's implementation report, both editions (English and French), assembled from
    the adopted recommendations, the observations, the code-based comparisons and the compilation of replies.

    Requested by the Secretariat or a rapporteur, built by a Celery worker; every build keeps its files, so an
    edition sent to the Committee stays downloadable after a later rebuild."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=BuildStatus.choices, default=BuildStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text=_("What the build contains, for the page."))

    class Meta:
        ordering = ["consultation", "-number"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="implementation_report_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.consultation_id} #{self.number}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_BUILD_STATUSES


def implementation_report_upload(instance: ImplementationReportFile, filename: str) -> str:
    return f"implementation-reports/{instance.report_id}/{filename}"


class ImplementationReportFile(models.Model):
    """One edition in one format of a built implementation report."""

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="files")
    language = models.CharField(max_length=2, choices=[("en", "English"), ("fr", "Français")])
    format = models.CharField(max_length=4, choices=[("pdf", "PDF"), ("docx", "DOCX"), ("html", "HTML")])
    file = models.FileField(upload_to=implementation_report_upload, max_length=300)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["report", "language", "format"]
        constraints = [
            models.UniqueConstraint(fields=["report", "language", "format"], name="implementation_file_unique")
        ]

    def __str__(self) -> str:
        return f"{self.report} {self.language}.{self.format}"
