"""The last submitted state of a reply: the copy that reports read.

A reply reopened for correction goes on counting in the reports with what it last submitted, until the head
of delegation submits again; drafts never count. So each official submission copies the live answers and their
typed rows (already checked and normalised by the answer services) into the ``Submitted*`` tables, replacing the
reply's previous copy, in the submission's own transaction: a report never sees half of a submission.

The head of delegation's publication marks travel with the copy: ``confidential`` on the answer and on every typed
row and attachment of it (an attachment can also be marked on its own). The Committee's documents read everything;
public outputs (the ``publication`` app, a report edition for the public) leave out every row marked confidential.
A mark never decided (an answer saved before the marks existed) takes the consultation's default.
"""

from __future__ import annotations

from typing import Any

from ..models import (
    Answer,
    AnswerChoice,
    AnswerValue,
    Attachment,
    LegalReference,
    Response,
    ResponseSubmission,
    SubmittedAnswer,
    SubmittedAttachment,
    SubmittedChoice,
    SubmittedReference,
    SubmittedValue,
)

BATCH = 2000


def submitted_answers_replace(*, response: Response, submission: ResponseSubmission) -> int:
    """Replace the reply's submitted copy with its live answers (call inside the submission's transaction).

    Returns the number of answers copied. Ten statements whatever the size of the reply: one delete (the
    typed rows cascade), five reads and five bulk inserts.
    """
    SubmittedAnswer.objects.filter(response=response).delete()
    common: dict[str, Any] = {"consultation_id": response.consultation_id, "party_id": response.party_id}
    default = response.consultation.confidential_by_default
    answers = SubmittedAnswer.objects.bulk_create(
        [
            SubmittedAnswer(
                response=response,
                submission=submission,
                item_id=item_id,
                version=version,
                language=language,
                is_answered=is_answered,
                submitted_at=submission.submitted_at,
                confidential=default if confidential is None else confidential,
                confidential_reason=reason,
                **common,
            )
            for item_id, version, language, is_answered, confidential, reason in Answer.objects.filter(
                response=response
            )
            .order_by("item_id")
            .values_list("item_id", "version", "language", "is_answered", "confidential", "confidential_reason")
        ],
        batch_size=BATCH,
    )
    copy_of = {answer.item_id: answer.pk for answer in answers}
    hidden = {answer.item_id: answer.confidential for answer in answers}
    live = {"answer__response": response}
    SubmittedChoice.objects.bulk_create(
        [
            SubmittedChoice(
                answer_id=copy_of[item_id],
                item_id=item_id,
                field_id=field_id,
                option_id=option_id,
                rank=rank,
                confidential=hidden[item_id],
                **common,
            )
            for item_id, field_id, option_id, rank in AnswerChoice.objects.filter(**live).values_list(
                "answer__item_id", "field_id", "option_id", "rank"
            )
        ],
        batch_size=BATCH,
    )
    SubmittedValue.objects.bulk_create(
        [
            SubmittedValue(
                answer_id=copy_of[item_id],
                item_id=item_id,
                field_id=field_id,
                text=text,
                number=number,
                confidential=hidden[item_id],
                **common,
            )
            for item_id, field_id, text, number in AnswerValue.objects.filter(**live).values_list(
                "answer__item_id", "field_id", "text", "number"
            )
        ],
        batch_size=BATCH,
    )
    SubmittedReference.objects.bulk_create(
        [
            SubmittedReference(
                answer_id=copy_of[item_id],
                item_id=item_id,
                field_id=field_id,
                position=position,
                instrument=instrument,
                provision=provision,
                url=url,
                confidential=hidden[item_id],
                **common,
            )
            for item_id, field_id, position, instrument, provision, url in LegalReference.objects.filter(
                **live
            ).values_list("answer__item_id", "field_id", "position", "instrument", "provision", "url")
        ],
        batch_size=BATCH,
    )
    SubmittedAttachment.objects.bulk_create(
        [
            SubmittedAttachment(
                answer_id=copy_of[item_id],
                item_id=item_id,
                field_id=field_id,
                attachment_id=pk,
                original_name=name,
                content_type=content_type,
                size=size,
                sha256=sha256,
                confidential=hidden[item_id] or (default if confidential is None else confidential),
                confidential_reason=reason,
                **common,
            )
            for pk, item_id, field_id, name, content_type, size, sha256, confidential, reason in (
                Attachment.objects.filter(**live)
                .order_by("id")
                .values_list(
                    "pk",
                    "answer__item_id",
                    "field_id",
                    "original_name",
                    "content_type",
                    "size",
                    "sha256",
                    "confidential",
                    "confidential_reason",
                )
            )
        ],
        batch_size=BATCH,
    )
    return len(answers)
