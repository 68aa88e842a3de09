"""A consultation's life: create or duplicate it, open, close, archive; deadlines and reopenings per Party.

Pages and admin actions call these functions, so the rules (and the audit trail) are the same
whichever door the Secretariat uses. Each one is atomic: a refused step changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modeltranslation.translator import translator

from accounts.selectors.links import platform_base_url
from accounts.services import audit_record

from ..answer_values import answer_data_missing
from ..models import (
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Consultation,
    ConsultationStatus,
    Field,
    FieldType,
    Item,
    ItemAddressee,
    LegalReference,
    Option,
    Party,
    Response,
    ResponseStatus,
)
from .answers import response_get_or_create
from .responses import reply_audit, response_reopen

BULK_BATCH = 2000


class LifecycleError(Exception):
    """The step is not allowed in the consultation's or reply's current state; the message says why."""


logger = logging.getLogger(__name__)


def _audit(event_type: str, *, consultation: Consultation, user: Any, request: Any, **extra: Any) -> None:
    audit_record(
        event_type=event_type,
        actor=user,
        consultation=consultation,
        object_repr=f"consultation:{consultation.slug}",
        request=request,
        extra=extra,
    )


def _check_dates(opens_on: datetime.date | None, closes_on: datetime.date | None) -> None:
    if opens_on and closes_on and closes_on < opens_on:
        raise LifecycleError(_("The closing date must be on or after the opening date."))


def _check_slug(slug: str) -> str:
    slug = slugify(slug or "")[:80]
    if not slug:
        raise LifecycleError(_("Give the consultation a short name for its address (letters, digits, hyphens)."))
    if Consultation.objects.filter(slug=slug).exists():
        raise LifecycleError(_("The address “%(slug)s” is already used by another consultation.") % {"slug": slug})
    return slug


@transaction.atomic
def consultation_create(
    *,
    user: Any,
    slug: str,
    title_en: str,
    title_fr: str = "",
    description_en: str = "",
    description_fr: str = "",
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    request: Any = None,
) -> Consultation:
    """A new consultation, in draft, so that items can be written before anyone sees it."""
    if not (title_en or "").strip():
        raise LifecycleError(_("Give the consultation an English title."))
    _check_dates(opens_on, closes_on)
    consultation = Consultation.objects.create(
        slug=_check_slug(slug),
        title_en=title_en.strip(),
        title_fr=(title_fr or "").strip(),
        description_en=description_en or "",
        description_fr=description_fr or "",
        opens_on=opens_on,
        closes_on=closes_on,
        status=ConsultationStatus.DRAFT,
    )
    _audit("consultation.created", consultation=consultation, user=user, request=request)
    return consultation


def _untranslated_base_fields(model: Any) -> set[str]:
    """The base names of modeltranslation fields ("text"); only their _en/_fr columns are copied."""
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except Exception:  # the model has no translated fields
        return set()


def _copy_rows(model: Any, queryset: Any, **remap: Any) -> tuple[list[Any], list[int]]:
    """Unsaved copies of every row of ``queryset`` (raw column values), and the source ids in the same order.

    ``remap`` maps a foreign-key attname to a function from the old value to the new one.
    """
    skip = {"id"} | _untranslated_base_fields(model)
    copies, source_ids = [], []
    for row in queryset.values(*[f.attname for f in model._meta.concrete_fields if f.attname not in skip] + ["id"]):
        source_ids.append(row.pop("id"))
        for attname, convert in remap.items():
            row[attname] = convert(row[attname])
        copies.append(model(**row))
    return copies, source_ids


def consultation_next_slug(*, source: Consultation) -> str:
    """A free address for the next round of ``source`` ("slug-round-2", "slug-round-3", ...)."""
    base = source.slug.rsplit("-round-", 1)[0][:70]
    n = 2
    while Consultation.objects.filter(slug=f"{base}-round-{n}").exists():
        n += 1
    return f"{base}-round-{n}"


@transaction.atomic
def consultation_duplicate(
    *,
    source: Consultation,
    user: Any,
    slug: str,
    title_en: str,
    title_fr: str = "",
    opens_on: datetime.date | None = None,
    closes_on: datetime.date | None = None,
    carry_over: bool = False,
    request: Any = None,
) -> Consultation:
    """A new round (draft) with the same items, answer definitions, options and addressees as ``source``; each
    new item records the item it continues (``Item.continues``), so the rounds compare item by item even after
    the Secretariat renames or renumbers them.

    With ``carry_over``, each Party that replied to ``source`` starts with a draft holding its earlier
    answers (a revision with source "carry-over"). The earlier round is not changed. A constant number
    of queries per table, whatever the number of items and Parties.
    """
    if not (title_en or "").strip():
        raise LifecycleError(_("Give the new round an English title."))
    _check_dates(opens_on, closes_on)
    new = Consultation.objects.create(
        slug=_check_slug(slug),
        title_en=title_en.strip(),
        title_fr=(title_fr or "").strip(),
        description_en=source.description_en or "",
        description_fr=source.description_fr or "",
        source_reference=source.source_reference,
        opens_on=opens_on,
        closes_on=closes_on,
        status=ConsultationStatus.DRAFT,
        previous=source,
    )
    items, old_item_ids = _copy_rows(
        Item, Item.objects.filter(consultation=source).order_by("id"), consultation_id=lambda _old: new.pk
    )
    for copy, old_id in zip(items, old_item_ids, strict=True):
        copy.continues_id = old_id  # the new round's item asks again the earlier one: rounds compare through it
    Item.objects.bulk_create(items, batch_size=BULK_BATCH)
    item_map = dict(zip(old_item_ids, [i.pk for i in items], strict=True))
    ItemAddressee.objects.bulk_create(
        [
            ItemAddressee(item_id=item_map[row["item_id"]], party_id=row["party_id"])
            for row in ItemAddressee.objects.filter(item__consultation=source).values("item_id", "party_id")
        ],
        batch_size=BULK_BATCH,
    )

    through = Item.articles.through
    through.objects.bulk_create(
        [
            through(item_id=item_map[row["item_id"]], article_id=row["article_id"])
            for row in through.objects.filter(item__consultation=source).values("item_id", "article_id")
        ],
        batch_size=BULK_BATCH,
    )
    fields, old_field_ids = _copy_rows(
        Field, Field.objects.filter(item__consultation=source).order_by("id"), item_id=item_map.__getitem__
    )
    Field.objects.bulk_create(fields, batch_size=BULK_BATCH)
    field_map = dict(zip(old_field_ids, [f.pk for f in fields], strict=True))
    options, old_option_ids = _copy_rows(
        Option, Option.objects.filter(field__item__consultation=source).order_by("id"), field_id=field_map.__getitem__
    )
    Option.objects.bulk_create(options, batch_size=BULK_BATCH)
    option_map = dict(zip(old_option_ids, [o.pk for o in options], strict=True))

    carried = 0
    if carry_over:
        carried = _carry_over(
            source=source, new=new, user=user, item_map=item_map, field_map=field_map, option_map=option_map
        )
    _audit(
        "consultation.duplicated",
        consultation=new,
        user=user,
        request=request,
        source=source.slug,
        items=len(items),
        carry_over=carry_over,
        carried_answers=carried,
    )
    return new


def _carry_over(
    *,
    source: Consultation,
    new: Consultation,
    user: Any,
    item_map: dict[int, int],
    field_map: dict[int, int],
    option_map: dict[int, int],
) -> int:
    """Copy each Party's answers of ``source`` into a fresh draft of ``new``; return the number of answers."""
    now = timezone.now()
    actor = user if getattr(user, "is_authenticated", False) else None
    old_responses = list(Response.objects.filter(consultation=source).values_list("id", "party_id"))
    responses = [
        Response(consultation=new, party_id=party_id, status=ResponseStatus.DRAFT) for _, party_id in old_responses
    ]
    Response.objects.bulk_create(responses, batch_size=BULK_BATCH)
    response_map = {old_id: r.pk for (old_id, _), r in zip(old_responses, responses, strict=True)}

    # Attachments stay with the earlier round (files are not copied): their keys are dropped from the data.
    new_fields: dict[int, list[Field]] = {}
    # The options ride along (``option_list``, read by the completeness check) instead of a query per answer.
    option_rows = Prefetch("options", queryset=Option.objects.order_by("order", "id"), to_attr="option_list")
    for f in Field.objects.filter(item__consultation=new).order_by("order", "id").prefetch_related(option_rows):
        new_fields.setdefault(f.item_id, []).append(f)
    attachment_keys = {
        item_id: {f.key for f in item_fields if f.type == FieldType.ATTACHMENT}
        for item_id, item_fields in new_fields.items()
    }
    answers, old_answer_ids = [], []
    for row in (
        Answer.objects.filter(response__consultation=source)
        .order_by("id")
        .values("id", "response_id", "item_id", "data", "language")
        .iterator(chunk_size=BULK_BATCH)
    ):
        item_id = item_map[row["item_id"]]
        skip = attachment_keys.get(item_id, set())
        data = {k: v for k, v in (row["data"] or {}).items() if k not in skip}
        answers.append(
            Answer(
                response_id=response_map[row["response_id"]],
                item_id=item_id,
                data=data,
                version=1,
                language=row["language"],
                is_answered=bool(data),
                is_complete=not answer_data_missing(fields=new_fields.get(item_id, []), data=data),
                updated_at=now,
                updated_by=actor,
            )
        )
        old_answer_ids.append(row["id"])
    Answer.objects.bulk_create(answers, batch_size=BULK_BATCH)
    answer_map = dict(zip(old_answer_ids, [a.pk for a in answers], strict=True))
    AnswerRevision.objects.bulk_create(
        [
            AnswerRevision(
                answer_id=a.pk,
                version=1,
                data=a.data,
                language=a.language,
                created_at=now,
                created_by=actor,
                source="carry-over",
                note=_("Carried over from %(slug)s") % {"slug": source.slug},
            )
            for a in answers
        ],
        batch_size=BULK_BATCH,
    )
    AnswerChoice.objects.bulk_create(
        [
            AnswerChoice(
                answer_id=answer_map[c["answer_id"]],
                field_id=field_map[c["field_id"]],
                option_id=option_map[c["option_id"]],
                rank=c["rank"],
            )
            for c in AnswerChoice.objects.filter(answer__response__consultation=source)
            .values("answer_id", "field_id", "option_id", "rank")
            .iterator(chunk_size=BULK_BATCH)
        ],
        batch_size=BULK_BATCH,
    )
    AnswerValue.objects.bulk_create(
        [
            AnswerValue(
                answer_id=answer_map[v["answer_id"]],
                field_id=field_map[v["field_id"]],
                text=v["text"],
                number=v["number"],
            )
            for v in AnswerValue.objects.filter(answer__response__consultation=source)
            .values("answer_id", "field_id", "text", "number")
            .iterator(chunk_size=BULK_BATCH)
        ],
        batch_size=BULK_BATCH,
    )
    LegalReference.objects.bulk_create(
        [
            LegalReference(
                answer_id=answer_map[r["answer_id"]],
                field_id=field_map[r["field_id"]],
                position=r["position"],
                instrument=r["instrument"],
                provision=r["provision"],
                url=r["url"],
            )
            for r in LegalReference.objects.filter(answer__response__consultation=source)
            .values("answer_id", "field_id", "position", "instrument", "provision", "url")
            .iterator(chunk_size=BULK_BATCH)
        ],
        batch_size=BULK_BATCH,
    )
    if answers:
        Response.objects.filter(consultation=new).update(last_activity_at=now, last_activity_by=actor)
    return len(answers)


