"""The receipt of an official submission: when, by whom, what (a digest of the submitted content).

A head of delegation who submits wants proof of what was sent, and a member who was not there wants to see it
too. The receipt is read from the frozen ``ResponseSubmission`` (never from the live answers, which a reopening
may change), so it reads the same at any time.

The digest is SHA-256 over the submission's snapshot written as canonical JSON (keys sorted, no spaces, UTF-8):
anyone holding the snapshot can recompute it, and any change to a submitted answer changes it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from ..models import Item, Response, ResponseSubmission


@dataclass(frozen=True)
class Receipt:
    """One submission as its receipt shows it."""

    response: Response
    submission: ResponseSubmission
    submitted_at: datetime.datetime
    submitted_by: str
    digest: str
    items_answered: int
    items_total: int
    sequence: int
    latest_sequence: int

    @property
    def digest_groups(self) -> str:
        """The digest in groups of eight, easier to read aloud and compare."""
        return " ".join(self.digest[index : index + 8] for index in range(0, len(self.digest), 8))

    @property
    def is_latest(self) -> bool:
        return self.sequence == self.latest_sequence


def submission_digest(*, snapshot: dict[str, Any]) -> str:
    """SHA-256 (hex) of the snapshot as canonical JSON: the same content always gives the same digest."""
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _answered(entry: Any) -> bool:
    data = entry.get("data") if isinstance(entry, dict) else None
    if not isinstance(data, dict):
        return False
    return any(value not in (None, "", [], {}) for value in data.values())


def receipt_get(*, response: Response, sequence: int | None = None) -> Receipt | None:
    """The receipt of the reply's submission number ``sequence`` (the latest when None); None if there is none.

    Three queries: the submissions' numbers, the submission with its author, the number of items.
    """
    if response.pk is None:
        return None
    sequences = list(ResponseSubmission.objects.filter(response=response).values_list("sequence", flat=True))
    if not sequences:
        return None
    wanted = max(sequences) if sequence is None else sequence
    if wanted not in sequences:
        return None
    submission = ResponseSubmission.objects.select_related("submitted_by").get(response=response, sequence=wanted)
    snapshot = submission.snapshot or {}
    return Receipt(
        response=response,
        submission=submission,
        submitted_at=submission.submitted_at,
        submitted_by=submission.submitted_by.display_name if submission.submitted_by else "",
        digest=submission_digest(snapshot=snapshot),
        items_answered=sum(1 for entry in snapshot.values() if _answered(entry)),
        items_total=Item.objects.filter(consultation_id=response.consultation_id).count(),
        sequence=wanted,
        latest_sequence=max(sequences),
    )
