"""Coding the submitted replies: a passage of a text answer (field and character offsets) or a whole answer.

Offsets count Unicode code points of the submitted text, as Python slices and the browser's selection do. The
quote is stored with the coding, so a later resubmission that changes the text is detected by comparing the
quote with the text now at those offsets (``codings_flag_changed``), and the coding is flagged for review
instead of silently pointing at different words.
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
from ..models import Code, Coding

CHANGED_PASSAGE = "changed_passage"
CHANGED_ANSWER = "changed_answer"


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
    audit_record(
        event_type="monitoring.coding_deleted",
        actor=user,
        consultation=coding.consultation,
        object_repr=str(coding),
        request=request,
        extra={"code": coding.code_id, "quote": coding.quote[:200], "start": coding.start, "end": coding.end},
    )
    coding.delete()


def _current_submitted(codings: list[Coding]) -> tuple[dict, dict]:
    pairs = {(c.response_id, c.item_id) for c in codings}
    response_ids = {r for r, _ in pairs}
    item_ids = {i for _, i in pairs}
    answers = {
        (r, i): (pk, version)
        for pk, r, i, version in SubmittedAnswer.objects.filter(
            response_id__in=response_ids, item_id__in=item_ids
        ).values_list("pk", "response_id", "item_id", "version")
    }
    texts = {
        (r, i, f): text
        for r, i, f, text in SubmittedValue.objects.filter(
            answer_id__in=[pk for pk, _ in answers.values()], field__type=FieldType.TEXT
        ).values_list("answer__response_id", "item_id", "field_id", "text")
    }
    return answers, texts


def coding_is_current(coding: Coding, answers: dict, texts: dict) -> str:
    """'' when the coding still matches the submitted reply, else the reason it does not."""
    current = answers.get((coding.response_id, coding.item_id))
    if current is None:
        return CHANGED_ANSWER
    if coding.field_id is None:
        return "" if current[1] == coding.answer_version else CHANGED_ANSWER
    text = texts.get((coding.response_id, coding.item_id, coding.field_id), "")
    return "" if text[coding.start : coding.end] == coding.quote else CHANGED_PASSAGE


def codings_flag_changed(*, item_ids: Iterable[int]) -> int:
    """Flag for review the codings of these items whose reply was resubmitted with a different text.

    Called by the pages that show codings, before they read them (``consultation`` never calls ``monitoring``,
    so the comparison happens when codings are read). Returns how many codings were newly flagged.
    """
    codings = list(Coding.objects.filter(item_id__in=list(item_ids), needs_review=False))
    if not codings:
        return 0
    answers, texts = _current_submitted(codings)
    changed: dict[str, list[int]] = {}
    for coding in codings:
        reason = coding_is_current(coding, answers, texts)
        if reason:
            changed.setdefault(reason, []).append(coding.pk)
    for reason, ids in changed.items():
        Coding.objects.filter(pk__in=ids).update(needs_review=True, review_reason=reason)
    return sum(len(ids) for ids in changed.values())


@transaction.atomic
def coding_reanchor(*, coding: Coding, user: Any, request: Any = None) -> Coding:
    """Resolve a flagged coding: point it again at its quote in the resubmitted text (found exactly once), or,
    for a whole answer, confirm it for the new version."""
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
    coding.needs_review = False
    coding.review_reason = ""
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
