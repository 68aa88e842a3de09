"""What the stakeholder pages read: invitations, the Parties' submitted replies, comments and contributions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, Q, Sum

from consultation.models import Consultation, Party, ResponseSubmission
from consultation.selectors.offline import ReplyDocument, reply_document_get

from ..models import (
    ChildrenContribution,
    ContributionStatus,
    StakeholderAnswer,
    StakeholderComment,
    StakeholderInvitation,
    StakeholderReply,
)


def invitation_of(*, consultation: Consultation, organisation_id: int | None) -> StakeholderInvitation | None:
    if organisation_id is None:
        return None
    return (
        StakeholderInvitation.objects.select_related("organisation")
        .filter(consultation=consultation, organisation_id=organisation_id)
        .first()
    )


def invitations_of_organisation(*, organisation_id: int | None) -> list[StakeholderInvitation]:
    if organisation_id is None:
        return []
    return list(
        StakeholderInvitation.objects.filter(
            organisation_id=organisation_id, consultation__status__in=["open", "closed"]
        )
        .select_related("consultation", "organisation")
        .order_by("-deadline")
    )


@dataclass(frozen=True)
class SubmittedParty:
    party: Party
    submitted_at: Any
    own_comments: int


def parties_with_submitted_replies(*, consultation: Consultation, organisation_id: int | None) -> list[SubmittedParty]:
    """The Parties whose reply was submitted at least once (only those can be read and commented on)."""
    rows = (
        ResponseSubmission.objects.filter(response__consultation=consultation)
        .values("response__party_id")
        .annotate(last=Max("submitted_at"))
    )
    last = {row["response__party_id"]: row["last"] for row in rows}
    counts = dict(
        StakeholderComment.objects.filter(consultation=consultation, organisation_id=organisation_id)
        .values("party_id")
        .annotate(n=Count("id"))
        .values_list("party_id", "n")
    )
    parties = Party.objects.filter(pk__in=list(last)).order_by("name_en")
    return [SubmittedParty(party=p, submitted_at=last[p.pk], own_comments=counts.get(p.pk, 0)) for p in parties]


def party_submitted_reply(*, consultation: Consultation, party: Party) -> ReplyDocument | None:
    """The Party's reply as last submitted (the submission's frozen snapshot, never the live draft)."""
    submission = (
        ResponseSubmission.objects.filter(response__consultation=consultation, response__party=party)
        .select_related("response")
        .order_by("-submitted_at", "-sequence")
        .first()
    )
    if submission is None:
        return None
    return reply_document_get(
        consultation=consultation,
        party=party,
        response=submission.response,
        snapshot=submission.snapshot,
        submitted_at=submission.submitted_at,
        submission_sequence=submission.sequence,
    )


def organisation_comments_on(
    *, consultation: Consultation, organisation_id: int | None, party: Party
) -> list[StakeholderComment]:
    return list(
        StakeholderComment.objects.filter(consultation=consultation, organisation_id=organisation_id, party=party)
        .select_related("item")
        .order_by("item__order", "created_at")
    )


def comments_on_party(*, consultation: Consultation, party: Party) -> list[StakeholderComment]:
    """Submitted comments on the Party's reply, as its delegation and the Committee read them."""
    return list(
        StakeholderComment.objects.filter(consultation=consultation, party=party, status=ContributionStatus.SUBMITTED)
        .select_related("item", "organisation")
        .order_by("item__order", "submitted_at", "id")
    )


def organisation_reply(
    *, consultation: Consultation, organisation_id: int | None
) -> tuple[StakeholderReply | None, dict[int, StakeholderAnswer]]:
    reply = StakeholderReply.objects.filter(consultation=consultation, organisation_id=organisation_id).first()
    if reply is None:
        return None, {}
    return reply, {answer.item_id: answer for answer in reply.answers.all()}


@dataclass(frozen=True)
class ContributionsOverview:
    invitations: list[StakeholderInvitation]
    comments: list[StakeholderComment]
    replies: list[StakeholderReply]
    children: list[ChildrenContribution]
    children_total: int


def contributions_overview(*, consultation: Consultation) -> ContributionsOverview:
    """Everything organisations and facilitators sent for one consultation (Secretariat and Committee)."""
    invitations = list(
        StakeholderInvitation.objects.filter(consultation=consultation)
        .select_related("organisation")
        .annotate(
            submitted_comments=Count(
                "organisation__comments",
                filter=Q(
                    organisation__comments__consultation=consultation,
                    organisation__comments__status=ContributionStatus.SUBMITTED,
                ),
            )
        )
    )
    comments = list(
        StakeholderComment.objects.filter(consultation=consultation, status=ContributionStatus.SUBMITTED)
        .select_related("organisation", "party", "item")
        .order_by("party__name_en", "item__order", "submitted_at")
    )
    replies = list(
        StakeholderReply.objects.filter(consultation=consultation, status=ContributionStatus.SUBMITTED)
        .select_related("organisation")
        .annotate(answered=Count("answers"))
        .order_by("organisation__name")
    )
    children = list(
        ChildrenContribution.objects.filter(consultation=consultation).select_related("theme", "party", "facilitator")
    )
    total = ChildrenContribution.objects.filter(consultation=consultation).aggregate(n=Sum("children_count"))["n"] or 0
    return ContributionsOverview(invitations, comments, replies, children, total)


def facilitator_contributions(*, consultation: Consultation, user: Any) -> list[ChildrenContribution]:
    return list(
        ChildrenContribution.objects.filter(consultation=consultation, facilitator=user).select_related(
            "theme", "party"
        )
    )
