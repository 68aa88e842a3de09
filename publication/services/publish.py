"""Publishing the replies on the public site, and withdrawing them: the Secretariat's decision, audited.

A publication copies the reply's submitted copy (never a draft) minus what the head of delegation marked "not for
publication", in one transaction with its audit row. The files of the released documents are copied too, and the
copies removed again if the transaction rolls back. Every write touches ``Publication.changed_at``, which is what the
public pages' cache keys read: a publication or a withdrawal shows on the very next request.
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import audit_record
from consultation.models import (
    Consultation,
    Field,
    FieldType,
    Party,
    ResponseSubmission,
    SubmittedAnswer,
    SubmittedAttachment,
)

from ..errors import PublicationError
from ..models import Publication, PublishedAnswer, PublishedDocument
from .editions import public_editions_withdraw_all


def _audit(
    event_type: str, *, consultation: Consultation, party: Party | None, user: Any, request: Any, **extra: Any
) -> None:
    audit_record(
        event_type=event_type,
        actor=user,
        party=party,
        consultation=consultation,
        object_repr=f"{party or ''} {consultation}".strip(),
        request=request,
        extra=extra,
    )


def deadline_passed(consultation: Consultation, *, today: Any = None) -> bool:
    """Publishing every reply at once waits for the deadline (or a closed consultation)."""
    if consultation.status in ("closed", "archived"):
        return True
    today = today or timezone.localdate()
    return consultation.closes_on is not None and consultation.closes_on < today


def _words(field: Field, value: Any, labels: dict[tuple[int, str], str]) -> list[str]:
    """The searchable words of one field's value: texts, option labels in both languages, legal references."""
    if value in (None, "", [], {}):
        return []
    if field.type == FieldType.TEXT:
        return [str(value)]
    if field.type in (FieldType.SINGLE_CHOICE, FieldType.MULTIPLE_CHOICE, FieldType.RANKING):
        keys = value if isinstance(value, list) else [value]
        return [labels.get((field.pk, key), "") for key in keys]
    if field.type == FieldType.LEGAL_REFERENCES:
        return [" ".join(filter(None, (row.get("instrument"), row.get("provision")))) for row in value]
    return []


def _snapshot_rows(*, consultation: Consultation, party: Party) -> tuple[ResponseSubmission, list[SubmittedAnswer]]:
    answers = list(
        SubmittedAnswer.objects.filter(consultation=consultation, party=party).select_related("submission", "item")
    )
    if not answers:
        raise PublicationError(
            _("%(party)s has not submitted a reply to this consultation: there is nothing to publish.")
            % {"party": party.name}
        )
    return answers[0].submission, answers


