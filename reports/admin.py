from django.contrib import admin

from .models import Report, ReportRun, ReportVersion


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
    exclude = ("data", "html")
    readonly_fields = (
        "report",
        "run",
        "number",
        "data_version",
        "pdf",
        "docx",
        "xlsx",
        "created_at",
        "published_at",
        "published_by",
    )
