"""The consultation domain: reference data, consultations and their items, and the Parties' replies.

Storage of answers
------------------
Each ``Answer`` keeps its canonical value as JSON (``data``: what the form shows, what history
snapshots and diffs compare) and, written by the same service in the same transaction, one typed
row per value in ``AnswerChoice`` (single, multiple and ranking options), ``AnswerValue`` (text
and numbers), ``LegalReference`` and ``Attachment``. Reports count, rank and sum those typed rows
with GROUP BY in the database; nothing needs to load every answer into Python.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Chapter(models.Model):
    """One of the 13 chapters of the Lanzarote Convention (CETS No. 201)."""

    number = models.PositiveSmallIntegerField(unique=True)
    roman = models.CharField(max_length=8)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("chapter")
        verbose_name_plural = _("chapters")

    def __str__(self) -> str:
        return f"{self.roman}. {self.title}"


class Article(models.Model):
    """An article of the Convention; items are tagged with the articles they concern."""

    number = models.PositiveSmallIntegerField(unique=True)
    title = models.CharField(max_length=255)
    chapter = models.ForeignKey(Chapter, on_delete=models.PROTECT, related_name="articles")
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "The article's official text, entered by the Secretariat from the Convention (CETS No. 201); article "
            "reports quote it."
        ),
    )

    class Meta:
        ordering = ["number"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return f"Art. {self.number} – {self.title}"


class Party(models.Model):
    """A State Party to the Convention; its national delegation answers consultations."""

    iso2 = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100)
    if TYPE_CHECKING:  # the columns django-modeltranslation adds (consultation/translation.py), for mypy
        name_en: str
        name_fr: str
    is_member_state = models.BooleanField(default=True, help_text=_("Member State of the Council of Europe."))
    is_active = models.BooleanField(default=True, help_text=_("Inactive Parties are not asked to reply."))
    preferred_language = models.CharField(
        max_length=2, choices=settings.LANGUAGES, default="en", help_text=_("Language of reminders and notices.")
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("Party")
        verbose_name_plural = _("Parties")

    def __str__(self) -> str:
        return self.name


class ConsultationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


class Consultation(models.Model):
    """A consultation round: a set of items that every active Party is asked to answer."""

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    if TYPE_CHECKING:  # the columns django-modeltranslation adds (consultation/translation.py), for mypy
        title_en: str
        title_fr: str
        description_en: str
        description_fr: str
    source_reference = models.CharField(max_length=500, blank=True)
    opens_on = models.DateField(null=True, blank=True)
    closes_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ConsultationStatus.choices, default=ConsultationStatus.DRAFT)
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_rounds")
    data_version = models.PositiveIntegerField(
        default=0, help_text=_("Raised each time the set of submitted replies changes; reports compare it.")
    )
    confidential_by_default = models.BooleanField(
        default=False,
        help_text=_(
            "Set by the Secretariat: at sign-off, answers and attachments start as not for publication, and the "
            "head of delegation releases what may be published."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "slug"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__isnull=True)
                | models.Q(opens_on__isnull=True)
                | models.Q(closes_on__gte=models.F("opens_on")),
                name="consultation_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return self.title


class Theme(models.Model):
    """The technology axis of the 2024 paper (Generative AI, Machine learning, ...)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self) -> str:
        return self.name


class TranslationStatus(models.TextChoices):
    UNOFFICIAL = "unofficial", _("Unofficial translation")
    VALIDATED = "validated", _("Validated by the Secretariat")


class Item(models.Model):
    """One structured consultation question, with its answer definition (its ``fields``)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=20, help_text=_("Stable code, for example GENAI-01."))
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="items")
    articles = models.ManyToManyField(Article, related_name="items", blank=True)
    order = models.PositiveIntegerField(default=0)
    text = models.TextField()
    guidance = models.TextField(blank=True)
    context = models.TextField(blank=True, help_text=_("The paragraph of the source paper the question comes from."))
    translation_status = models.CharField(
        max_length=12, choices=TranslationStatus.choices, default=TranslationStatus.UNOFFICIAL
    )
    continues = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="continued_by",
        help_text=_("The item of the previous round this item asks again (its code or wording may have changed)."),
    )

    class Meta:
        ordering = ["consultation", "order", "code"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "code"], name="item_code_unique_per_consultation")
        ]

    def __str__(self) -> str:
        return self.code


class ItemAddressee(models.Model):
    """A Party an item is put to. An item without any is put to every Party; an item with some (a follow-up
    question on a recommendation addressed to a few Parties) is shown to, answered and counted for those only."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="addressees")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("item addressee")
        verbose_name_plural = _("item addressees")
        constraints = [models.UniqueConstraint(fields=["item", "party"], name="item_addressee_unique")]

    def __str__(self) -> str:
        return f"{self.item_id}:{self.party_id}"


