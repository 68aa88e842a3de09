"""Saving a Party's answers: versioned, validated, one transaction per item.

Each save names the version it was based on. A save against an older version is refused with
``AnswerConflict`` (carrying the current answer), so two colleagues never overwrite each other
silently. The reply row is locked first, which serialises saves with submission: an edit either
lands before the submission (and is in the submitted reply) or is refused after it.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..answer_values import answer_data_clean, answer_data_missing
from ..models import (
    EDITABLE_RESPONSE_STATUSES,
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Attachment,
    Consultation,
    FieldType,
    Item,
    LegalReference,
    Party,
    Response,
)


class ReplyLocked(Exception):
    """The reply cannot be changed now (submitted, consultation not open, or deadline passed)."""


class AnswerConflict(Exception):
    """Someone saved this answer since the version the editor started from."""

    def __init__(self, *, current: Answer) -> None:
        self.current = current
        super().__init__(
            _("This answer was changed by %(who)s at %(when)s (version %(version)d).")
            % {
                "who": current.updated_by.display_name if current.updated_by else _("someone"),
                "when": timezone.localtime(current.updated_at).strftime("%H:%M"),
                "version": current.version,
            }
        )


def response_get_or_create(*, consultation: Consultation, party: Party) -> Response:
    """The Party's one reply, created on first use; safe when colleagues race to create it."""
    response = Response.objects.filter(consultation=consultation, party=party).first()
    if response is not None:
        return response
    try:
        with transaction.atomic():
            return Response.objects.create(consultation=consultation, party=party)
    except IntegrityError:
        return Response.objects.get(consultation=consultation, party=party)


def reply_lock_reason(*, response: Response, today=None) -> str | None:
    """Why the reply cannot be edited now, or None if it can."""
    today = today or timezone.localdate()
    if response.consultation.status != "open":
        return _("The consultation is not open for replies.")
    if response.status not in EDITABLE_RESPONSE_STATUSES:
        return _("The reply has been submitted; the Secretariat can reopen it.")
    deadline = response.extended_until or response.consultation.closes_on
    if deadline is not None and today > deadline:
        return _("The deadline (%(date)s) has passed; ask the Secretariat for an extension.") % {
            "date": deadline.isoformat()
        }
    return None


def _write_typed_rows(*, answer: Answer, fields: list, data: dict[str, Any]) -> None:
    """Replace the typed value rows that reports aggregate; a fixed number of queries per save."""
    AnswerChoice.objects.filter(answer=answer).delete()
    AnswerValue.objects.filter(answer=answer).delete()
    LegalReference.objects.filter(answer=answer).delete()
    choices, values, references = [], [], []
    for field in fields:
        value = data.get(field.key)
        if value is None:
            continue
        options = {option.key: option for option in field.options.all()}
        if field.type == FieldType.SINGLE_CHOICE:
            choices.append(AnswerChoice(answer=answer, field=field, option=options[value]))
        elif field.type == FieldType.MULTIPLE_CHOICE:
            choices.extend(AnswerChoice(answer=answer, field=field, option=options[key]) for key in value)
        elif field.type == FieldType.RANKING:
            choices.extend(
                AnswerChoice(answer=answer, field=field, option=options[key], rank=rank)
                for rank, key in enumerate(value, start=1)
            )
        elif field.type == FieldType.TEXT:
            values.append(AnswerValue(answer=answer, field=field, text=value))
        elif field.type == FieldType.NUMBER:
            values.append(AnswerValue(answer=answer, field=field, number=value))
        elif field.type == FieldType.LEGAL_REFERENCES:
            references.extend(
                LegalReference(answer=answer, field=field, position=position, **row)
                for position, row in enumerate(value, start=1)
            )
    AnswerChoice.objects.bulk_create(choices)
    AnswerValue.objects.bulk_create(values)
    LegalReference.objects.bulk_create(references)


def _check_attachments(*, answer: Answer, fields: list, data: dict[str, Any]) -> None:
    from ..answer_values import AnswerInvalid

    for field in fields:
        if field.type != FieldType.ATTACHMENT or field.key not in data:
            continue
        wanted = set(data[field.key])
        if answer.pk is None:
            owned: set[int] = set()
        else:
            owned = set(Attachment.objects.filter(answer=answer, field=field).values_list("pk", flat=True))
        if not wanted <= owned:
            raise AnswerInvalid({field.key: _("Unknown attachment.")})


