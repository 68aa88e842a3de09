"""Demo data for other stakeholders (after ``seed_demo``): an NGO invited to comment, two submitted comments (one
published), its own short reply, and a facilitator's three group contributions. Running it twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.services import role_grant, user_create
from accounts.services.people import organisation_membership_set
from consultation.demo import DEMO_DOMAIN, DEMO_PASSWORD
from consultation.models import Consultation, Item, Party, ResponseSubmission

from .models import ChildrenContribution, StakeholderComment
from .services.children import children_contribution_save
from .services.comments import stakeholder_comment_publication_set, stakeholder_comment_save, stakeholder_comment_submit
from .services.invitations import stakeholder_invitation_set
from .services.replies import stakeholder_answers_save, stakeholder_reply_submit

NGO_EMAIL = f"ngo@{DEMO_DOMAIN}"
FACILITATOR_EMAIL = f"facilitator@{DEMO_DOMAIN}"
ORGANISATION = "Child Rights Network Europe"

COMMENTS = (
    "The reply describes the offence as amended, but gives no figures on prosecutions since the amendment. "
    "We suggest the Committee asks for the number of cases opened in 2023 and 2024.",
    "The national helpline received 1,240 reports concerning generated images in 2024 (annual report, p. 12); "
    "the reply could refer to this source.",
)
REPLY = (
    "Our members' helplines recorded a steady rise in reports on generated material; training of police and "
    "prosecutors remains uneven between regions.",
    "We recommend that age-appropriate reporting tools be required by law for services used by children.",
)
CHILDREN = (
    ("14_17", "school", 18, "They want reporting buttons that are easy to find and a reply within a day."),
    (
        "10_13",
        "youth",
        11,
        "Several said they would tell a friend before an adult, and asked for lessons on fake images.",
    ),
    ("14_17", "online", 26, "They asked that platforms explain in plain words what happens after a report."),
)


def _user(email: str, first: str, last: str) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(
            email=email, password=DEMO_PASSWORD, first_name=first, last_name=last, preferred_language="en"
        )
    return user


@transaction.atomic
def stakeholders_demo_create(*, consultation: Consultation) -> dict[str, int]:
    """Returns how many comments and contributions were made (zero when the demo already exists)."""
    organisation, _created = Organisation.objects.get_or_create(name=ORGANISATION, defaults={"kind": "ngo"})
    ngo = _user(NGO_EMAIL, "Marta", "Lindqvist")
    organisation_membership_set(user=ngo, organisation=organisation)
    facilitator = _user(FACILITATOR_EMAIL, "Jonas", "Keller")
    role_grant(user=facilitator, role="facilitator")
    if StakeholderComment.objects.filter(consultation=consultation, organisation=organisation).exists():
        return {"comments": 0, "children": 0}
    secretariat = User.objects.filter(roles__role="secretariat").order_by("pk").first()
    stakeholder_invitation_set(
        consultation=consultation,
        organisation=organisation,
        deadline=max(consultation.closes_on or timezone.localdate(), timezone.localdate())
        + datetime.timedelta(days=30),
        may_reply=True,
        user=secretariat,
    )
    party_ids = list(
        ResponseSubmission.objects.filter(response__consultation=consultation)
        .order_by("response__party__name_en")
        .values_list("response__party_id", flat=True)
        .distinct()[:2]
    )
    items = list(Item.objects.filter(consultation=consultation).select_related("theme").order_by("order")[:2])
    made = 0
    for party_id, text, item in zip(party_ids, COMMENTS, items, strict=False):
        comment = stakeholder_comment_save(
            consultation=consultation,
            party=Party.objects.get(pk=party_id),
            item=item,
            text=text,
            language="en",
            user=ngo,
        )
        comment = stakeholder_comment_submit(comment=comment, user=ngo)
        made += 1
        if made == 1 and secretariat is not None:
            stakeholder_comment_publication_set(comment=comment, publish=True, user=secretariat)
    stakeholder_answers_save(
        consultation=consultation,
        texts={item.pk: text for item, text in zip(items, REPLY, strict=False)},
        language="en",
        user=ngo,
    )
    stakeholder_reply_submit(consultation=consultation, user=ngo)
    if not ChildrenContribution.objects.filter(consultation=consultation).exists() and items:
        for age, setting, count, views in CHILDREN:
            children_contribution_save(
                consultation=consultation,
                theme=items[0].theme,
                party=None,
                age_band=age,
                setting=setting,
                children_count=count,
                views=views,
                language="en",
                gathered_on=timezone.localdate() - datetime.timedelta(days=7),
                user=facilitator,
            )
    return {"comments": made, "children": len(CHILDREN)}
