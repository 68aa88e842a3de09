from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Answer,
    AnswerRevision,
    Article,
    Chapter,
    Consultation,
    ExportJob,
    Field,
    Item,
    Option,
    Party,
    Reminder,
    Response,
    ResponseSubmission,
    Theme,
)


@admin.register(Chapter)
class ChapterAdmin(TranslationAdmin):
    list_display = ("number", "roman", "title")
    ordering = ("number",)


@admin.register(Article)
class ArticleAdmin(TranslationAdmin):
    list_display = ("number", "title", "chapter")
    list_filter = ("chapter",)
    search_fields = ("title_en", "title_fr", "number")
    ordering = ("number",)


@admin.register(Party)
class PartyAdmin(TranslationAdmin):
    list_display = ("name", "iso2", "is_member_state", "is_active", "preferred_language")
    list_filter = ("is_member_state", "is_active", "preferred_language")
    search_fields = ("name_en", "name_fr", "iso2")


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ("name", "code", "order")
    ordering = ("order",)


class FieldInline(TranslationStackedInline):
    model = Field
    extra = 0
    show_change_link = True
    fields = (("key", "type", "required", "order"), "label", "help", ("max_length", "unit"))


class OptionInline(TranslationTabularInline):
    model = Option
    extra = 0


@admin.register(Field)
class FieldAdmin(TranslationAdmin):
    list_display = ("__str__", "type", "required", "order")
    list_filter = ("type", "required", "item__consultation")
    search_fields = ("item__code", "key", "label_en", "label_fr")
    inlines = [OptionInline]
    autocomplete_fields = ("item",)


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("code", "consultation", "theme", "order", "translation_status")
    list_filter = ("consultation", "theme", "translation_status", "articles")
    search_fields = ("code", "text_en", "text_fr")
    filter_horizontal = ("articles",)
    inlines = [FieldInline]
    ordering = ("consultation", "order")


class ItemInline(admin.TabularInline):
    model = Item
    extra = 0
    fields = ("code", "theme", "order")
    show_change_link = True


@admin.register(Consultation)
class ConsultationAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("title", "slug", "status", "opens_on", "closes_on")
    list_filter = ("status",)
    search_fields = ("slug", "title_en", "title_fr")
    prepopulated_fields = {"slug": ("title_en",)}
    readonly_fields = ("data_version",)
    inlines = [ItemInline]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("item", "version", "is_answered", "is_complete", "updated_at", "updated_by")
    readonly_fields = fields
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ("party", "consultation", "status", "last_activity_at", "submitted_at", "extended_until")
    list_filter = ("consultation", "status")
    search_fields = ("party__name_en", "party__iso2")
    readonly_fields = ("submitted_at", "submitted_by", "ready_at", "ready_by", "last_activity_at", "last_activity_by")
    inlines = [AnswerInline]


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("response", "item", "version", "is_complete", "updated_at", "updated_by")
    list_filter = ("response__consultation", "is_complete")
    search_fields = ("item__code", "response__party__name_en")
    readonly_fields = ("version",)


@admin.register(AnswerRevision)
class AnswerRevisionAdmin(admin.ModelAdmin):
    list_display = ("answer", "version", "created_by", "created_at", "source")
    list_filter = ("source",)
    readonly_fields = ("answer", "version", "data", "language", "created_by", "created_at", "source", "note")


@admin.register(ResponseSubmission)
class ResponseSubmissionAdmin(admin.ModelAdmin):
    list_display = ("response", "sequence", "submitted_at", "submitted_by")
    readonly_fields = ("response", "sequence", "submitted_at", "submitted_by", "snapshot")


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("party", "consultation", "kind", "deadline", "status", "sent_at", "attempts")
    list_filter = ("consultation", "kind", "status")
    search_fields = ("party__name_en",)


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ("consultation", "format", "status", "progress", "row_count", "created_at", "requested_by")
    list_filter = ("status", "format")
