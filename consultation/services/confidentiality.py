"""What the head of delegation marks "not for publication" at sign-off.

Every answer and every attached document of a reply can be kept out of public outputs, with an optional reason the
Secretariat reads. The marks live on the live answer and attachment (so the next sign-off, after a reopening, starts
from them) and are copied with the submission into the submitted copy, which is what every output reads: the
Committee's documents show everything, public outputs leave out what is marked. What was never decided follows the
consultation's default (``Consultation.confidential_by_default``, set by the Secretariat).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ..models import Answer, Attachment, Response

REASON_MAX_LENGTH = 500


class MarksInvalid(ValueError):
    """A mark cannot be recorded (a reason too long); the message says which and why."""


@dataclass(frozen=True)
class Mark:
    confidential: bool
    reason: str = ""


@dataclass(frozen=True)
class ReplyMarks:
    """The head's choices: by item id for answers, by attachment id for documents."""

    answers: dict[int, Mark]
    attachments: dict[int, Mark]


def mark_check(*, label: str, mark: Mark) -> Mark:
    """A mark with its reason trimmed (kept only when confidential); refuses a reason over the limit."""
    reason = (mark.reason or "").strip() if mark.confidential else ""
    if len(reason) > REASON_MAX_LENGTH:
        raise MarksInvalid(
            _("The reason given for %(label)s is %(length)d characters long; the limit is %(limit)d.")
            % {"label": label, "length": len(reason), "limit": REASON_MAX_LENGTH}
        )
    return Mark(confidential=mark.confidential, reason=reason)


def reply_marks_apply(*, response: Response, marks: ReplyMarks) -> dict[str, int]:
    """Write the head's marks on the reply's answers and documents (inside the submission's transaction).

    Items and documents the form did not show keep what they had. Returns how many answers and documents are now
    not for publication, for the submission's audit row.
    """
    default = response.consultation.confidential_by_default
    answers = list(Answer.objects.filter(response=response).select_related("item").only("id", "item__code"))
    changed_answers = []
    for answer in answers:
        mark = marks.answers.get(answer.item_id)
        if mark is None:
            continue
        mark = mark_check(label=answer.item.code, mark=mark)
        answer.confidential, answer.confidential_reason = mark.confidential, mark.reason
        changed_answers.append(answer)
    Answer.objects.bulk_update(changed_answers, ["confidential", "confidential_reason"])
    documents = list(Attachment.objects.filter(answer__response=response).only("id", "original_name"))
    changed_documents = []
    for document in documents:
        mark = marks.attachments.get(document.pk)
        if mark is None:
            continue
        mark = mark_check(label=document.original_name, mark=mark)
        document.confidential, document.confidential_reason = mark.confidential, mark.reason
        changed_documents.append(document)
    Attachment.objects.bulk_update(changed_documents, ["confidential", "confidential_reason"])
    return {
        "confidential_answers": Answer.objects.filter(response=response, confidential=True).count()
        + (Answer.objects.filter(response=response, confidential__isnull=True).count() if default else 0),
        "confidential_documents": Attachment.objects.filter(answer__response=response, confidential=True).count()
        + (Attachment.objects.filter(answer__response=response, confidential__isnull=True).count() if default else 0),
    }