def _locked(consultation: Consultation) -> Consultation:
    return Consultation.objects.select_for_update().get(pk=consultation.pk)


@transaction.atomic
def consultation_open(*, consultation: Consultation, user: Any, request: Any = None) -> Consultation:
    """Open the consultation to the Parties: it needs items and a closing date that has not passed."""
    consultation = _locked(consultation)
    if consultation.status not in (ConsultationStatus.DRAFT, ConsultationStatus.CLOSED):
        raise LifecycleError(_("Only a draft or closed consultation can be opened."))
    if consultation.closes_on is None:
        raise LifecycleError(_("Set a closing date before opening the consultation."))
    today = timezone.localdate()
    if consultation.closes_on < today:
        raise LifecycleError(
            _("The closing date (%(date)s) has passed; set a later one before opening.")
            % {"date": consultation.closes_on.isoformat()}
        )
    if not Item.objects.filter(consultation=consultation).exists():
        raise LifecycleError(_("Add at least one item before opening the consultation."))
    previous = consultation.status
    consultation.status = ConsultationStatus.OPEN
    if consultation.opens_on is None or consultation.opens_on > today:
        consultation.opens_on = today
    consultation.save(update_fields=["status", "opens_on"])
    _audit("consultation.opened", consultation=consultation, user=user, request=request, previous=previous)
    return consultation


