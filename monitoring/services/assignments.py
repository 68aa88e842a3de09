"""The Secretariat appoints rapporteurs: per item, or per article (every item tagged with it)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import GlobalRole, RoleAssignment
from accounts.services import audit_record
from consultation.models import Article, Consultation, Item

from ..errors import AssignmentRefused
from ..models import RapporteurAssignment


@transaction.atomic
def rapporteur_assign(
    *,
    consultation: Consultation,
    user: Any,
    item: Item | None = None,
    article: Article | None = None,
    acting_user: Any,
    request: Any = None,
) -> RapporteurAssignment:
    """Appoint a Committee member; only Committee members sit as rapporteurs."""
    if (item is None) == (article is None):
        raise AssignmentRefused(_("Choose an item or an article, not both."))
    if item is not None and item.consultation_id != consultation.pk:
        raise AssignmentRefused(_("This item belongs to another consultation."))
    if not RoleAssignment.objects.filter(user=user, role=GlobalRole.COMMITTEE).exists():
        raise AssignmentRefused(_("Only Committee members can be rapporteurs."))
    lookup: dict[str, Any] = {"item": item} if item is not None else {"consultation": consultation, "article": article}
    if RapporteurAssignment.objects.filter(user=user, **lookup).exists():
        raise AssignmentRefused(_("This person is already rapporteur for it."))
    assignment = RapporteurAssignment.objects.create(
        consultation=consultation, user=user, item=item, article=article, assigned_by=acting_user
    )
    audit_record(
        event_type="monitoring.rapporteur_assigned",
        actor=acting_user,
        consultation=consultation,
        object_repr=str(assignment),
        request=request,
        extra={"user": user.pk, "item": getattr(item, "pk", None), "article": getattr(article, "number", None)},
    )
    return assignment


@transaction.atomic
def rapporteur_unassign(*, assignment: RapporteurAssignment, acting_user: Any, request: Any = None) -> None:
    """End an appointment; the codings the rapporteur made stay."""
    audit_record(
        event_type="monitoring.rapporteur_unassigned",
        actor=acting_user,
        consultation=assignment.consultation,
        object_repr=str(assignment),
        request=request,
        extra={"user": assignment.user_id, "item": assignment.item_id, "article": assignment.article_id},
    )
    assignment.delete()
