"""The last submitted state of a reply: the copy that reports read.

A reply reopened for correction goes on counting in the reports with what it last submitted, until the head
of delegation submits again; drafts never count. So each official submission copies the live answers and their
typed rows (already checked and normalised by the answer services) into the ``Submitted*`` tables, replacing the
reply's previous copy, in the submission's own transaction: a report never sees half of a submission.
"""

from __future__ import annotations

from typing import Any

from ..models import (
    Answer,
    AnswerChoice,
    AnswerValue,
    LegalReference,
    Response,
    ResponseSubmission,
    SubmittedAnswer,
    SubmittedChoice,
    SubmittedReference,
    SubmittedValue,
)

BATCH = 2000


def submitted_answers_replace(*, response: Response, submission: ResponseSubmission) -> int:
    """Replace the reply's submitted copy with its live answers (call inside the submission's transaction).

    Returns the number of answers copied. Eight statements whatever the size of the reply: one delete (the
    typed rows cascade), four reads and four bulk inserts.
    """
    SubmittedAnswer.objects.filter(response=response).delete()
    common: dict[str, Any] = {"consultation_id": response.consultation_id, "party_id": response.party_id}
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
                **common,
            )
            for item_id, version, language, is_answered in Answer.objects.filter(response=response)
            .order_by("item_id")
            .values_list("item_id", "version", "language", "is_answered")
        ],
        batch_size=BATCH,
    )
    copy_of = {answer.item_id: answer.pk for answer in answers}
    live = {"answer__response": response}
    SubmittedChoice.objects.bulk_create(
        [
            SubmittedChoice(
                answer_id=copy_of[item_id], item_id=item_id, field_id=field_id, option_id=option_id, rank=rank, **common
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
                answer_id=copy_of[item_id], item_id=item_id, field_id=field_id, text=text, number=number, **common
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
                **common,
            )
            for item_id, field_id, position, instrument, provision, url in LegalReference.objects.filter(
                **live
            ).values_list("answer__item_id", "field_id", "position", "instrument", "provision", "url")
        ],
        batch_size=BATCH,
    )
    return len(answers)