class FieldType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    RANKING = "ranking", _("Ranking of listed options")
    TEXT = "text", _("Free text")
    LEGAL_REFERENCES = "legal_references", _("Legal references")
    NUMBER = "number", _("Number")
    ATTACHMENT = "attachment", _("File attachment")


CHOICE_FIELD_TYPES = frozenset({FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.RANKING})


class Field(models.Model):
    """One typed part of an item's answer definition; data, so the Secretariat can author items."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="fields")
    key = models.SlugField(max_length=40, help_text=_("Stable key within the item, for example 'position'."))
    type = models.CharField(max_length=20, choices=FieldType.choices)
    label = models.CharField(max_length=300)
    help = models.TextField(blank=True)
    required = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    max_length = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("For free text: the longest answer accepted, in characters.")
    )
    unit = models.CharField(max_length=40, blank=True, help_text=_("For numbers: the unit, if any."))
    # Number bounds. Empty: what the typed row stores (below 10^16 either way, 4 decimal places at most).
    min_value = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For numbers: the lowest value accepted (0 for a count or an amount)."),
    )
    max_value = models.DecimalField(
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("For numbers: the highest value accepted (100 for a percentage)."),
    )
    decimal_places = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(4)],
        help_text=_("For numbers: the decimal places accepted (0 for a count); empty: up to 4."),
    )
    suggested_words = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("For free text: the length the Committee suggests, in words (shown beside a live word count)."),
    )

    class Meta:
        ordering = ["item", "order", "id"]
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        constraints = [
            models.UniqueConstraint(fields=["item", "key"], name="field_key_unique_per_item"),
            models.CheckConstraint(
                condition=models.Q(min_value__isnull=True)
                | models.Q(max_value__isnull=True)
                | models.Q(min_value__lte=models.F("max_value")),
                name="field_number_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code}.{self.key}"

    def clean(self) -> None:
        if self.min_value is not None and self.max_value is not None and self.min_value > self.max_value:
            raise ValidationError({"max_value": _("The highest value must not be below the lowest.")})

    @property
    def has_options(self) -> bool:
        return self.type in CHOICE_FIELD_TYPES


class Option(models.Model):
    """A listed option of a single choice, multiple choice or ranking field."""

    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=40)
    label = models.CharField(max_length=300)
    if TYPE_CHECKING:  # the columns django-modeltranslation adds (consultation/translation.py), for mypy
        label_en: str
        label_fr: str
    order = models.PositiveSmallIntegerField(default=0)
    needs_specification = models.BooleanField(
        default=False,
        help_text=_("“Other (please specify)”: choosing this option asks for a short text, required at submission."),
    )

    class Meta:
        ordering = ["field", "order", "id"]
        verbose_name = _("option")
        verbose_name_plural = _("options")
        constraints = [models.UniqueConstraint(fields=["field", "key"], name="option_key_unique_per_field")]

    def __str__(self) -> str:
        return self.label


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready for sign-off")
    SUBMITTED = "submitted", _("Submitted")
    REOPENED = "reopened", _("Reopened")


EDITABLE_RESPONSE_STATUSES = frozenset({ResponseStatus.DRAFT, ResponseStatus.READY, ResponseStatus.REOPENED})


class Response(models.Model):
    """A Party's reply to a consultation: exactly one per Party and consultation."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    last_activity_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ready_reset_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When an edit returned a reply marked ready for sign-off to draft.")
    )
    ready_reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)
    extended_until = models.DateField(
        null=True, blank=True, help_text=_("Deadline extension granted to this Party by the Secretariat.")
    )

    class Meta:
        ordering = ["consultation", "party__name_en"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.UniqueConstraint(fields=["consultation", "party"], name="response_unique_per_party"),
            models.CheckConstraint(
                condition=~models.Q(status="submitted") | models.Q(submitted_at__isnull=False),
                name="response_submitted_has_timestamp",
            ),
        ]
        indexes = [models.Index(fields=["consultation", "status"])]

    def __str__(self) -> str:
        return f"{self.party} – {self.consultation}"

    @property
    def deadline(self):
        return self.extended_until or self.consultation.closes_on


