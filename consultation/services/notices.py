"""E-mails about the delegation's teamwork: an item assigned, a mention in a comment, a reply back to draft.

The ``TeamNotice`` row is the outbox: the service that makes the change writes it in the change's transaction and
queues the send once that transaction commits (a rolled-back change mails nobody). The Celery task sends each
notice once (the row is locked and ``sent_at`` set in the send's transaction), in the recipient's language. The
mails carry who, which item and a link, never the text of an internal comment.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import Item, ItemWorkStatus, Response, TeamNotice

logger = logging.getLogger(__name__)


def team_notice_enqueue(*, notice_id: int) -> bool:
    """Queue one notice's e-mail (called on commit); a broker outage is logged and never fails the change."""
    from ..tasks import team_notice_send as team_notice_send_task

    try:
        team_notice_send_task.apply_async(args=[notice_id], retry=False)
        return True
    except Exception:  # broker down, or the eager task failed (mail server): the change itself stands
        logger.warning("Could not queue team notice %s", notice_id, exc_info=True)
        return False


def team_notice_create(
    *,
    kind: str,
    recipient: Any,
    actor: Any,
    response: Response,
    item: Item | None = None,
    details: dict[str, Any] | None = None,
) -> TeamNotice | None:
    """Write a notice for ``recipient`` and send it after commit; nobody is told of their own change."""
    if recipient is None or not recipient.is_active:
        return None
    if actor is not None and recipient.pk == getattr(actor, "pk", None):
        return None
    notice = TeamNotice.objects.create(
        kind=kind,
        recipient=recipient,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        response=response,
        item=item,
        details=details or {},
    )
    transaction.on_commit(lambda: team_notice_enqueue(notice_id=notice.pk), robust=True)
    return notice


@transaction.atomic
def team_notice_send(*, notice_id: int) -> bool:
    """Send one notice, once; False if it was already sent (a redelivered task) or no longer exists."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import formats, translation

    from accounts.selectors.links import platform_base_url

    notice = (
        TeamNotice.objects.select_for_update(of=("self",))
        .select_related("recipient", "actor", "response__consultation", "response__party", "item")
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or notice.sent_at is not None:
        return False
    language = notice.recipient.preferred_language or settings.LANGUAGE_CODE
    consultation = notice.response.consultation
    link = platform_base_url() + reverse("consultation:review", args=[consultation.slug])
    if notice.item is not None:
        link = platform_base_url() + reverse("consultation:item_team", args=[consultation.slug, notice.item.code])
    with translation.override(language):
        due_on = notice.details.get("due_on")
        context = {
            "notice": notice,
            "consultation": consultation,
            "party": notice.response.party,
            "item": notice.item,
            "actor": notice.actor.display_name if notice.actor else "",
            "recipient": notice.recipient.display_name,
            "due_on": formats.date_format(datetime.date.fromisoformat(due_on), "DATE_FORMAT") if due_on else "",
            "status": str(ItemWorkStatus(notice.details["status"]).label) if notice.details.get("status") else "",
            "items": notice.details.get("items", []),
            "link": link,
        }
        subject = " ".join(render_to_string(f"emails/team_{notice.kind}_subject.txt", context).split())
        body = render_to_string(f"emails/team_{notice.kind}_body.txt", context)
    EmailMessage(subject=subject, body=body, to=[notice.recipient.email]).send(fail_silently=False)
    notice.sent_at = timezone.now()
    notice.save(update_fields=["sent_at"])
    return True
