"""The delegation home: the consultations open to the Party, with progress and latest edits."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from ...models import (
    AnswerRevision,
    Consultation,
    ConsultationStatus,
    Party,
    Response,
)

LATEST_EDITS_PER_CONSULTATION = 5


def delegation_home(*, party: Party, today=None) -> list[dict[str, Any]]:
    """The consultations open to the Party with deadline, progress, reply state and latest edits.

    Four queries whatever the number of consultations: consultations with item counts, the
    Party's replies with answer counts, required-complete counts, and the latest revisions.
    """
    today = today or timezone.localdate()
    consultations = list(
        Consultation.objects.filter(status=ConsultationStatus.OPEN)
        .annotate(
            item_count=Count("items", distinct=True),
            required_item_count=Count("items", filter=Q(items__fields__required=True), distinct=True),
        )
        .order_by("closes_on", "slug")
    )
    ids = [c.pk for c in consultations]
    responses = {
        r.consultation_id: r
        for r in Response.objects.filter(party=party, consultation_id__in=ids).annotate(
            answered=Count("answers", filter=Q(answers__is_answered=True), distinct=True),
            required_complete=Count(
                "answers",
                filter=Q(answers__is_complete=True, answers__item__fields__required=True),
                distinct=True,
            ),
        )
    }
    latest = (
        AnswerRevision.objects.filter(answer__response__party=party, answer__response__consultation_id__in=ids)
        .annotate(
            consultation_id=F("answer__response__consultation_id"),
            row=Window(RowNumber(), partition_by=F("answer__response_id"), order_by=F("created_at").desc()),
        )
        .filter(row__lte=LATEST_EDITS_PER_CONSULTATION)
        .select_related("created_by", "answer__item")
        .order_by("-created_at")
    )
    edits: dict[int, list[AnswerRevision]] = {}
    for revision in latest:
        edits.setdefault(revision.consultation_id, []).append(revision)
    rows = []
    for consultation in consultations:
        response = responses.get(consultation.pk)
        deadline = (response.extended_until if response else None) or consultation.closes_on
        rows.append(
            {
                "consultation": consultation,
                "response": response,
                "status": response.status if response else "draft",
                "status_label": response.get_status_display() if response else _("Not started"),
                "deadline": deadline,
                "extended": bool(response and response.extended_until),
                "days_left": (deadline - today).days if deadline else None,
                "item_count": consultation.item_count,
                "answered": response.answered if response else 0,
                "required_item_count": consultation.required_item_count,
                "required_complete": response.required_complete if response else 0,
                "percent": round(100 * (response.answered if response else 0) / consultation.item_count)
                if consultation.item_count
                else 0,
                "edits": edits.get(consultation.pk, []),
            }
        )
    return rows
