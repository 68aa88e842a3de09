"""Saving a Party's answers: versioned, validated, one transaction per item or per section.

Each save names the version it was based on. A save against an older version is refused with
``AnswerConflict`` (carrying the current answer), so two colleagues never overwrite each other
silently. The reply row is locked first, which serialises saves with submission: an edit either
lands before the submission (and is in the submitted reply) or is refused after it.

``answers_save_section`` applies the same rules to many items at once (a section, an imported file)
in one transaction and a number of queries that does not grow with the number of items; both paths
share the helpers that derive an answer's values, its typed rows and its revision.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..answer_values import AnswerInvalid, answer_data_clean, answer_data_missing, fields_of, options_of
from ..models import (
    EDITABLE_RESPONSE_STATUSES,
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Attachment,
    Consultation,
    Field,
    FieldType,
    Item,
    LegalReference,
    Party,
    Response,
)
from .readiness import reply_ready_reset


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


class SectionConflict(Exception):
    """Someone saved some of the section's answers since the versions the editor started from.

    ``conflicts`` holds the current answers (unsaved ones at version 0), in the order of the changes.
    """

    def __init__(self, *, conflicts: list[Answer]) -> None:
        self.conflicts = conflicts
        super().__init__(
            _("These answers were changed since you started: %(items)s.")
            % {
                "items": ", ".join(
                    _("%(code)s (version %(version)d)") % {"code": a.item.code, "version": a.version} for a in conflicts
                )
            }
        )


@dataclass(frozen=True)
class SectionChange:
    """One item's new value in a section save, with the version the editor started from."""

    item: Item
    data: dict[str, Any]
    base_version: int


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


def reply_lock_reason(*, response: Response, today: datetime.date | None = None) -> str | None:
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


def _typed_rows(
    *, answer: Answer, fields: list[Field], data: dict[str, Any]
) -> tuple[list[AnswerChoice], list[AnswerValue], list[LegalReference]]:
    """The typed value rows (choices, values, legal references) that reports aggregate for one answer."""
    choices: list[Any] = []
    values: list[Any] = []
    references: list[Any] = []
    for field in fields:
        value = data.get(field.key)
        if value is None:
            continue
        options = {option.key: option for option in options_of(field)}
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
    return choices, values, references


def _has_structure(item: Item) -> bool:
    """Whether the caller read the item with its fields and their options (the views do)."""
    if hasattr(item, "field_list"):
        return all(hasattr(f, "option_list") for f in item.field_list)
    if "fields" in getattr(item, "_prefetched_objects_cache", {}):
        return all("options" in getattr(f, "_prefetched_objects_cache", {}) for f in item.fields.all())
    return False


def _item_fields(item: Item) -> list[Field]:
    """The item's fields with their options: the ones the caller read when it did, else one read here."""
    if _has_structure(item):
        return fields_of(item)
    return list(item.fields.prefetch_related("options"))


def _write_typed_rows(*, saved: list[tuple[Answer, list[Field], dict[str, Any]]], existing: list[int]) -> None:
    """Replace the typed rows of the saved answers: 3 deletes and at most 3 inserts, however many answers.

    ``existing`` are the saved answers that existed before this write; answers just created have no rows yet,
    so a first save skips the deletes.
    """
    if existing:
        AnswerChoice.objects.filter(answer__in=existing).delete()
        AnswerValue.objects.filter(answer__in=existing).delete()
        LegalReference.objects.filter(answer__in=existing).delete()
    choices, values, references = [], [], []
    for answer, fields, data in saved:
        answer_choices, answer_values, answer_references = _typed_rows(answer=answer, fields=fields, data=data)
        choices += answer_choices
        values += answer_values
        references += answer_references
    AnswerChoice.objects.bulk_create(choices)
    AnswerValue.objects.bulk_create(values)
    LegalReference.objects.bulk_create(references)


