"""A delegation's one-click "No change since <round>": the earlier submitted answer, confirmed as a new version."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record

from ..models import Answer, FieldType, Item, Response
from ..selectors.rounds import CONFIRMED_SOURCE, previous_answers
from .answers import _revision, answer_save, response_get_or_create


class NothingToConfirm(Exception):
    """The item continues no earlier item, or the Party submitted no answer to it."""


@transaction.atomic
def answer_confirm_unchanged(
    *, response: Response, item: Item, base_version: int, user: Any, request: Any = None
) -> Answer:
    """Copy the Party's submitted answer of the previous round into this item as a new version, recorded as a
    confirmation (revision source "confirmed", the round named in its note), not as typed text.

    Documents stay with the earlier round (a file belongs to one answer): the attachment fields keep what this
    round's answer already holds. Refusals: ``NothingToConfirm``; ``answer_save``'s ``AnswerConflict``,
    ``AnswerInvalid`` (the question's fields changed so the earlier value no longer fits) and ``ReplyLocked``.
    """
    previous = previous_answers(items=[item], party_id=response.party_id).get(item.pk)
    if previous is None:
        raise NothingToConfirm(_("There is no submitted answer from the previous round to confirm for this item."))
    if response.pk is None:
        response = response_get_or_create(consultation=response.consultation, party=response.party)
    current = Answer.objects.filter(response=response, item=item).values_list("data", flat=True).first() or {}
    attachment_keys = set(item.fields.filter(type=FieldType.ATTACHMENT).values_list("key", flat=True))
    data = {key: value for key, value in previous.data.items() if key not in attachment_keys}
    data.update({key: current[key] for key in attachment_keys if key in current})
    note = _("No change since %(round)s") % {"round": previous.consultation.title}
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
        extra={"from_round": previous.consultation.slug, "from_item": previous.code, "version": answer.version},
    )
    return answer