def _publish_one(
    *, consultation: Consultation, party: Party, user: Any, request: Any, now: Any, files: list[Any]
) -> Publication:
    submission, submitted = _snapshot_rows(consultation=consultation, party=party)
    current = Publication.objects.select_for_update().filter(consultation=consultation, party=party).current().first()
    if current is not None and current.submission_id == submission.pk:
        raise PublicationError(
            _("The reply of %(party)s as submitted on %(date)s is already published (version %(number)d).")
            % {"party": party.name, "date": submission.submitted_at.date().isoformat(), "number": current.number}
        )
    number = (
        Publication.objects.filter(consultation=consultation, party=party).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    if current is not None:
        current.superseded_at = now
        current.changed_at = now
        current.save(update_fields=["superseded_at", "changed_at"])
    publication = Publication.objects.create(
        consultation=consultation,
        party=party,
        number=number,
        submission=submission,
        submission_sequence=submission.sequence,
        submitted_at=submission.submitted_at,
        published_at=now,
        published_by=user,
        changed_at=now,
    )
    snapshot = submission.snapshot or {}
    fields_by_item: dict[int, list[Field]] = {}
    for fld in Field.objects.filter(item__consultation=consultation).prefetch_related("options"):
        fields_by_item.setdefault(fld.item_id, []).append(fld)
    labels = {
        (fld.pk, option.key): f"{option.label_en} {option.label_fr}".strip()
        for flds in fields_by_item.values()
        for fld in flds
        for option in fld.options.all()
    }
    documents = {
        doc.attachment_id: doc
        for doc in SubmittedAttachment.objects.filter(consultation=consultation, party=party).select_related(
            "attachment"
        )
    }
    withheld = 0
    published = 0
    for answer in submitted:
        if answer.confidential:
            withheld += 1
            withheld += sum(1 for doc in documents.values() if doc.item_id == answer.item_id)
            continue
        if not answer.is_answered:
            continue
        data = dict((snapshot.get(answer.item.code) or {}).get("data") or {})
        texts: list[str] = []
        words: list[str] = []
        attachment_fields: list[Field] = []
        for fld in fields_by_item.get(answer.item_id, []):
            if fld.type == FieldType.ATTACHMENT:
                attachment_fields.append(fld)
            else:
                (texts if fld.type == FieldType.TEXT else words).extend(_words(fld, data.get(fld.key), labels))
        row = PublishedAnswer.objects.create(
            publication=publication,
            consultation=consultation,
            party=party,
            item=answer.item,
            language=answer.language,
            data=data,
            # The Party's own words first (what a search excerpt should show), then the options it chose.
            text="\n".join(word for word in texts + words if word),
        )
        published += 1
        for fld in attachment_fields:
            kept: list[int] = []
            for attachment_id in data.get(fld.key) or []:
                doc = documents.get(attachment_id)
                if doc is None or doc.confidential:
                    withheld += doc is not None
                    continue
                if doc.attachment is None or not doc.attachment.file:
                    continue  # removed from the reopened reply since: nothing left to copy
                with doc.attachment.file.open("rb") as handle:
                    content = handle.read()
                copy = PublishedDocument(
                    publication=publication,
                    answer=row,
                    field=fld,
                    original_name=doc.original_name,
                    content_type=doc.content_type,
                    size=doc.size,
                    sha256=doc.sha256,
                )
                copy.file.save(doc.original_name, ContentFile(content), save=False)
                files.append(copy.file.name)
                copy.save()
                kept.append(copy.pk)
            row.data[fld.key] = kept
        if attachment_fields:
            row.save(update_fields=["data"])
    publication.answer_count = published
    publication.withheld_count = withheld
    publication.save(update_fields=["answer_count", "withheld_count"])
    _audit(
        "publication.published",
        consultation=consultation,
        party=party,
        user=user,
        request=request,
        version=number,
        submission=submission.sequence,
        submitted_at=submission.submitted_at.isoformat(),
        answers=published,
        withheld=withheld,
        replaces=current.number if current is not None else None,
    )
    return publication


def _files_remove(files: list[str]) -> None:
    """Files are not transactional: remove the copies of a publication that did not commit."""
    from django.core.files.storage import default_storage

    for name in files:
        default_storage.delete(name)


def publication_publish_party(
    *, consultation: Consultation, party: Party, user: Any, request: Any = None
) -> Publication:
    """Publish one Party's reply as last submitted (Party by Party: allowed before the deadline too)."""
    files: list[str] = []
    try:
        with transaction.atomic():
            return _publish_one(
                consultation=consultation, party=party, user=user, request=request, now=timezone.now(), files=files
            )
    except BaseException:
        _files_remove(files)
        raise


def publication_publish_all(*, consultation: Consultation, user: Any, request: Any = None) -> list[Publication]:
    """Publish every submitted reply not yet published as submitted; only once the deadline has passed."""
    if not deadline_passed(consultation):
        raise PublicationError(
            _(
                "The deadline has not passed yet: publish the replies all together once it has, or publish a "
                "Party's reply on its own."
            )
        )
    published_submissions = set(
        Publication.objects.filter(consultation=consultation).current().values_list("submission_id", flat=True)
    )
    parties = list(
        Party.objects.filter(
            pk__in=SubmittedAnswer.objects.filter(consultation=consultation)
            .exclude(submission_id__in=published_submissions)
            .values("party_id")
        ).order_by("name_en")
    )
    if not parties:
        raise PublicationError(_("Every submitted reply is already published as last submitted."))
    files: list[str] = []
    now = timezone.now()
    try:
        with transaction.atomic():
            done = [
                _publish_one(consultation=consultation, party=party, user=user, request=request, now=now, files=files)
                for party in parties
            ]
            _audit(
                "publication.published_all",
                consultation=consultation,
                party=None,
                user=user,
                request=request,
                parties=[party.iso2 for party in parties],
            )
            return done
    except BaseException:
        _files_remove(files)
        raise


@transaction.atomic
def publication_withdraw(
    *, consultation: Consultation, party: Party, user: Any, reason: str, request: Any = None
) -> int:
    """Take every version of a Party's published reply off the public site, with the reason (audited), and every
    public edition of the consultation's reports with it."""
    reason = (reason or "").strip()
    if not reason:
        raise PublicationError(_("Give the reason for withdrawing the publication."))
    now = timezone.now()
    versions = list(Publication.objects.select_for_update().filter(consultation=consultation, party=party).visible())
    if not versions:
        raise PublicationError(_("The reply of %(party)s is not published.") % {"party": party.name})
    Publication.objects.filter(pk__in=[v.pk for v in versions]).update(
        withdrawn_at=now, withdrawn_by=user, withdraw_reason=reason, changed_at=now
    )
    _audit(
        "publication.withdrawn",
        consultation=consultation,
        party=party,
        user=user,
        request=request,
        versions=sorted(v.number for v in versions),
        reason=reason,
    )
    # Every public edition of the reports may count this Party: off the public site too, in the same transaction.
    public_editions_withdraw_all(
        consultation=consultation, user=user, request=request, reason=f"{party.iso2}: {reason}"
    )
    return len(versions)
