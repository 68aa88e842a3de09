from django.contrib import admin

from .models import Report, ReportDocument, ReportRun, ReportSeries, ReportVersion


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("__str__", "consultation", "scope_kind", "scope_key", "built_data_version", "current_version")
    list_filter = ("consultation", "scope_kind")
    readonly_fields = ("current_version", "built_data_version", "created_at")


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    list_display = ("report", "status", "progress", "attempts", "data_version", "trigger", "created_at", "finished_at")
    list_filter = ("status", "trigger")
    readonly_fields = [f.name for f in ReportRun._meta.fields]


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ("report", "number", "data_version", "created_at", "published_at")
    list_filter = ("report__consultation",)
    exclude = ("data",)
    readonly_fields = (
        "report",
        "run",
        "number",
        "data_version",
        "symbol",
        "document_date",
        "meeting",
        "classification",
        "rendered_at",
        "created_at",
        "published_at",
        "published_by",
    )


@admin.register(ReportSeries)
class ReportSeriesAdmin(admin.ModelAdmin):
    list_display = ("consultation", "prefix", "next_number", "meeting", "classification")


@admin.register(ReportDocument)
class ReportDocumentAdmin(admin.ModelAdmin):
    list_display = ("version", "language", "format", "size")
    list_filter = ("language", "format")
    exclude = ("html",)
    readonly_fields = ("version", "language", "format", "file", "size")
