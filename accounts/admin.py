from allauth.account.decorators import secure_admin_login
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import access
from .models import AuditEvent, DelegationMembership, Invitation, RoleAssignment, User
from .services import audit_record
from .services.invitations import invitation_revoke

# The admin's own log-in page would bypass allauth: no MFA, no rate limits. Send it through allauth instead.
admin.site.login = secure_admin_login(admin.site.login)


class MembershipInline(admin.StackedInline):
    model = DelegationMembership
    extra = 0
    max_num = 1


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "first_name", "last_name")
    list_filter = ("is_active", "is_staff", "is_superuser", "membership__party", "roles__role")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal", {"fields": ("first_name", "last_name", "preferred_language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [MembershipInline, RoleInline]

    def save_formset(self, request, form, formset, change):
        """Membership and role edits made here are audited like those made by the services."""
        super().save_formset(request, form, formset, change)
        if formset.model not in (DelegationMembership, RoleAssignment):
            return
        user = form.instance
        for obj in formset.new_objects + [obj for obj, _fields in formset.changed_objects]:
            audit_record(
                event_type="membership.changed" if formset.model is DelegationMembership else "role.granted",
                actor=request.user,
                party=getattr(obj, "party", None),
                object_repr=user.email,
                request=request,
                extra={"role": obj.role, "via": "admin"},
            )
        for obj in formset.deleted_objects:
            audit_record(
                event_type="membership.removed" if formset.model is DelegationMembership else "role.revoked",
                actor=request.user,
                object_repr=user.email,
                request=request,
                extra={"role": obj.role, "via": "admin"},
            )
        access.forget_roles(user)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Read and revoke; invitations are created on the Invitations page, which e-mails the one-time link."""

    list_display = ("email", "role", "party", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role", "party")
    search_fields = ("email",)
    readonly_fields = (
        "email",
        "party",
        "role",
        "token_hash",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_user",
        "revoked_at",
        "revoked_by",
    )
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected invitations"))
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset:
            if not access.can_revoke_invitation(request.user, invitation):
                continue
            try:
                invitation_revoke(invitation=invitation, acting_user=request.user, request=request)
            except ValidationError:
                continue
            revoked += 1
        messages.success(request, _("%(count)d invitation(s) revoked.") % {"count": revoked})


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The security and workflow trail, read-only; the Secretariat reads it (``access.can_view_audit_log``)."""

    list_display = ("created_at", "event_type", "actor", "party", "consultation", "object_repr", "ip_address")
    list_filter = ("event_type", "party")
    search_fields = ("object_repr", "actor__email", "event_type")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "party", "consultation")

    def has_module_permission(self, request):
        return request.user.is_superuser or access.can_view_audit_log(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or access.can_view_audit_log(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