class Answer(models.Model):
    """A Party's answer to one item: exactly one per reply and item, versioned for safe co-editing."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="answers")
    data = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=0)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    is_answered = models.BooleanField(default=False)
    is_complete = models.BooleanField(default=False, help_text=_("Every required field has a value."))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidential = models.BooleanField(
        null=True,
        blank=True,
        help_text=_("Not for publication, as the head of delegation chose at sign-off (empty: not decided yet)."),
    )
    confidential_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["response", "item__order"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="answer_unique_per_item")]

    def __str__(self) -> str:
        return f"{self.response.party} – {self.item.code}"


class AnswerRevision(models.Model):
    """Every saved state of an answer (who, when, what), for the history, diffs and restores."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(
        max_length=20, default="web", help_text=_("web, import, restore, carry-over, confirmed (no change)")
    )
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["answer", "-version"]
        constraints = [models.UniqueConstraint(fields=["answer", "version"], name="revision_unique_version")]

    def __str__(self) -> str:
        return f"{self.answer} v{self.version}"


class AnswerChoice(models.Model):
    """A selected option (single or multiple choice) or a ranked option (``rank`` from 1)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="choices")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="answer_choices")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "option"], name="choice_unique_per_answer")]
        indexes = [models.Index(fields=["field", "option"])]

    def __str__(self) -> str:
        return f"{self.answer_id}:{self.option_id}"


class AnswerValue(models.Model):
    """The text or number value of a free-text or number field."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="values")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "field"], name="value_unique_per_field")]

    def __str__(self) -> str:
        return self.text[:60] if self.text else str(self.number)


class LegalReference(models.Model):
    """One row of a legal references field: instrument, provision and an optional link."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="legal_references")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    instrument = models.CharField(max_length=500)
    provision = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)

    class Meta:
        ordering = ["answer", "field", "position"]
        constraints = [
            models.UniqueConstraint(fields=["answer", "field", "position"], name="legal_reference_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.provision}".strip()


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:16]}-{filename[-80:]}"


class Attachment(models.Model):
    """A supporting document uploaded to an answer; served only through an access-checked view."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="attachments")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    file = models.FileField(upload_to=attachment_upload_to, max_length=300)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidential = models.BooleanField(
        null=True,
        blank=True,
        help_text=_("Not for publication, as the head of delegation chose at sign-off (empty: not decided yet)."),
    )
    confidential_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["answer", "uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ResponseSubmission(models.Model):
    """The frozen content of a reply at each official submission (the reply can be reopened)."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="submissions")
    sequence = models.PositiveIntegerField()
    submitted_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["response", "-sequence"]
        constraints = [models.UniqueConstraint(fields=["response", "sequence"], name="submission_unique_sequence")]

    def __str__(self) -> str:
        return f"{self.response} #{self.sequence}"


class SubmittedAnswer(models.Model):
    """A Party's answer to one item as it stands in the reply's last official submission.

    Written only by the submission service (a copy of the live answer and its typed rows, in the submission's
    transaction) and read only by reports: a reply reopened for correction keeps counting with what it last
    submitted until it is submitted again, and drafts never count. Consultation, Party and item are repeated on
    every typed row so the reports' GROUP BY reads one table.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="submitted_answers")
    submission = models.ForeignKey(ResponseSubmission, on_delete=models.CASCADE, related_name="answers")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(help_text=_("The live answer's version that was submitted."))
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    is_answered = models.BooleanField(default=False)
    submitted_at = models.DateTimeField()
    confidential = models.BooleanField(
        default=False, help_text=_("Not for publication: Committee documents only, never a public output.")
    )
    confidential_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("submitted answer")
        verbose_name_plural = _("submitted answers")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="submitted_answer_unique_per_item")]
        indexes = [models.Index(fields=["consultation", "item"])]

    def __str__(self) -> str:
        return f"{self.party_id}:{self.item_id} (submission {self.submission_id})"


class SubmittedRow(models.Model):
    """What every typed row of a submitted answer repeats, so reports aggregate without joins."""

    answer = models.ForeignKey(SubmittedAnswer, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    field = models.ForeignKey(Field, on_delete=models.CASCADE, related_name="+")
    confidential = models.BooleanField(
        default=False, help_text=_("Repeats the answer's (or the attachment's) mark: public outputs leave it out.")
    )

    class Meta:
        abstract = True


class SubmittedChoice(SubmittedRow):
    """A chosen (or ranked, ``rank`` from 1) option of a submitted answer."""

    option = models.ForeignKey(Option, on_delete=models.CASCADE, related_name="+")
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "option"], name="submitted_choice_unique")]
        indexes = [models.Index(fields=["consultation", "field", "option"])]

    def __str__(self) -> str:
        return f"{self.answer_id}:{self.option_id}"


