"""The Django admin shows the rapporteurs' records read-only: only the services write them (numbering, locking,
offsets, audit rows)."""

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from .models import Code, Coding, ItemAnalysis, RapporteurAssignment, Recommendation


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(RapporteurAssignment)
class RapporteurAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "consultation", "item", "article", "assigned_at")


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ("name_en", "name_fr", "group", "consultation")


@admin.register(Coding)
class CodingAdmin(ReadOnlyAdmin):
    list_display = ("code", "party", "item", "field", "start", "end", "answer_version")


@admin.register(ItemAnalysis)
class ItemAnalysisAdmin(ReadOnlyAdmin):
    list_display = ("item", "version", "status", "coding_final_at")


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("label", "strength", "status", "meeting", "adopted_on", "consultation")
    list_filter = ("status", "strength")