def _unknown_attachments(*, checks: list[tuple[Answer, list[Field], dict[str, Any]]]) -> list[tuple[Answer, Any]]:
    """The (answer, field) pairs naming documents that are not attached to that answer; one query for all.

    Documents belong to an answer and a field: a value may only name those, so an answer not saved yet
    can name none.
    """
    wanted = [
        (answer, field, data[field.key])
        for answer, fields, data in checks
        for field in fields
        if field.type == FieldType.ATTACHMENT and field.key in data
    ]
    saved_pks = {answer.pk for answer, _field, _ids in wanted if answer.pk is not None}
    owned: set[tuple[int, int, int]] = set()
    if saved_pks:
        owned = set(
            Attachment.objects.filter(
                answer__in=saved_pks, field__in={field.pk for _answer, field, _ids in wanted}
            ).values_list("answer_id", "field_id", "pk")
        )
    unknown = []
    for answer, field, ids in wanted:
        if any((answer.pk, field.pk, pk) not in owned for pk in ids):
            unknown.append((answer, field))
    return unknown


def _check_attachments(*, answer: Answer, fields: list[Field], data: dict[str, Any]) -> None:
    for _answer, field in _unknown_attachments(checks=[(answer, fields, data)]):
        raise AnswerInvalid({field.key: _("Unknown attachment.")})


def _apply_values(
    *, answer: Answer, fields: list[Field], clean: dict[str, Any], language: str, user: Any, now: datetime.datetime
) -> None:
    """Set the answer's new version and the values derived from it (not saved)."""
    answer.data = clean
    answer.version = (answer.version if answer.pk else 0) + 1
    answer.language = language
    answer.is_answered = bool(clean)
    answer.is_complete = not answer_data_missing(fields=fields, data=clean)
    answer.updated_at = now
    answer.updated_by = user if getattr(user, "is_authenticated", False) else None


def _revision(*, answer: Answer, source: str, note: str) -> AnswerRevision:
    return AnswerRevision(
        answer=answer,
        version=answer.version,
        data=answer.data,
        language=answer.language,
        created_by=answer.updated_by,
        created_at=answer.updated_at,
        source=source,
        note=note[:255],
    )


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
    fields = _item_fields(item)
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
    created = answer.pk is None
    _apply_values(answer=answer, fields=fields, clean=clean, language=language, user=user, now=now)
    answer.save()
    _write_typed_rows(saved=[(answer, fields, clean)], existing=[] if created else [answer.pk])
    _revision(answer=answer, source=source, note=note).save()
    # Keep in every answer write (here and in the section save): the state of play's cache fingerprint reads it.
    Response.objects.filter(pk=response.pk).update(last_activity_at=now, last_activity_by=answer.updated_by)
    reply_ready_reset(response=response, user=user, item_codes=[item.code], now=now)
    return answer