class SubmittedValue(SubmittedRow):
    """The text or number of a submitted answer's field."""

    text = models.TextField(blank=True)
    number = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["answer", "field"], name="submitted_value_unique")]
        indexes = [models.Index(fields=["consultation", "field"])]

    def __str__(self) -> str:
        return self.text[:60] if self.text else str(self.number)


class SubmittedReference(SubmittedRow):
    """One legal reference row of a submitted answer."""

    position = models.PositiveSmallIntegerField()
    instrument = models.CharField(max_length=500)
    provision = models.CharField(max_length=255, blank=True)
    url = models.URLField(max_length=1000, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "field", "position"], name="submitted_reference_unique")
        ]
        indexes = [models.Index(fields=["consultation", "field"])]

    def __str__(self) -> str:
        return f"{self.instrument} {self.provision}".strip()


class SubmittedAttachment(SubmittedRow):
    """A document of a submitted answer, as it stood at submission, with the head of delegation's mark.

    The file itself stays the live ``Attachment``'s (``attachment`` is emptied if a reopened reply removes it);
    a publication copies the bytes it publishes, so a public file never depends on the live reply.
    """

    attachment = models.ForeignKey(Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=120)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    confidential_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["answer", "id"]
        indexes = [models.Index(fields=["consultation", "field"])]

    def __str__(self) -> str:
        return self.original_name


# --- The delegation's teamwork (internal to the delegation: never shown to the Secretariat or the Committee) ---


class ItemWorkStatus(models.TextChoices):
    TODO = "todo", _("To do")
    DRAFTING = "drafting", _("Drafting")
    LEGAL_CHECK = "legal_check", _("For legal check")
    DONE = "done", _("Done")


class ItemAssignment(models.Model):
    """Who in the delegation answers an item, by when, and where the internal work on it stands.

    One row per reply and item; internal to the delegation (no report, export or Secretariat page reads it).
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="assignments")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="item_assignments"
    )
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ItemWorkStatus.choices, default=ItemWorkStatus.TODO)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("item assignment")
        verbose_name_plural = _("item assignments")
        constraints = [models.UniqueConstraint(fields=["response", "item"], name="assignment_unique_per_item")]
        indexes = [models.Index(fields=["assignee", "status"])]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.item_id} ({self.status})"


class ItemComment(models.Model):
    """An internal comment of the delegation on one item of its reply; it can be resolved."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["response", "item", "created_at", "id"]
        verbose_name = _("internal comment")
        verbose_name_plural = _("internal comments")
        indexes = [models.Index(fields=["response", "item"])]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.item_id} #{self.pk}"


class EditingPresence(models.Model):
    """Which item a person has open in the editor of their reply, refreshed by a heartbeat; stale after a TTL."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "user"], name="presence_unique_per_person")]
        indexes = [models.Index(fields=["response", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.item_id}"


class TeamNoticeKind(models.TextChoices):
    ASSIGNED = "assigned", _("Item assigned")
    MENTIONED = "mentioned", _("Mentioned in a comment")
    READY_RESET = "ready_reset", _("Reply returned to draft")


class TeamNotice(models.Model):
    """An e-mail to one member of the delegation about its teamwork, written with the change and sent once.

    The row is the outbox: the service writes it in the change's transaction and queues the send on commit;
    the task sends it once (``sent_at``), in the recipient's language.
    """

    kind = models.CharField(max_length=12, choices=TeamNoticeKind.choices)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}"


class ReminderKind(models.TextChoices):
    BEFORE_14 = "d-14", _("14 days before the deadline")
    BEFORE_7 = "d-7", _("7 days before the deadline")
    BEFORE_1 = "d-1", _("1 day before the deadline")
    OVERDUE = "overdue", _("Deadline passed")
    MANUAL = "manual", _("Sent by the Secretariat")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """A reminder e-mail to a Party; automatic kinds are unique per Party and deadline."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="reminders")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField(help_text=_("The deadline the reminder refers to."))
    status = models.CharField(max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    language = models.CharField(max_length=2, choices=settings.LANGUAGES, default="en")
    recipients = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "party", "kind", "deadline"],
                condition=~models.Q(kind="manual"),
                name="reminder_automatic_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.party} – {self.get_kind_display()}"


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """A data export of a consultation's answers, built in the background for large data sets."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    format = models.CharField(max_length=5, choices=[("xlsx", "XLSX"), ("csv", "CSV"), ("json", "JSON")])
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to="exports/%Y/%m/", blank=True, max_length=300)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.consultation.slug} {self.format} ({self.get_status_display()})"
