"""What a public build may read of the submitted replies, as the app that publishes them decides.

``reports`` must not import ``publication`` (it is built on reports), yet a public edition of a report must count
exactly what the public site shows: the Parties whose reply is published (a current, not withdrawn publication),
as published (the submission the publication copies), without the answers and documents marked "not for
publication". So ``publication`` registers a *public filter* here in its ``AppConfig.ready``, the same way later
apps register section providers (``reports.sections``): given a consultation, it returns the published submissions
as a lazy queryset of ``ResponseSubmission`` ids, which the figures use as a subquery (no extra query).

Default deny: with no filter registered, a public build reads nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from consultation.models import Party, Response, ResponseSubmission

from .models import Audience

PublicFilter = Callable[[int], QuerySet[Any]]  # consultation id → ResponseSubmission ids the public may read

_filters: dict[str, PublicFilter] = {}


def register_public_filter(key: str, provider: PublicFilter) -> None:
    """Called from ``publication``'s ``AppConfig.ready``; registering the same key again replaces it."""
    _filters[key] = provider


def public_submissions(consultation_id: int) -> QuerySet[Any]:
    """The submissions every registered filter allows (a lazy queryset of ids; none without a filter)."""
    submissions = ResponseSubmission.objects.filter(response__consultation_id=consultation_id)
    if not _filters:
        return submissions.none().values("pk")
    for provider in _filters.values():
        submissions = submissions.filter(pk__in=provider(consultation_id))
    return submissions.values("pk")


@dataclass(frozen=True)
class Rows:
    """The filter a report's figures apply at their query roots: nothing for the Committee; for the public, the
    published submissions' rows only and never a row marked not for publication."""

    submissions: QuerySet[Any] | None = None  # None: the Committee's build, everything submitted

    @property
    def public(self) -> bool:
        return self.submissions is not None

    def answers(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``SubmittedAnswer`` rows."""
        if self.submissions is None:
            return queryset
        return queryset.filter(submission_id__in=self.submissions, confidential=False)

    def typed(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Typed rows (``SubmittedChoice``, ``SubmittedValue``, ``SubmittedReference``, ``SubmittedAttachment``):
        each repeats its answer's (or its document's) mark; the answer's own mark is checked too (same join)."""
        if self.submissions is None:
            return queryset
        return queryset.filter(
            answer__submission_id__in=self.submissions, answer__confidential=False, confidential=False
        )

    def responses(self, queryset: QuerySet[Response]) -> QuerySet[Response]:
        if self.submissions is None:
            return queryset
        return queryset.filter(pk__in=ResponseSubmission.objects.filter(pk__in=self.submissions).values("response_id"))

    def parties(self, queryset: QuerySet[Party]) -> QuerySet[Party]:
        """The Parties a report names: for the public, only those whose reply is published."""
        if self.submissions is None:
            return queryset
        return queryset.filter(
            pk__in=ResponseSubmission.objects.filter(pk__in=self.submissions).values("response__party_id")
        )


def rows_for(*, consultation_id: int, audience: str) -> Rows:
    if audience == Audience.COMMITTEE:
        return Rows()
    if audience == Audience.PUBLIC:
        return Rows(submissions=public_submissions(consultation_id))
    raise ValueError(f"unknown audience {audience!r}")
