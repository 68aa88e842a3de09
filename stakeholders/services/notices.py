"""The e-mail that transmits an organisation's comment to the Party concerned."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.selectors.links import platform_base_url
from accounts.services.audit import audit_record
from consultation.services.receipts import receipt_recipients

from ..models import ContributionStatus, StakeholderComment


@transaction.atomic
def stakeholder_comment_notice_send(*, comment_id: int) -> bool:
    """Send the notice once (``notified_at`` is set in the same transaction); False if nothing was sent."""
    comment = (
        StakeholderComment.objects.select_for_update(of=("self",))
        .select_related("party", "consultation", "organisation", "item")
        .filter(pk=comment_id)
        .first()
    )
    if comment is None or comment.status != ContributionStatus.SUBMITTED or comment.notified_at is not None:
        return False
    recipients = receipt_recipients(party_id=comment.party_id)
    if not recipients:
        return False
    with translation.override(comment.party.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "comment": comment,
            "party": comment.party,
            "consultation": comment.consultation,
            "organisation": comment.organisation,
            "link": platform_base_url()
            + reverse("stakeholders:party_comments", kwargs={"slug": comment.consultation.slug}),
        }
        subject = " ".join(render_to_string("emails/stakeholder_comment_subject.txt", context).split())
        body = render_to_string("emails/stakeholder_comment_body.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    comment.notified_at = timezone.now()
    comment.save(update_fields=["notified_at"])
    audit_record(
        event_type="stakeholders.comment_transmitted",
        party=comment.party,
        consultation=comment.consultation,
        object_repr=str(comment),
        extra={"comment": comment.pk, "recipients": len(recipients)},
    )
    return True