@transaction.atomic
def answer_save(
    *,
    response: Response,
    item: Item,
    data: dict[str, Any],
    base_version: int,
    user: Any,
    language: str = "en",
    source: str = "web",
    note: str = "",
    check_lock: bool = True,
) -> Answer:
    """Validate and save one item's answer as a new version; return the saved answer.

    Raises ``AnswerInvalid`` (bad values, nothing written), ``AnswerConflict`` (stale version) or
    ``ReplyLocked``. Saving an unchanged value writes nothing and returns the current answer.
    """
    response = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if check_lock:
        reason = reply_lock_reason(response=response)
        if reason:
            raise ReplyLocked(reason)
    if item.consultation_id != response.consultation_id:
        raise ValueError("The item belongs to another consultation.")
    fields = list(item.fields.prefetch_related("options"))
    clean = answer_data_clean(fields=fields, data=data)
    answer = (
        Answer.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(response=response, item=item)
        .first()
    )
    if answer is None:
        answer = Answer(response=response, item=item)
    current_version = answer.version if answer.pk else 0
    if base_version != current_version:
        raise AnswerConflict(current=answer)
    _check_attachments(answer=answer, fields=fields, data=clean)
    if answer.pk and clean == answer.data and language == answer.language:
        return answer
    now = timezone.now()
    answer.data = clean
    answer.version = current_version + 1
    answer.language = language
    answer.is_answered = bool(clean)
    answer.is_complete = not answer_data_missing(fields=fields, data=clean)
    answer.updated_at = now
    answer.updated_by = user if getattr(user, "is_authenticated", False) else None
    answer.save()
    _write_typed_rows(answer=answer, fields=fields, data=clean)
    AnswerRevision.objects.create(
        answer=answer,
        version=answer.version,
        data=clean,
        language=language,
        created_by=answer.updated_by,
        created_at=now,
        source=source,
        note=note[:255],
    )
    Response.objects.filter(pk=response.pk).update(last_activity_at=now, last_activity_by=answer.updated_by)
    return answer


@transaction.atomic
def answer_save_draft(
    *,
    response: Response,
    item: Item,
    data: dict[str, Any],
    base_version: int,
    user: Any,
    language: str,
) -> Answer:
    """Save what the item's web form posted, keeping the documents attached to the answer.

    The web form carries no attachment fields (files have their own forms), so their current
    value is kept. Reading it outside the lock is safe: if an upload lands in between, the
    version moves and ``answer_save`` refuses with ``AnswerConflict``.
    """
    if response.pk is None:
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    keys = [f.key for f in item.fields.all() if f.type == FieldType.ATTACHMENT]
    if keys:
        current = Answer.objects.filter(response=response, item=item).values_list("data", flat=True).first() or {}
        data = {**data, **{key: current[key] for key in keys if key in current}}
    return answer_save(response=response, item=item, data=data, base_version=base_version, user=user, language=language)


@transaction.atomic
def answer_restore(*, answer: Answer, version: int, base_version: int, user: Any) -> Answer:
    """Restore an earlier version's content as a new version (history is never rewritten).

    Documents removed since that version cannot come back: their ids are dropped from the value.
    """
    revision = AnswerRevision.objects.get(answer=answer, version=version)
    data = dict(revision.data)
    attachment_keys = set(answer.item.fields.filter(type=FieldType.ATTACHMENT).values_list("key", flat=True)) & set(
        data
    )
    if attachment_keys:
        existing = set(Attachment.objects.filter(answer=answer).values_list("pk", flat=True))
        for key in attachment_keys:
            data[key] = [pk for pk in data[key] if pk in existing]
    return answer_save(
        response=answer.response,
        item=answer.item,
        data=data,
        base_version=base_version,
        user=user,
        language=revision.language,
        source="restore",
        note=_("Restored from version %(version)d") % {"version": version},
    )


def response_missing_required(*, response: Response) -> list[dict[str, Any]]:
    """Each required field without a value: item and field, in questionnaire order."""
    items = list(
        Item.objects.filter(consultation_id=response.consultation_id)
        .prefetch_related("fields__options")
        .order_by("order", "code")
    )
    answers = {a.item_id: a.data for a in Answer.objects.filter(response=response).only("item_id", "data")}
    missing = []
    for item in items:
        for field in answer_data_missing(fields=list(item.fields.all()), data=answers.get(item.pk, {})):
            missing.append({"item": item, "field": field})
    return missing
