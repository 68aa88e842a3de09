import datetime

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from simple_history.admin import SimpleHistoryAdmin

from accounts import access

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
from .services import lifecycle
from .services.parties import party_set_active


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

    def save_model(self, request, obj, form, change):
        """Whether the Party is asked to reply goes through the service (audit, reports marked stale)."""
        if not change or "is_active" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        wanted = obj.is_active
        obj.is_active = not wanted
        super().save_model(request, obj, form, change)
        party_set_active(party=obj, is_active=wanted, user=request.user, request=request)
        obj.is_active = wanted


@admin.register(Theme)
class ThemeAdmin(TranslationAdmin):
    list_display = ("name", "code", "order")
    ordering = ("order",)


def _draft(consultation) -> bool:
    return consultation is None or lifecycle.consultation_items_editable(consultation)


class DraftOnlyInlineMixin:
    """Items, fields and options change only while their consultation is a draft (then read-only)."""

    def _parent_consultation(self, obj):
        if obj is None:
            return None
        if isinstance(obj, Consultation):
            return obj
        if isinstance(obj, Item):
            return obj.consultation
        return obj.item.consultation

    def has_add_permission(self, request, obj=None):
        return _draft(self._parent_consultation(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _draft(self._parent_consultation(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _draft(self._parent_consultation(obj)) and super().has_delete_permission(request, obj)


class FieldInline(DraftOnlyInlineMixin, TranslationStackedInline):
    model = Field
    extra = 0
    show_change_link = True
    fields = (
        ("key", "type", "required", "order"),
        "label",
        "help",
        ("max_length", "unit"),
        ("min_value", "max_value", "decimal_places"),
    )


class OptionInline(DraftOnlyInlineMixin, TranslationTabularInline):
    model = Option
    extra = 0


class FieldAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        item = cleaned.get("item")
        if item is not None and not _draft(item.consultation):
            raise forms.ValidationError(_("Fields can be changed only while their consultation is a draft."))
        return cleaned


@admin.register(Field)
class FieldAdmin(TranslationAdmin):
    form = FieldAdminForm
    list_display = ("__str__", "type", "required", "order")
    list_filter = ("type", "required", "item__consultation")
    search_fields = ("item__code", "key", "label_en", "label_fr")
    inlines = [OptionInline]
    autocomplete_fields = ("item",)

    def has_change_permission(self, request, obj=None):
        return (obj is None or _draft(obj.item.consultation)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _draft(obj.item.consultation)) and super().has_delete_permission(request, obj)


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin, TranslationAdmin):
    list_display = ("code", "consultation", "theme", "order", "translation_status")
    list_filter = ("consultation", "theme", "translation_status", "articles")
    search_fields = ("code", "text_en", "text_fr")
    filter_horizontal = ("articles",)
    inlines = [FieldInline]
    ordering = ("consultation", "order")

    def has_change_permission(self, request, obj=None):
        return (obj is None or _draft(obj.consultation)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or _draft(obj.consultation)) and super().has_delete_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "consultation":
            kwargs["queryset"] = Consultation.objects.filter(status="draft")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ItemInline(DraftOnlyInlineMixin, admin.TabularInline):
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
    readonly_fields = ("data_version", "status", "previous")
    inlines = [ItemInline]
    actions = ["open_selected", "close_selected", "archive_selected", "duplicate_selected", "duplicate_with_answers"]

    def _run(self, request, queryset, service, done: str) -> None:
        if not access.can_run_lifecycle_admin_actions(request.user):
            self.message_user(request, _("Only the Secretariat can do this."), messages.ERROR)
            return
        for consultation in queryset:
            try:
                service(consultation=consultation, user=request.user, request=request)
            except lifecycle.LifecycleError as exc:
                self.message_user(request, f"{consultation.slug}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{consultation.slug}: {done}", messages.SUCCESS)

    @admin.action(description=_("Open the selected consultations"))
    def open_selected(self, request, queryset):
        self._run(request, queryset, lifecycle.consultation_open, _("opened"))

    @admin.action(description=_("Close the selected consultations"))
    def close_selected(self, request, queryset):
        self._run(request, queryset, lifecycle.consultation_close, _("closed"))

    @admin.action(description=_("Archive the selected consultations"))
    def archive_selected(self, request, queryset):
        self._run(request, queryset, lifecycle.consultation_archive, _("archived"))

    def _duplicate(self, request, queryset, *, carry_over: bool) -> None:
        if not access.can_run_lifecycle_admin_actions(request.user):
            self.message_user(request, _("Only the Secretariat can do this."), messages.ERROR)
            return
        for source in queryset:
            slug = lifecycle.consultation_next_slug(source=source)
            try:
                new = lifecycle.consultation_duplicate(
                    source=source,
                    user=request.user,
                    slug=slug,
                    title_en=source.title_en,
                    title_fr=source.title_fr or "",
                    carry_over=carry_over,
                    request=request,
                )
            except lifecycle.LifecycleError as exc:
                self.message_user(request, f"{source.slug}: {exc}", messages.ERROR)
            else:
                self.message_user(
                    request, _("New round %(slug)s created as a draft.") % {"slug": new.slug}, messages.SUCCESS
                )

    @admin.action(description=_("Duplicate as a new round (items only)"))
    def duplicate_selected(self, request, queryset):
        self._duplicate(request, queryset, carry_over=False)

    @admin.action(description=_("Duplicate as a new round, carrying over each Party's answers as a draft"))
    def duplicate_with_answers(self, request, queryset):
        self._duplicate(request, queryset, carry_over=True)


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
    readonly_fields = (
        "status",
        "extended_until",
        "reopened_at",
        "reopen_reason",
        "submitted_at",
        "submitted_by",
        "ready_at",
        "ready_by",
        "last_activity_at",
        "last_activity_by",
    )
    inlines = [AnswerInline]
    actions = ["extend_by_7_days", "extend_by_14_days"]

    def _extend(self, request, queryset, days: int) -> None:
        for response in queryset.select_related("consultation", "party"):
            if not access.can_extend_deadline(request.user, response):
                self.message_user(
                    request, _("%(party)s: this reply cannot be extended.") % {"party": response.party}, messages.ERROR
                )
                continue
            base = max(filter(None, [response.extended_until, response.consultation.closes_on]))
            until = base + datetime.timedelta(days=days)
            try:
                lifecycle.response_extend_deadline(
                    consultation=response.consultation,
                    party=response.party,
                    until=until,
                    user=request.user,
                    request=request,
                )
            except lifecycle.LifecycleError as exc:
                self.message_user(request, f"{response.party}: {exc}", messages.ERROR)
            else:
                self.message_user(request, f"{response.party}: {until.isoformat()}", messages.SUCCESS)

    @admin.action(description=_("Extend the deadline by 7 days"))
    def extend_by_7_days(self, request, queryset):
        self._extend(request, queryset, 7)

    @admin.action(description=_("Extend the deadline by 14 days"))
    def extend_by_14_days(self, request, queryset):
        self._extend(request, queryset, 14)


class ViewOnlyAdmin(admin.ModelAdmin):
    """Records written only by the services: an answer's save takes the reply's lock, checks the version, writes
    the typed rows the reports count and a revision, and moves the reply's ``last_activity_at`` (the state of
    play's cache key). An edit here would do none of that, and history is never rewritten: look, don't touch."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Answer)
class AnswerAdmin(ViewOnlyAdmin):
    list_display = ("response", "item", "version", "is_complete", "updated_at", "updated_by")
    list_filter = ("response__consultation", "is_complete")
    search_fields = ("item__code", "response__party__name_en")


@admin.register(AnswerRevision)
class AnswerRevisionAdmin(ViewOnlyAdmin):
    list_display = ("answer", "version", "created_by", "created_at", "source")
    list_filter = ("source",)


@admin.register(ResponseSubmission)
class ResponseSubmissionAdmin(ViewOnlyAdmin):
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