@transaction.atomic
def consultation_close(*, consultation: Consultation, user: Any, request: Any = None) -> Consultation:
    """Close the consultation: replies can no longer be edited or submitted."""
    consultation = _locked(consultation)
    if consultation.status != ConsultationStatus.OPEN:
        raise LifecycleError(_("Only an open consultation can be closed."))
    consultation.status = ConsultationStatus.CLOSED
    consultation.save(update_fields=["status"])
    _audit("consultation.closed", consultation=consultation, user=user, request=request)
    return consultation


@transaction.atomic
def consultation_archive(*, consultation: Consultation, user: Any, request: Any = None) -> Consultation:
    """Archive a closed (or never opened) consultation; it stays readable."""
    consultation = _locked(consultation)
    if consultation.status not in (ConsultationStatus.CLOSED, ConsultationStatus.DRAFT):
        raise LifecycleError(_("Close the consultation before archiving it."))
    consultation.status = ConsultationStatus.ARCHIVED
    consultation.save(update_fields=["status"])
    _audit("consultation.archived", consultation=consultation, user=user, request=request)
    return consultation


def consultation_items_editable(consultation: Consultation) -> bool:
    """Items and answer definitions change only while the consultation is a draft."""
    return consultation.status == ConsultationStatus.DRAFT


