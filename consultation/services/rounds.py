"""A delegation's one-click "No change since <round>": the earlier submitted answer, confirmed as a new version, with
copies of its documents."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record

from ..models import Answer, Attachment, Field, FieldType, Item, Response
from ..selectors.rounds import CONFIRMED_SOURCE, PreviousAnswer, previous_answers
from .answers import ReplyLocked, _revision, answer_save, reply_lock_reason, response_get_or_create
from .attachments import (
    MAX_ATTACHMENTS_PER_FIELD,
    AttachmentRefused,
    AttachmentSourceMissing,
    attachment_copies_discard,
    attachments_copy,
)


class NothingToConfirm(Exception):
    """The item continues no earlier item, or the Party submitted no answer to it."""


def _documents_to_copy(
    *, previous: PreviousAnswer, fields: dict[str, Field], party_id: int, current: dict[str, Any]
) -> list[tuple[Attachment, Field]]:
    """The earlier answer's documents to copy into this round, each with the field it goes to (one query, plus one
    when this round's answer already holds documents): those of the earlier *submitted* version, minus any this answer
    already holds (same field, same digest), so confirming twice copies nothing twice."""
    wanted = {key: list(previous.data.get(key) or []) for key in fields if previous.data.get(key)}
    if not wanted:
        return []
    ids = [pk for pks in wanted.values() for pk in pks]
    sources = Attachment.objects.filter(
        pk__in=ids, answer__item_id=previous.item_id, answer__response__party_id=party_id
    ).in_bulk()
    if len(sources) != len(set(ids)):
        raise AttachmentSourceMissing(
            _("A document of the earlier answer was removed since it was submitted, so the answer cannot be copied.")
        )
    held_ids = [pk for key in wanted for pk in current.get(key) or []]
    held = set(Attachment.objects.filter(pk__in=held_ids).values_list("field__key", "sha256")) if held_ids else set()
    copies = []
    for key, pks in wanted.items():
        fresh = [sources[pk] for pk in pks if (key, sources[pk].sha256) not in held]
        if len(current.get(key) or []) + len(fresh) > MAX_ATTACHMENTS_PER_FIELD:
            raise AttachmentRefused(
                _("At most %(count)d documents can be attached here.") % {"count": MAX_ATTACHMENTS_PER_FIELD}
            )
        copies.extend((source, fields[key]) for source in fresh)
    return copies


@transaction.atomic
def answer_confirm_unchanged(
    *, response: Response, item: Item, base_version: int, user: Any, request: Any = None
) -> Answer:
    """Copy the Party's submitted answer of the previous round into this item as a new version, recorded as a
    confirmation (revision source "confirmed", the round named in its note), not as typed text.

    The earlier answer's documents are copied too (``attachments.attachments_copy``: new stored files and rows of
    this answer, since a file belongs to one answer), added to what this round's answer already holds in each
    attachment field. Refusals, each with nothing written: ``NothingToConfirm``; ``AttachmentSourceMissing`` (a
    document of the earlier answer is gone from storage or from the reply) and ``AttachmentRefused`` (too many
    documents); ``answer_save``'s ``AnswerConflict``, ``AnswerInvalid`` (the question's fields changed so the
    earlier value no longer fits) and ``ReplyLocked``.
    """
    previous = previous_answers(items=[item], party_id=response.party_id).get(item.pk)
    if previous is None:
        raise NothingToConfirm(_("There is no submitted answer from the previous round to confirm for this item."))
    fields = {f.key: f for f in item.fields.filter(type=FieldType.ATTACHMENT)}
    current = Answer.objects.filter(response__pk=response.pk, item=item).values_list("data", flat=True).first() or {}
    to_copy = _documents_to_copy(previous=previous, fields=fields, party_id=response.party_id, current=current)
    if response.pk is None:
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    data = {key: value for key, value in previous.data.items() if key not in fields}
    data.update({key: current[key] for key in fields if key in current})
    copies: list[Attachment] = []
    if to_copy:
        # As for an upload: the reply, then the answer the copies belong to, locked before the files are written.
        response = Response.objects.select_for_update().select_related("consultation", "party").get(pk=response.pk)
        reason = reply_lock_reason(response=response)
        if reason:
            raise ReplyLocked(reason)
        target, _created = Answer.objects.select_for_update().get_or_create(
            response=response, item=item, defaults={"language": previous.language}
        )
        copies = attachments_copy(copies=to_copy, answer=target, user=user)
        for copy in copies:
            data[copy.field.key] = [*data.get(copy.field.key, []), copy.pk]
    note = _("No change since %(round)s") % {"round": previous.consultation.title}
    # Files are not transactional: if anything below refuses, the copies' files go with the rolled-back rows.
    try:
        answer = answer_save(
            response=response,
            item=item,
            data=data,
            base_version=base_version,
            user=user,
            language=previous.language,
            source=CONFIRMED_SOURCE,
            note=note,
        )
        if answer.version == base_version:
            # The draft already held that value (carried over): the confirmation is still a version of its own, so the
            # record says the delegation confirmed it rather than left a carried-over draft untouched.
            now = timezone.now()
            answer.version += 1
            answer.updated_at = now
            answer.updated_by = user if getattr(user, "is_authenticated", False) else None
            answer.save(update_fields=["version", "updated_at", "updated_by"])
            _revision(answer=answer, source=CONFIRMED_SOURCE, note=note).save()
            Response.objects.filter(pk=response.pk).update(last_activity_at=now, last_activity_by=answer.updated_by)
        audit_record(
            event_type="reply.answer_confirmed_unchanged",
            actor=user,
            party=response.party,
            consultation=response.consultation,
            object_repr=f"{item.code}",
            request=request,
            extra={
                "from_round": previous.consultation.slug,
                "from_item": previous.code,
                "version": answer.version,
                "documents_copied": [copy.pk for copy in copies],
            },
        )
    except Exception:
        attachment_copies_discard(copies)
        raise
    return answer