@transaction.atomic
def answers_save_section(
    *,
    response: Response,
    changes: list[SectionChange],
    user: Any,
    language: str = "en",
    source: str = "web",
    note: str = "",
    check_lock: bool = True,
) -> list[Answer]:
    """Save several items' answers at once, as ``answer_save`` would one by one, but all or nothing.

    A whole section (or an imported file) in a number of queries that does not grow with the number of
    items. Raises ``AnswerInvalid`` with errors keyed ``"<item code>.<field key>"`` if any value is bad,
    ``SectionConflict`` if any answer moved past its base version, or ``ReplyLocked``; then nothing is
    written. Unchanged answers are left alone (no new version). Returns the answers in the order given.
    """
    if not changes:
        return []
    response = Response.objects.select_for_update().select_related("consultation").get(pk=response.pk)
    if check_lock:
        reason = reply_lock_reason(response=response)
        if reason:
            raise ReplyLocked(reason)
    item_ids = [change.item.pk for change in changes]
    if len(set(item_ids)) != len(item_ids):
        raise ValueError("An item appears twice in the section.")
    if any(change.item.consultation_id != response.consultation_id for change in changes):
        raise ValueError("The item belongs to another consultation.")

    fields_by_item: dict[int, list[Field]] = {pk: [] for pk in item_ids}
    if all(_has_structure(change.item) for change in changes):
        fields_by_item = {change.item.pk: fields_of(change.item) for change in changes}
    else:
        for field in Field.objects.filter(item_id__in=item_ids).prefetch_related("options"):
            fields_by_item[field.item_id].append(field)
    cleaned, errors = [], {}
    for change in changes:
        try:
            cleaned.append(answer_data_clean(fields=fields_by_item[change.item.pk], data=change.data))
        except AnswerInvalid as exc:
            errors.update({f"{change.item.code}.{key}": message for key, message in exc.errors.items()})
    if errors:
        raise AnswerInvalid(errors)

    current = {
        answer.item_id: answer
        for answer in Answer.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .filter(response=response, item_id__in=item_ids)
        .order_by("item_id")
    }
    answers = []
    for change in changes:
        answer = current.get(change.item.pk) or Answer(response=response, item=change.item)
        answer.item = change.item
        answers.append(answer)
    conflicts = [
        answer
        for answer, change in zip(answers, changes, strict=True)
        if change.base_version != (answer.version if answer.pk else 0)
    ]
    if conflicts:
        raise SectionConflict(conflicts=conflicts)
    checks = [(a, fields_by_item[a.item_id], clean) for a, clean in zip(answers, cleaned, strict=True)]
    unknown = _unknown_attachments(checks=checks)
    if unknown:
        raise AnswerInvalid({f"{a.item.code}.{field.key}": _("Unknown attachment.") for a, field in unknown})

    now = timezone.now()
    created: list[Answer] = []
    updated: list[Answer] = []
    for answer, fields, clean in checks:
        if answer.pk and clean == answer.data and language == answer.language:
            continue
        (updated if answer.pk else created).append(answer)
        _apply_values(answer=answer, fields=fields, clean=clean, language=language, user=user, now=now)
    if not created and not updated:
        return answers
    Answer.objects.bulk_create(created)
    # The updated rows exist and are locked: an upsert on the primary key writes them in one statement, without
    # the per-row CASE expressions of bulk_update (which cost 2 ms of Python per answer).
    Answer.objects.bulk_create(
        updated,
        update_conflicts=True,
        unique_fields=["pk"],
        update_fields=["version", "data", "language", "is_answered", "is_complete", "updated_at", "updated_by"],
    )
    changed = {id(answer) for answer in created + updated}
    _write_typed_rows(
        saved=[check for check in checks if id(check[0]) in changed], existing=[answer.pk for answer in updated]
    )
    AnswerRevision.objects.bulk_create(
        [_revision(answer=answer, source=source, note=note) for answer in answers if id(answer) in changed]
    )
    updated_by = user if getattr(user, "is_authenticated", False) else None
    Response.objects.filter(pk=response.pk).update(last_activity_at=now, last_activity_by=updated_by)
    reply_ready_reset(
        response=response, user=user, item_codes=[a.item.code for a in answers if id(a) in changed], now=now
    )
    return answers


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
    version moves and ``answer_save`` refuses with ``AnswerConflict``. Not atomic itself: creating
    the reply and ``answer_save`` each are, and an autosave needs no savepoint around them.
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
    from ..selectors.addressees import items_for_party

    items = list(
        items_for_party(Item.objects.filter(consultation_id=response.consultation_id), party_id=response.party_id)
        .prefetch_related("fields__options")
        .order_by("order", "code")
    )
    answers = {a.item_id: a.data for a in Answer.objects.filter(response=response).only("item_id", "data")}
    missing = []
    for item in items:
        for field in answer_data_missing(fields=list(item.fields.all()), data=answers.get(item.pk, {})):
            missing.append({"item": item, "field": field})
    return missing