@transaction.atomic
def response_extend_deadline(
    *, consultation: Consultation, party: Party, until: datetime.date, user: Any, request: Any = None
) -> Response:
    """Give one Party until ``until`` to reply (its reply row is created if it has not started)."""
    if consultation.status != ConsultationStatus.OPEN:
        raise LifecycleError(_("Deadlines can be extended only while the consultation is open."))
    if until < timezone.localdate():
        raise LifecycleError(_("The new deadline (%(date)s) is in the past.") % {"date": until.isoformat()})
    if consultation.closes_on and until <= consultation.closes_on:
        raise LifecycleError(
            _("The new deadline must be after the consultation's closing date (%(date)s).")
            % {"date": consultation.closes_on.isoformat()}
        )
    response = response_get_or_create(consultation=consultation, party=party)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.status == ResponseStatus.SUBMITTED:
        raise LifecycleError(_("The reply has been submitted; reopen it first if the Party needs more time."))
    previous = response.extended_until
    response.extended_until = until
    response.save(update_fields=["extended_until"])
    reply_audit(
        "reply.extended",
        response=response,
        user=user,
        request=request,
        until=until.isoformat(),
        previous=previous.isoformat() if previous else None,
    )
    return response


@transaction.atomic
def response_reopen_and_notify(*, response: Response, user: Any, reason: str, request: Any = None) -> Response:
    """Reopen a submitted reply (reason kept) and tell the delegation by e-mail once it is committed."""
    response = response_reopen(response=response, user=user, reason=reason, request=request)
    response_id = response.pk
    base_url = platform_base_url(request=request)
    transaction.on_commit(lambda: reopened_notice_enqueue(response_id=response_id, base_url=base_url))
    return response


REOPENED_NOTICE_EVENT = "reply.reopened_notice_sent"


def reopened_notice_enqueue(*, response_id: int, base_url: str | None = None) -> bool:
    """Queue the reopening notice (called on commit): the Secretariat's request never waits for the mail server,
    and a broker outage is logged without undoing the reopening."""
    from ..tasks import reopened_notice_send as reopened_notice_send_task

    try:
        reopened_notice_send_task.apply_async(args=[response_id], kwargs={"base_url": base_url}, retry=False)
        return True
    except Exception:  # broker down, or the eager task failed: the reopening itself stands
        logger.warning("Could not queue the reopening notice of reply %s", response_id, exc_info=True)
        return False


@transaction.atomic
def reopened_notice_send(*, response_id: int, base_url: str | None = None) -> bool:
    """E-mail the head (members in copy) that their reply was reopened, and why: once per reopening (a retried or
    repeated task sends nothing more), and not at all once the reply has been submitted again."""
    from accounts.models import AuditEvent

    from .reminders import party_mail_send

    response = (
        Response.objects.select_for_update(of=("self",)).select_related("consultation", "party").get(pk=response_id)
    )
    if response.reopened_at is None or response.status == ResponseStatus.SUBMITTED:
        return False
    reopened_at = response.reopened_at.isoformat()
    if AuditEvent.objects.filter(
        event_type=REOPENED_NOTICE_EVENT, extra__response_id=response_id, extra__reopened_at=reopened_at
    ).exists():
        return False
    sent = party_mail_send(
        party=response.party,
        template_prefix="emails/reopened",
        context={"consultation": response.consultation, "response": response, "reason": response.reopen_reason},
        consultation=response.consultation,
        base_url=base_url,
    )
    if sent:
        audit_record(
            event_type=REOPENED_NOTICE_EVENT,
            party=response.party,
            consultation=response.consultation,
            object_repr=str(response),
            extra={"response_id": response_id, "reopened_at": reopened_at},
        )
    return sent


@transaction.atomic
def consultation_set_confidential_default(
    *, consultation: Consultation, confidential: bool, user: Any, request: Any = None
) -> Consultation:
    """The Secretariat's default for the sign-off page: answers start as not for publication, or as publishable.

    Marks a head of delegation already recorded stay as they are; only what was never decided follows the default.
    """
    consultation = _locked(consultation)
    if consultation.confidential_by_default == confidential:
        return consultation
    consultation.confidential_by_default = confidential
    consultation.save(update_fields=["confidential_by_default"])
    _audit(
        "consultation.confidential_default_set",
        consultation=consultation,
        user=user,
        request=request,
        confidential_by_default=confidential,
    )
    return consultation
