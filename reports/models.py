"""Comparative reports: what the Committee reads, built in the background from submitted replies.

A ``Report`` is one scope of one consultation (an article, a theme, an item, article × theme, or the
overview). Each build is a ``ReportRun`` (the state users watch); a successful run writes exactly
one ``ReportVersion`` holding the aggregated figures (``data``, the single source of every output)
and the rendered HTML, PDF, DOCX and XLSX. ``Report.current_version`` flips to the new version in
the same transaction that marks the run done, so an interrupted build never replaces a good one.

A build has an audience. The Committee's builds (the default) count every submitted reply and become the report's
current version. A public build (requested from the Secretariat's publication page) counts only the Parties whose
reply is published, without the answers marked not for publication; its versions are "public editions", never the
report's current version, published on the public site and withdrawn from it when a Party's publication is withdrawn.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class ScopeKind(models.TextChoices):
    OVERVIEW = "overview", _("Consultation overview")
    ARTICLE = "article", _("Convention article")
    THEME = "theme", _("Technology theme")
    ITEM = "item", _("Item (compilation of replies)")
    ARTICLE_THEME = "article_theme", _("Article × theme")


class ReportLanguage(models.TextChoices):
    # Headings are in English and French; the Parties' answers stay in the language written.
    BILINGUAL = "bilingual", _("English and French")


EDITION_LANGUAGES = ("en", "fr")  # every build writes one edition of each format per language


class EditionFormat(models.TextChoices):
    HTML = "html", "HTML"
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"


class Audience(models.TextChoices):
    """Who a build is for: the Committee reads every submitted reply; a public edition only what is published."""

    COMMITTEE = "committee", _("Committee")
    PUBLIC = "public", _("Public")


class Classification(models.TextChoices):
    PUBLIC = "public", _("Public")
    RESTRICTED = "restricted", _("Restricted")


class ReportSeries(models.Model):
    """The Secretariat's document series of a consultation: each report gets the next symbol of the series
    (``T-ES(2025)`` + ``07``) on its first build, proposed on every version and changeable before publishing."""

    consultation = models.OneToOneField(
        "consultation.Consultation", on_delete=models.CASCADE, related_name="report_series"
    )
    prefix = models.CharField(
        _("symbol prefix"), max_length=40, help_text=_("For example T-ES(2025); the number follows it.")
    )
    next_number = models.PositiveIntegerField(_("next number"), default=1)
    meeting = models.CharField(
        _("meeting"), max_length=200, blank=True, help_text=_("For example: 45th plenary meeting, 2-4 June 2026.")
    )
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )

    class Meta:
        verbose_name = _("document series")
        verbose_name_plural = _("document series")

    def __str__(self) -> str:
        return f"{self.prefix} ({self.consultation_id})"

    def symbol(self, number: int) -> str:
        return f"{self.prefix}{number:02d}"


class Report(models.Model):
    """One report scope of a consultation; its versions are the builds that succeeded."""

    consultation = models.ForeignKey("consultation.Consultation", on_delete=models.CASCADE, related_name="reports")
    scope_kind = models.CharField(max_length=16, choices=ScopeKind.choices)
    scope_key = models.CharField(
        max_length=80, blank=True, help_text=_("Article number, theme code, item code, or 'number:theme'.")
    )
    language = models.CharField(max_length=10, choices=ReportLanguage.choices, default=ReportLanguage.BILINGUAL)
    title = models.CharField(max_length=500, blank=True)
    title_en = models.CharField(max_length=500, blank=True)
    title_fr = models.CharField(max_length=500, blank=True)
    symbol = models.CharField(
        max_length=60, blank=True, help_text=_("Taken from the consultation's series on the first build.")
    )
    current_version = models.OneToOneField(
        "ReportVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="current_of"
    )
    built_data_version = models.IntegerField(
        default=-1, help_text=_("The consultation's data version the current version was built from.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["consultation", "scope_kind", "scope_key"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "scope_kind", "scope_key", "language"], name="report_unique_scope"
            )
        ]

    def __str__(self) -> str:
        return self.title_local or f"{self.scope_kind}:{self.scope_key}"

    @property
    def title_local(self) -> str:
        """The title in the reader's language, for pages and messages (``title`` keeps both, for the documents)."""
        if (get_language() or "en").startswith("fr") and self.title_fr:
            return self.title_fr
        return self.title_en or self.title

    @property
    def scope(self) -> str:
        return f"{self.scope_kind}:{self.scope_key}" if self.scope_key else self.scope_kind


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class ReportRun(models.Model):
    """One build of a report: the state the Secretariat watches (Celery results are not kept)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    data_version = models.IntegerField(null=True, blank=True)
    trigger = models.CharField(max_length=20, default="manual", help_text=_("manual, refresh, sweep, command"))
    audience = models.CharField(
        _("audience"),
        max_length=10,
        choices=Audience.choices,
        default=Audience.COMMITTEE,
        help_text=_("A public build reads only the published replies, without what was marked not for publication."),
    )
    formats = models.JSONField(default=list, blank=True, help_text=_("Formats to write; empty means all."))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    same_as = models.ForeignKey(
        "ReportVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The build found the same figures and texts as this version, so it made no new one."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "audience"],
                condition=models.Q(status__in=["queued", "running"]),
                name="report_one_active_run",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_run_progress_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.report} #{self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


def report_file_upload_to(instance: ReportVersion, filename: str) -> str:
    return f"reports/{instance.report_id}/run-{instance.run_id}/{filename}"


class ReportVersion(models.Model):
    """The output of one successful run; drafts are Secretariat-only until published."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    run = models.OneToOneField(ReportRun, on_delete=models.PROTECT, related_name="version")
    number = models.PositiveIntegerField()
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.COMMITTEE)
    data_version = models.IntegerField()
    data = models.JSONField(default=dict)
    content_hash = models.CharField(
        max_length=64, blank=True, help_text=_("SHA-256 of the figures and texts, without the build's own time.")
    )
    symbol = models.CharField(_("symbol"), max_length=60, blank=True)
    document_date = models.DateField(_("date"), null=True, blank=True)
    meeting = models.CharField(_("meeting"), max_length=200, blank=True)
    classification = models.CharField(
        _("classification"), max_length=12, choices=Classification.choices, default=Classification.RESTRICTED
    )
    rendered_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the editions were last written (again after the details changed).")
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("A public edition taken off the public site (a Party's reply it counted was withdrawn)."),
    )

    class Meta:
        ordering = ["report", "-number"]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_unique_number")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def edition(self, language: str, fmt: str) -> ReportDocument | None:
        """The ``fmt`` document of the ``language`` edition (one query), or None."""
        return self.documents.filter(language=language, format=fmt).first()


def report_document_upload_to(instance: ReportDocument, filename: str) -> str:
    return f"reports/{instance.version.report_id}/v{instance.version_id}/{instance.language}/{filename}"


class ReportDocument(models.Model):
    """One edition (English or French) of one format of a version: the HTML body or a file."""

    version = models.ForeignKey(ReportVersion, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(max_length=2, choices=[("en", "English"), ("fr", "Français")])
    format = models.CharField(max_length=4, choices=EditionFormat.choices)
    file = models.FileField(upload_to=report_document_upload_to, max_length=300, blank=True)
    html = models.TextField(blank=True)
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "language", "format"]
        verbose_name = _("report edition")
        verbose_name_plural = _("report editions")
        constraints = [
            models.UniqueConstraint(fields=["version", "language", "format"], name="report_document_unique_edition")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.language} {self.format}"
