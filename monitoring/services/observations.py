"""An item's observations: Markdown drafted by its rapporteurs, each save a new version; Committee comments."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.services import audit_record
from consultation.models import Item
from consultation.services.responses import consultation_data_changed

from ..errors import MonitoringError, ObservationConflict
from ..models import Coding, ItemAnalysis, ObservationComment, ObservationRevision, ObservationStatus

MAX_OBSERVATIONS = 100_000


def item_analysis_get(*, item: Item) -> ItemAnalysis:
    analysis, _created = ItemAnalysis.objects.get_or_create(item=item)
    return analysis


@transaction.atomic
def observations_save(
    *, item: Item, text: str, base_version: int, user: Any, status: str | None = None, request: Any = None
) -> ItemAnalysis:
    """Save a new version; refused when someone saved since ``base_version`` was read (no silent overwrite)."""
    if len(text) > MAX_OBSERVATIONS:
        raise MonitoringError(_("Observations are limited to %(n)s characters.") % {"n": MAX_OBSERVATIONS})
    item_analysis_get(item=item)
    analysis = ItemAnalysis.objects.select_for_update().get(item=item)
    if analysis.version != base_version:
        raise ObservationConflict(
            _("Another rapporteur saved version %(version)s meanwhile: reload the page to see it before saving.")
            % {"version": analysis.version}
        )
    if analysis.status == ObservationStatus.ADOPTED:
        raise MonitoringError(
            _("The Committee adopted these observations: they are locked until the Secretariat reopens them.")
        )
    if status is not None and status not in (ObservationStatus.DRAFT, ObservationStatus.READY):
        raise MonitoringError(_("Unknown status."))
    if text == analysis.observations and (status is None or status == analysis.status):
        return analysis
    analysis.version += 1
    analysis.observations = text
    if status is not None:
        analysis.status = status
    analysis.updated_at = timezone.now()
    analysis.updated_by = user
    analysis.save()
    ObservationRevision.objects.create(analysis=analysis, version=analysis.version, text=text, created_by=user)
    audit_record(
        event_type="monitoring.observations_saved",
        actor=user,
        consultation=item.consultation,
        object_repr=f"{item.code} v{analysis.version}",
        request=request,
        extra={"version": analysis.version, "status": analysis.status, "length": len(text)},
    )
    return analysis


@transaction.atomic
def observations_adoption_set(
    *,
    item: Item,
    adopt: bool,
    user: Any,
    meeting: str = "",
    adopted_on: datetime.date | None = None,
    request: Any = None,
) -> ItemAnalysis:
    """Record that the Committee adopted the item's observations (meeting and date; the text is then locked and
    the implementation report prints it), or reopen them for the rapporteur. Audited either way; the view lets
    only the Secretariat call it (``access.can_decide_recommendation``)."""
    item_analysis_get(item=item)
    analysis = ItemAnalysis.objects.select_for_update().get(item=item)
    if adopt:
        if analysis.status != ObservationStatus.READY or not analysis.observations.strip():
            raise MonitoringError(_("Only observations marked ready for the Committee can be recorded as adopted."))
        meeting = " ".join((meeting or "").split())
        if not meeting or adopted_on is None:
            raise MonitoringError(_("Give the meeting and the date of the adoption."))
        if adopted_on > timezone.localdate():
            raise MonitoringError(_("The date of the adoption cannot be in the future."))
        analysis.status = ObservationStatus.ADOPTED
        analysis.adopted_on, analysis.adopted_meeting, analysis.adopted_by = adopted_on, meeting[:200], user
    else:
        if analysis.status != ObservationStatus.ADOPTED:
            raise MonitoringError(_("These observations are not adopted."))
        analysis.status = ObservationStatus.READY
        analysis.adopted_on, analysis.adopted_meeting, analysis.adopted_by = None, "", None
    analysis.save(update_fields=["status", "adopted_on", "adopted_meeting", "adopted_by"])
    audit_record(
        event_type="monitoring.observations_adopted" if adopt else "monitoring.observations_reopened",
        actor=user,
        consultation=item.consultation,
        object_repr=f"{item.code} v{analysis.version}",
        request=request,
        extra={"version": analysis.version, "meeting": analysis.adopted_meeting},
    )
    return analysis


@transaction.atomic
def observation_comment_add(*, item: Item, text: str, user: Any, request: Any = None) -> ObservationComment:
    text = (text or "").strip()
    if not text:
        raise MonitoringError(_("Write a comment first."))
    analysis = item_analysis_get(item=item)
    comment = ObservationComment.objects.create(analysis=analysis, version=analysis.version, text=text, author=user)
    audit_record(
        event_type="monitoring.observation_commented",
        actor=user,
        consultation=item.consultation,
        object_repr=f"{item.code} v{analysis.version}",
        request=request,
    )
    return comment


@transaction.atomic
def item_coding_final_set(*, item: Item, final: bool, user: Any, request: Any = None) -> ItemAnalysis:
    """Mark the item's coding final (from then on its codes are compared in the comparative reports and the
    implementation report, and its codings are locked) or reopen it. Either way the consultation's reports are
    marked stale, so their next build shows the change."""
    item_analysis_get(item=item)
    analysis = ItemAnalysis.objects.select_for_update().get(item=item)
    if final:
        if analysis.coding_final_at is not None:
            raise MonitoringError(_("The coding of this item is already final."))
        codings = Coding.objects.with_review().filter(item=item)
        to_review = codings.exclude(review_reason="").count()
        if to_review:
            raise MonitoringError(
                ngettext(
                    "%(count)d coding points at text the Party has since changed: review it before marking the "
                    "coding final.",
                    "%(count)d codings point at text the Parties have since changed: review them before marking "
                    "the coding final.",
                    to_review,
                )
                % {"count": to_review}
            )
        if not codings.exists():
            raise MonitoringError(_("Nothing is coded yet: code the replies before marking the coding final."))
    elif analysis.coding_final_at is None:
        raise MonitoringError(_("The coding of this item is not final."))
    analysis.coding_final_at = timezone.now() if final else None
    analysis.coding_final_by = user if final else None
    analysis.save(update_fields=["coding_final_at", "coding_final_by"])
    audit_record(
        event_type="monitoring.coding_final" if final else "monitoring.coding_reopened",
        actor=user,
        consultation=item.consultation,
        object_repr=item.code,
        request=request,
    )
    consultation_data_changed(consultation_id=item.consultation_id)
    return analysis
