"""Coding the submitted replies: a passage of a text answer (field and character offsets) or a whole answer.

Offsets count Unicode code points of the submitted text, as Python slices and the browser's selection do. The
quote is stored with the coding, so a later resubmission that changes the text is detected by comparing the
quote with the text now at those offsets (``Coding.objects.with_review()``, derived in SQL whenever codings are
read), and the coding shows "to review" instead of silently pointing at different words.

While a rapporteur has marked the item's coding final, its codings are locked: the comparative reports print
them, so a change goes through reopening the coding (which marks the reports stale again).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import Field, FieldType, Item, Response, SubmittedAnswer, SubmittedValue

from ..errors import CodingRefused
from ..models import CHANGED_ANSWER, CHANGED_PASSAGE, Code, Coding, ItemAnalysis  # noqa: F401


def coding_lock_check(*, item: Item) -> None:
    """Refuse any change to the codings of an item whose coding was marked final."""
    if ItemAnalysis.objects.filter(item=item, coding_final_at__isnull=False).exists():
        raise CodingRefused(
            _("The coding of %(item)s is marked final: reopen the coding before changing it.") % {"item": item.code}
        )


def _submitted_answer(*, response: Response, item: Item) -> SubmittedAnswer:
    submitted = SubmittedAnswer.objects.filter(response=response, item=item).first()
    if submitted is None or not submitted.is_answered:
        raise CodingRefused(_("This Party has submitted no answer to this item."))
    return submitted


@transaction.atomic
def coding_apply(
    *,
    response: Response,
    item: Item,
    codes: Iterable[Code],
    user: Any,
    field: Field | None = None,
    start: int | None = None,
    end: int | None = None,
    passage: str = "",
    request: Any = None,
) -> list[Coding]:
    """Apply one or more codes to a passage (``field``, ``start``, ``end``) or, without a field, to the whole
    answer. All or nothing: a code already applied to an overlapping passage refuses the whole request.

    Without offsets, ``passage`` (the exact words, typed by someone who cannot select with a mouse) is looked
    up in the text; it must occur exactly once."""
    codes = list(codes)
    if not codes:
        raise CodingRefused(_("Choose at least one code."))
    if response.consultation_id != item.consultation_id:
        raise CodingRefused(_("This reply belongs to another consultation."))
    if any(code.consultation_id != item.consultation_id for code in codes):
        raise CodingRefused(_("A code of another consultation's codebook cannot be applied here."))
    coding_lock_check(item=item)
    submitted = _submitted_answer(response=response, item=item)
    quote = ""
    if field is not None:
        if field.item_id != item.pk or field.type != FieldType.TEXT:
            raise CodingRefused(_("Only the free-text fields of this item can be coded by passage."))
        text = SubmittedValue.objects.filter(answer=submitted, field=field).values_list("text", flat=True).first() or ""
        if start is None and end is None and passage.strip():
            found = text.find(passage.strip())
            if found < 0:
                raise CodingRefused(_("“%(passage)s” is not in this answer.") % {"passage": passage.strip()})
            if text.find(passage.strip(), found + 1) >= 0:
                raise CodingRefused(
                    _("“%(passage)s” occurs more than once in this answer: type more words.")
                    % {"passage": passage.strip()}
                )
            start, end = found, found + len(passage.strip())
        if start is None and end is None:
            raise CodingRefused(_("Select a passage of the text, or type its exact words."))
        if start is None or end is None or start < 0 or end > len(text) or start >= end:
            raise CodingRefused(
                _("The selected passage (%(start)s–%(end)s) is not within the answer's %(length)s characters.")
                % {"start": start, "end": end, "length": len(text)}
            )
        quote = text[start:end]
        if not quote.strip():
            raise CodingRefused(_("The selected passage is only blank space."))
    elif start is not None or end is not None:
        raise CodingRefused(_("A passage needs the field it was selected in."))
    same_place = Coding.objects.filter(response=response, item=item, code__in=codes)
    if field is None:
        clash = same_place.filter(field__isnull=True)
    else:
        clash = same_place.filter(field=field, start__lt=end, end__gt=start)
    existing = clash.select_related("code").first()
    if existing is not None:
        if field is None:
            raise CodingRefused(_("The whole answer is already coded “%(code)s”.") % {"code": existing.code.name})
        raise CodingRefused(
            _("“%(code)s” is already applied to an overlapping passage: “%(quote)s”.")
            % {"code": existing.code.name, "quote": existing.quote}
        )
    codings = Coding.objects.bulk_create(
        [
            Coding(
                code=code,
                consultation_id=item.consultation_id,
                response=response,
                party_id=response.party_id,
                item=item,
                field=field,
                start=start if field is not None else None,
                end=end if field is not None else None,
                quote=quote,
                submission_id=submitted.submission_id,
                answer_version=submitted.version,
                created_by=user,
            )
            for code in codes
        ]
    )
    audit_record(
        event_type="monitoring.coding_applied",
        actor=user,
        party=response.party,
        consultation=item.consultation,
        object_repr=f"{item.code}:{response.party.iso2}",
        request=request,
        extra={
            "codes": [code.pk for code in codes],
            "field": getattr(field, "key", None),
            "start": start,
            "end": end,
            "version": submitted.version,
        },
    )
    return codings


@transaction.atomic
def coding_delete(*, coding: Coding, user: Any, request: Any = None) -> None:
    coding_lock_check(item=coding.item)
    audit_record(
        event_type="monitoring.coding_deleted",
        actor=user,
        consultation=coding.consultation,
        object_repr=str(coding),
        request=request,
        extra={"code": coding.code_id, "quote": coding.quote[:200], "start": coding.start, "end": coding.end},
    )
    coding.delete()


@transaction.atomic
def coding_reanchor(*, coding: Coding, user: Any, request: Any = None) -> Coding:
    """Resolve a flagged coding: point it again at its quote in the resubmitted text (found exactly once), or,
    for a whole answer, confirm it for the new version."""
    coding_lock_check(item=coding.item)
    submitted = _submitted_answer(response=coding.response, item=coding.item)
    if coding.field_id is not None:
        text = (
            SubmittedValue.objects.filter(answer=submitted, field_id=coding.field_id)
            .values_list("text", flat=True)
            .first()
            or ""
        )
        found = text.find(coding.quote)
        if found < 0 or text.find(coding.quote, found + 1) >= 0:
            raise CodingRefused(
                _(
                    "The quoted passage is not found exactly once in the new text: remove this coding and code the "
                    "new text."
                )
            )
        clash = (
            Coding.objects.filter(
                response_id=coding.response_id, item_id=coding.item_id, field_id=coding.field_id, code_id=coding.code_id
            )
            .exclude(pk=coding.pk)
            .filter(Q(start__lt=found + len(coding.quote)) & Q(end__gt=found))
        )
        if clash.exists():
            raise CodingRefused(_("The new text is already coded with this code at that passage."))
        coding.start, coding.end = found, found + len(coding.quote)
    coding.answer_version = submitted.version
    coding.submission_id = submitted.submission_id
    coding.save()
    audit_record(
        event_type="monitoring.coding_reanchored",
        actor=user,
        consultation=coding.consultation,
        object_repr=str(coding),
        request=request,
        extra={
            "start": coding.start,
            "end": coding.end,
            "version": submitted.version,
            "at": timezone.now().isoformat(),
        },
    )
    return coding
