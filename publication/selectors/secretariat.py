"""The Secretariat's publication page: per Party, what was submitted, what is published, what is withheld."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from consultation.models import Consultation, Party, Response, ResponseStatus, SubmittedAnswer, SubmittedAttachment

from ..models import Publication
from ..services.publish import deadline_passed


def publication_overview(*, consultation: Consultation) -> dict[str, Any]:
    """One row per active Party (and any Party with a publication): the reply's status, its last submission, the
    published versions and the answers and documents the Party marked not for publication, with its reasons. Eight queries."""
    responses = {r.party_id: r for r in Response.objects.filter(consultation=consultation)}
    last_submission = {
        row["party_id"]: row
        for row in SubmittedAnswer.objects.filter(consultation=consultation)
        .values("party_id", "submission_id", "submission__sequence", "submitted_at")
        .annotate(answers=Count("id"), withheld=Count("id", filter=Q(confidential=True)))
    }
    withheld_documents = dict(
        SubmittedAttachment.objects.filter(consultation=consultation, confidential=True)
        .values("party_id")
        .annotate(n=Count("id"))
        .values_list("party_id", "n")
    )
    withheld: dict[int, list[dict[str, str]]] = {}
    for party_id, code, reason in (
        SubmittedAnswer.objects.filter(consultation=consultation, confidential=True)
        .order_by("item__order", "item__code")
        .values_list("party_id", "item__code", "confidential_reason")
    ):
        withheld.setdefault(party_id, []).append({"label": code, "reason": reason})
    for party_id, name, reason in (
        SubmittedAttachment.objects.filter(consultation=consultation, confidential=True)
        .order_by("item__order", "id")
        .values_list("party_id", "original_name", "confidential_reason")
    ):
        withheld.setdefault(party_id, []).append({"label": name, "reason": reason})
    versions: dict[int, list[Publication]] = {}
    for publication in Publication.objects.filter(consultation=consultation).order_by("-number"):
        versions.setdefault(publication.party_id, []).append(publication)
    parties = Party.objects.filter(Q(is_active=True) | Q(pk__in=list(versions))).order_by("name_en")
    rows = []
    for party in parties:
        submitted = last_submission.get(party.pk)
        party_versions = versions.get(party.pk, [])
        current = next((v for v in party_versions if v.withdrawn_at is None and v.superseded_at is None), None)
        withdrawn = next((v for v in party_versions if v.withdrawn_at is not None), None)
        rows.append(
            {
                "party": party,
                "response": responses.get(party.pk),
                "submitted": submitted,
                "withheld_answers": submitted["withheld"] if submitted else 0,
                "withheld_documents": withheld_documents.get(party.pk, 0),
                "withheld": withheld.get(party.pk, []),
                "current": current,
                "versions": party_versions,
                "last_withdrawn": withdrawn if current is None else None,
                "can_publish": submitted is not None
                and (current is None or current.submission_id != submitted["submission_id"]),
                "reopened": bool(responses.get(party.pk) and responses[party.pk].status == ResponseStatus.REOPENED),
            }
        )
    rows.sort(key=lambda row: row["party"].name)
    return {
        "rows": rows,
        "deadline_passed": deadline_passed(consultation),
        "to_publish": sum(1 for row in rows if row["can_publish"]),
        "published": sum(1 for row in rows if row["current"]),
    }
