"""Children's views, entered per group by a facilitator: an age band, a setting, a count, and what they said.

No personal data: no names are asked for, and texts that look like an e-mail address or a telephone number
are refused with the reason, so a facilitator cannot paste a contact list by mistake.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import access
from accounts.services.audit import audit_record
from consultation.answer_values import control_character_error
from consultation.models import Consultation, Party, Theme
from consultation.services.responses import consultation_data_changed

from ..errors import StakeholderError
from ..models import MAX_CHILDREN_PER_GROUP, AgeBand, ChildrenContribution, Setting

MAX_VIEWS_LENGTH = 10_000
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+|00)?\d[\d ()./-]{7,}\d")


def personal_data_problem(text: str) -> str | None:
    """Why the text cannot be kept (it looks like contact details), or None."""
    if _EMAIL.search(text):
        return _("The text holds an e-mail address. Children's contributions are recorded without personal data.")
    if _PHONE.search(text):
        return _(
            "The text holds what looks like a telephone number. Children's contributions are recorded without personal data."
        )
    return None


def _clean(
    *, views: str, children_count: Any, age_band: str, setting: str, gathered_on: datetime.date
) -> tuple[str, int]:
    views = (views or "").strip()
    if not views:
        raise StakeholderError(_("Write down the children's views."))
    if len(views) > MAX_VIEWS_LENGTH:
        raise StakeholderError(
            _("The text is %(length)s characters long; the limit is %(limit)s.")
            % {"length": len(views), "limit": MAX_VIEWS_LENGTH}
        )
    problem = control_character_error(views) or personal_data_problem(views)
    if problem:
        raise StakeholderError(problem)
    try:
        count = int(children_count)
    except (TypeError, ValueError):
        raise StakeholderError(_("Give the number of children as a whole number.")) from None
    if not 1 <= count <= MAX_CHILDREN_PER_GROUP:
        raise StakeholderError(
            _("The number of children must be between 1 and %(max)s.") % {"max": MAX_CHILDREN_PER_GROUP}
        )
    if age_band not in AgeBand.values:
        raise StakeholderError(_("Choose an age band."))
    if setting not in Setting.values:
        raise StakeholderError(_("Choose the setting."))
    if gathered_on > timezone.localdate():
        raise StakeholderError(_("The date of the session cannot be in the future."))
    return views, count


@transaction.atomic
def children_contribution_save(
    *,
    consultation: Consultation,
    theme: Theme,
    party: Party | None,
    age_band: str,
    setting: str,
    children_count: Any,
    views: str,
    language: str,
    gathered_on: datetime.date,
    user: Any,
    contribution: ChildrenContribution | None = None,
    request: Any = None,
) -> ChildrenContribution:
    """Record (or correct) one group's contribution; the facilitator who entered it is the only one to change it."""
    if not access.can_record_children_contributions(user):
        raise StakeholderError(_("Only facilitators record children's contributions."))
    if consultation.status in ("draft", "archived"):
        raise StakeholderError(_("This consultation does not take contributions."))
    views, count = _clean(
        views=views, children_count=children_count, age_band=age_band, setting=setting, gathered_on=gathered_on
    )
    now = timezone.now()
    values = {
        "theme": theme,
        "party": party,
        "age_band": age_band,
        "setting": setting,
        "children_count": count,
        "views": views,
        "language": language,
        "gathered_on": gathered_on,
        "updated_at": now,
    }
    if contribution is None:
        contribution = ChildrenContribution.objects.create(
            consultation=consultation, facilitator=user, created_at=now, **values
        )
        event = "children.contribution_recorded"
    else:
        contribution = ChildrenContribution.objects.select_for_update().get(pk=contribution.pk)
        if not access.can_edit_children_contribution(user, contribution):
            raise StakeholderError(_("Only the facilitator who recorded this contribution can change it."))
        for name, value in values.items():
            setattr(contribution, name, value)
        contribution.save()
        event = "children.contribution_changed"
    audit_record(
        event_type=event,
        actor=user,
        consultation=consultation,
        object_repr=str(contribution),
        request=request,
        extra={"contribution": contribution.pk, "children": count},
    )
    consultation_data_changed(consultation_id=consultation.pk)
    return contribution


@transaction.atomic
def children_contribution_delete(*, contribution: ChildrenContribution, user: Any, request: Any = None) -> None:
    if not access.can_edit_children_contribution(user, contribution):
        raise StakeholderError(_("Only the facilitator who recorded this contribution can delete it."))
    audit_record(
        event_type="children.contribution_deleted",
        actor=user,
        consultation=contribution.consultation,
        object_repr=str(contribution),
        request=request,
        extra={"contribution": contribution.pk},
    )
    consultation_id = contribution.consultation_id
    contribution.delete()
    consultation_data_changed(consultation_id=consultation_id)
