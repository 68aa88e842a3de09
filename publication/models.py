"""What the Committee publishes of the replies it received, and the public site that shows it.

A ``Publication`` is one published version of one Party's reply to one consultation: a snapshot of the submitted
copy (``consultation.SubmittedAnswer`` and its rows, frozen at the submission the Secretariat published) minus every
answer and document the head of delegation marked "not for publication". The snapshot is its own rows
(``PublishedAnswer``, ``PublishedDocument`` with a copy of the file), so nothing the delegation does afterwards (a
reopening, a removed document, a new draft) can change or reveal anything on the public site. A correction submitted
after a reopening is published as the next version; the earlier one stays readable and cited ("replaced by version
2 on ..."). Withdrawing takes every version of the Party's reply off the site at once.

``consultation`` knows nothing of this app; it reads the submitted copy, never the live answers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PublicationQuerySet(models.QuerySet["Publication"]):
    def visible(self) -> PublicationQuerySet:
        """Every version the public may read: not withdrawn (current and superseded ones)."""
        return self.filter(withdrawn_at__isnull=True)

    def current(self) -> PublicationQuerySet:
        """The version the public site shows for each Party: not withdrawn, not replaced."""
        return self.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)


class Publication(models.Model):
    """One published version of a Party's reply to a consultation."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text=_("Version 1, 2, ... of this Party's published reply."))
    submission = models.ForeignKey(
        "consultation.ResponseSubmission", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_sequence = models.PositiveIntegerField(help_text=_("Which official submission this version copies."))
    submitted_at = models.DateTimeField()
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    superseded_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdraw_reason = models.TextField(blank=True)
    answer_count = models.PositiveIntegerField(default=0)
    withheld_count = models.PositiveIntegerField(
        default=0, help_text=_("Answers and documents left out because the Party marked them not for publication.")
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["consultation", "party__name_en", "-number"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "party", "number"], name="publication_unique_number"),
            models.UniqueConstraint(
                fields=["consultation", "party"],
                condition=models.Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="publication_one_current",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "withdrawn_at", "superseded_at"])]

    def __str__(self) -> str:
        return f"{self.party} – {self.consultation} v{self.number}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class PublishedAnswer(models.Model):
    """A published answer: the submitted value of one item (never one marked not for publication)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="answers")
    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey("consultation.Item", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    data = models.JSONField(
        default=dict, help_text=_("The answer's value by field key; documents are PublishedDocument ids.")
    )
    text = models.TextField(blank=True, help_text=_("The answer's words, for the public search."))

    class Meta:
        ordering = ["publication", "item__order"]
        constraints = [models.UniqueConstraint(fields=["publication", "item"], name="published_answer_unique_item")]
        indexes = [models.Index(fields=["consultation", "item"])]

    def __str__(self) -> str:
        return f"{self.publication} {self.item_id}"


def published_document_upload_to(instance: PublishedDocument, filename: str) -> str:
    return f"published/{instance.publication_id}/{instance.sha256[:16]}-{filename[-80:]}"


class PublishedDocument(models.Model):
    """A copy of a submitted document released for publication (the live file may later be removed)."""

    publication = models.ForeignKey(Publication, on_delete=models.CASCADE, related_name="documents")
    answer = models.ForeignKey(PublishedAnswer, on_delete=models.CASCADE, related_name="documents")
    field = models.ForeignKey("consultation.Field", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=published_document_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["answer", "id"]

    def __str__(self) -> str:
        return self.original_name
