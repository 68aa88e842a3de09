"""What the base layout needs about the person: name, Party, role, navigation."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from . import access


def _nav(request: HttpRequest, roles: access.Roles) -> list[dict]:
    entries: list[tuple[str, str]] = []
    if roles.has_delegation:
        entries.append(("consultation:home", _("My consultations")))
    if roles.is_secretariat:
        entries.append(("secretariat:dashboard", _("State of play")))
    if access.can_view_reports_index(request.user):
        entries.append(("reports:index", _("Reports")))
    if access.can_use_analysis(request.user):
        entries.append(("monitoring:home", _("Analysis")))
    if roles.is_stakeholder:
        entries.append(("stakeholders:home", _("Consultations")))
    if roles.is_facilitator:
        entries.append(("stakeholders:children_home", _("Children's views")))
    if access.can_read_stakeholder_contributions(request.user):
        entries.append(("stakeholders:index", _("Other stakeholders")))
    if access.can_view_invitations(request.user):
        entries.append(("accounts:invitations", _("Invitations")))
    if roles.is_admin:
        entries.append(("admin:index", _("Administration")))
    items = []
    for name, label in entries:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return items


def platform(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    roles = access.roles_of(user)
    role_labels = []
    if roles.is_head:
        role_labels.append(_("Head of delegation"))
    elif roles.is_member:
        role_labels.append(_("Delegation member"))
    if roles.is_secretariat:
        role_labels.append(_("Secretariat"))
    if roles.is_committee:
        role_labels.append(_("Committee member"))
    if roles.is_stakeholder:
        role_labels.append(_("Stakeholder organisation"))
    if roles.is_facilitator:
        role_labels.append(_("Facilitator"))
    party = None
    if roles.has_delegation:
        # Read only when a template shows it: htmx fragments (an autosave's status line) never do.
        party = SimpleLazyObject(lambda: user.membership.party)
    return {
        "platform_name": settings.PLATFORM_NAME,
        "roles": roles,
        "role_label": ", ".join(role_labels),
        "current_party": party,
        "nav_items": _nav(request, roles) if roles.authenticated else [],
    }
