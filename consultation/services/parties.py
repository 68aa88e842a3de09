"""Parties: whether a Party is asked to reply (an inactive Party is listed nowhere as "did not reply")."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.services import audit_record

from ..models import Consultation, ConsultationStatus, Party
from .responses import consultation_data_changed


@transaction.atomic
def party_set_active(*, party: Party, is_active: bool, user: Any, request: Any = None) -> Party:
    """Make a Party active or inactive; the reports of every consultation not yet archived become stale (their
    "did not reply" lists change) and are rebuilt in the background."""
    party = Party.objects.select_for_update().get(pk=party.pk)
    if party.is_active == is_active:
        return party
    party.is_active = is_active
    party.save(update_fields=["is_active"])
    audit_record(
        event_type="party.activated" if is_active else "party.deactivated",
        actor=user,
        party=party,
        object_repr=str(party),
        request=request,
    )
    for consultation_id in Consultation.objects.exclude(status=ConsultationStatus.ARCHIVED).values_list(
        "pk", flat=True
    ):
        consultation_data_changed(consultation_id=consultation_id)
    return party
