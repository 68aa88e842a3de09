"""Expected status per actor for the pages of other stakeholders and children's participation (``stakeholders``).

An organisation's people (``stakeholder``) read submitted replies and write comments and their own reply; a
``facilitator`` records children's group contributions; the Party concerned reads the comments on its own
reply; the Secretariat invites, registers and publishes; the Committee reads. Everybody else is refused with
403 (their role has no such area; nothing of a Party is named in the refusal). In this world the stakeholder's
organisation is invited to the consultation, holds a draft comment on Germany's submitted reply and a
submitted reply of its own, and the facilitator has recorded one group.
"""

ANON_LOGIN = 302
NO = 403
ALL = ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin", "stakeholder", "facilitator")


def _only(**allowed):
    """Anonymous visitors log in; the actors named get their status; every other actor 403."""
    return {"anonymous": ANON_LOGIN, **dict.fromkeys(ALL, NO), **allowed}


def _post_only():
    """A POST-only view: GET is 405 for signed-in people (after the log-in redirect of anonymous visitors)."""
    return {"anonymous": ANON_LOGIN, **dict.fromkeys(ALL, 405)}


def _setup(world):
    existing = getattr(world, "_stakeholders", None)
    if existing is not None:
        return existing
    import datetime

    from django.utils import timezone

    from stakeholders.models import StakeholderInvitation
    from stakeholders.services.children import children_contribution_save
    from stakeholders.services.comments import stakeholder_comment_save
    from stakeholders.services.replies import stakeholder_answers_save, stakeholder_reply_submit
    from tests.access.world import party_b_submitted

    party_b_submitted(world)
    organisation = world.stakeholder.organisation_membership.organisation
    StakeholderInvitation.objects.get_or_create(
        consultation=world.consultation,
        organisation=organisation,
        defaults={"deadline": timezone.localdate() + datetime.timedelta(days=10)},
    )
    comment = stakeholder_comment_save(
        consultation=world.consultation,
        party=world.party_b,
        item=world.items[0],
        text="The reply does not say how generated material is defined.",
        language="en",
        user=world.stakeholder,
    )
    stakeholder_answers_save(
        consultation=world.consultation,
        texts={world.items[0].pk: "Helpline reports doubled in 2024."},
        language="en",
        user=world.stakeholder,
    )
    reply = stakeholder_reply_submit(consultation=world.consultation, user=world.stakeholder)
    contribution = children_contribution_save(
        consultation=world.consultation,
        theme=world.items[0].theme,
        party=None,
        age_band="14_17",
        setting="school",
        children_count=15,
        views="Reporting buttons should be easy to find.",
        language="en",
        gathered_on=timezone.localdate(),
        user=world.facilitator,
    )
    world._stakeholders = {"comment": comment, "reply": reply, "contribution": contribution}
    return world._stakeholders


def _slug(world):
    _setup(world)
    return {"slug": world.consultation.slug}


EXPECTATIONS = {
    "stakeholders:home": {"get": _only(stakeholder=200)},
    "stakeholders:index": {"get": _only(secretariat=200, committee=200)},
    "stakeholders:organisations": {
        "get": _only(secretariat=200),
        "post": _only(secretariat=422),
    },
    "stakeholders:children_home": {"get": _only(facilitator=200)},
    "stakeholders:consultation": {"kwargs": _slug, "get": _only(stakeholder=200)},
    "stakeholders:party_reply": {
        "kwargs": lambda w: {**_slug(w), "iso2": w.party_b.iso2},
        "get": _only(stakeholder=200),
        "post": _only(stakeholder=422),
    },
    "stakeholders:comment_edit": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["comment"].pk},
        "get": _post_only(),
        "post": _only(stakeholder=302),
    },
    "stakeholders:comment_submit": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["comment"].pk},
        "get": _post_only(),
        "post": _only(stakeholder=302),
    },
    "stakeholders:comment_delete": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["comment"].pk},
        "get": _post_only(),
        "post": _only(stakeholder=302),
    },
    "stakeholders:comment_publication": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["comment"].pk},
        "get": _post_only(),
        "post": _only(secretariat=302),
    },
    "stakeholders:reply": {"kwargs": _slug, "get": _only(stakeholder=200), "post": _only(stakeholder=422)},
    "stakeholders:reply_submit": {"kwargs": _slug, "get": _post_only(), "post": _only(stakeholder=302)},
    "stakeholders:reply_publication": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["reply"].pk},
        "get": _post_only(),
        "post": _only(secretariat=302),
    },
    "stakeholders:party_comments": {
        "kwargs": _slug,
        "get": _only(member_a=200, head_a=200, member_b=200, head_b=200),
    },
    "stakeholders:contributions": {
        "kwargs": _slug,
        "get": _only(secretariat=200, committee=200),
        "post": _only(secretariat=422),
    },
    "stakeholders:children": {"kwargs": _slug, "get": _only(facilitator=200), "post": _only(facilitator=422)},
    "stakeholders:children_edit": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["contribution"].pk},
        "get": _only(facilitator=200),
        "post": _only(facilitator=422),
    },
    "stakeholders:children_delete": {
        "kwargs": lambda w: {**_slug(w), "pk": _setup(w)["contribution"].pk},
        "get": _post_only(),
        "post": _only(facilitator=302),
    },
}
