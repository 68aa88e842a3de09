"""People, their roles, invitations and the security audit trail.

A person belongs to at most one delegation (``DelegationMembership`` is one-to-one with the
user); Secretariat and Committee roles are separate ``RoleAssignment`` rows so that a head of
delegation can also sit on the Committee without that opening another Party's drafts.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with an e-mail address; there are no user names."""

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=[("en", "English"), ("fr", "Français")], default="en"
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class DelegationRole(models.TextChoices):
    MEMBER = "member", _("Delegation member")
    HEAD = "head", _("Head of delegation")


class DelegationMembership(models.Model):
    """Binds a person to the national delegation of one Party, as member or head."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="membership")
    party = models.ForeignKey("consultation.Party", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=10, choices=DelegationRole.choices, default=DelegationRole.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("delegation membership")
        verbose_name_plural = _("delegation memberships")
        indexes = [models.Index(fields=["party", "role"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.party} ({self.get_role_display()})"


class GlobalRole(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    COMMITTEE = "committee", _("Committee member")
    STAKEHOLDER = "stakeholder", _("Stakeholder organisation")
    FACILITATOR = "facilitator", _("Facilitator of children's participation")


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("Non-governmental organisation")
    NHRI = "nhri", _("National human rights institution")
    OMBUDSPERSON = "ombudsperson", _("Ombudsperson for children")
    PROFESSIONAL = "professional", _("Professional body")
    OTHER = "other", _("Other organisation")


class Organisation(models.Model):
    """An organisation other than a State (NGO, national human rights institution, ombudsperson for children,
    professional body) that the Secretariat invites to comment on the Parties' replies."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        "consultation.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("country"),
        help_text=_("The Party the organisation works in; empty for an international organisation."),
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class OrganisationMembership(models.Model):
    """Binds a person to one stakeholder organisation (with the global ``stakeholder`` role)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="organisation_membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation}"


class RoleAssignment(models.Model):
    """A role that is not tied to one Party: Secretariat or Committee member."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=20, choices=GlobalRole.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="role_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class InvitationRole(models.TextChoices):
    MEMBER = "member", _("Delegation member")
    HEAD = "head", _("Head of delegation")
    SECRETARIAT = "secretariat", _("Secretariat")
    COMMITTEE = "committee", _("Committee member")
    STAKEHOLDER = "stakeholder", _("Stakeholder organisation")
    FACILITATOR = "facilitator", _("Facilitator of children's participation")


class Invitation(models.Model):
    """A one-time, expiring link that creates (or extends) an account with a Party and a role.

    Only a hash of the token is stored, so a database leak does not yield usable links.
    """

    email = models.EmailField(_("e-mail address"))
    party = models.ForeignKey(
        "consultation.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    role = models.CharField(max_length=20, choices=InvitationRole.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_accepted"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations_revoked"
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["member", "head"]) | models.Q(party__isnull=False),
                name="invitation_delegation_role_needs_party",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="stakeholder") | models.Q(organisation__isnull=False),
                name="invitation_stakeholder_needs_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_role_display()})"


class AuditEvent(models.Model):
    """An explicit, append-only record of a security or workflow event, written by services."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    event_type = models.CharField(max_length=64, db_index=True)
    party = models.ForeignKey(
        "consultation.Party", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    consultation = models.ForeignKey(
        "consultation.Consultation", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    object_repr = models.CharField(max_length=255, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["party", "consultation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.event_type}"
