"""What the Party answered in the previous round, beside each item of a round created from it.

An item of a new round names the item it continues (``Item.continues``, set when the round is duplicated), so the
earlier answer is found even if the Secretariat renamed or renumbered the item. Only the earlier round's last
*submitted* answer is shown (``SubmittedAnswer`` gives its version; the answer's revision of that version gives its
value): drafts the Party never submitted are not "what it said".
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Subquery

from ..models import AnswerRevision, Consultation, Item, SubmittedAnswer

CONFIRMED_SOURCE = "confirmed"


@dataclass(frozen=True)
class PreviousAnswer:
    """The Party's submitted answer to the item this one continues."""

    item_id: int  # the earlier round's item
    code: str
    consultation: Consultation
    data: dict[str, Any]
    version: int
    language: str
    submitted_at: datetime.datetime

    @property
    def is_answered(self) -> bool:
        return any(value not in (None, "", [], {}) for value in self.data.values())


def previous_answers(*, items: list[Item], party_id: int | None) -> dict[int, PreviousAnswer]:
    """For each of ``items`` that continues an earlier item the Party submitted an answer to: that answer, keyed by
    the new item's pk. Two queries whatever the number of items (none when no item continues another)."""
    continued = {item.continues_id: item.pk for item in items if item.continues_id}
    if not continued or party_id is None:
        return {}
    submitted_version = SubmittedAnswer.objects.filter(
        response_id=OuterRef("answer__response_id"), item_id=OuterRef("answer__item_id")
    ).values("version")[:1]
    rows = list(
        AnswerRevision.objects.filter(
            answer__item_id__in=list(continued),
            answer__response__party_id=party_id,
            version=Subquery(submitted_version),
        ).values(
            "answer__item_id",
            "answer__item__code",
            "answer__response__consultation_id",
            "answer__response__submitted_at",
            "data",
            "version",
            "language",
        )
    )
    if not rows:
        return {}
    rounds = Consultation.objects.in_bulk({row["answer__response__consultation_id"] for row in rows})
    return {
        continued[row["answer__item_id"]]: PreviousAnswer(
            item_id=row["answer__item_id"],
            code=row["answer__item__code"],
            consultation=rounds[row["answer__response__consultation_id"]],
            data=row["data"] or {},
            version=row["version"],
            language=row["language"],
            submitted_at=row["answer__response__submitted_at"],
        )
        for row in rows
    }


def confirmed_versions(*, answer_ids: list[int]) -> dict[int, AnswerRevision]:
    """For each answer whose current version was a one-click "no change" confirmation: that revision (one query)."""
    if not answer_ids:
        return {}
    current = AnswerRevision.objects.filter(answer_id__in=answer_ids, source=CONFIRMED_SOURCE).select_related(
        "created_by", "answer"
    )
    return {rev.answer_id: rev for rev in current if rev.version == rev.answer.version}


def submitted_data(*, item_ids: list[int], party_id: int | None = None) -> dict[tuple[int, int], dict[str, Any]]:
    """The value each Party last submitted for each of ``item_ids`` (or one Party's), keyed by (item pk, Party pk):
    ``{"data", "version", "language", "submitted_at"}``. One query: the answers' revisions of the submitted
    versions."""
    if not item_ids:
        return {}
    submitted_version = SubmittedAnswer.objects.filter(
        response_id=OuterRef("answer__response_id"), item_id=OuterRef("answer__item_id")
    ).values("version")[:1]
    rows = AnswerRevision.objects.filter(answer__item_id__in=item_ids, version=Subquery(submitted_version))
    if party_id is not None:
        rows = rows.filter(answer__response__party_id=party_id)
    return {
        (row["answer__item_id"], row["answer__response__party_id"]): {
            "data": row["data"] or {},
            "version": row["version"],
            "language": row["language"],
            "submitted_at": row["answer__response__submitted_at"],
        }
        for row in rows.values(
            "answer__item_id",
            "answer__response__party_id",
            "data",
            "version",
            "language",
            "answer__response__submitted_at",
        )
    }
