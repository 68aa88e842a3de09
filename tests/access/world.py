"""Objects the permission matrix resolves URL parameters to. Expectation files call these from their ``kwargs``
callables; each one is idempotent, so several URLs (and the matrix itself) can ask for the same object.

- Party A (France) has a *draft* reply whose explanation contains ``PARTY_A_DRAFT_SENTINEL``: the matrix checks
  that no page ever shows that text to Party B, the Committee or an anonymous visitor.
- Party B (Germany) has a *submitted* reply, readable by the Secretariat and the Committee.
"""

from __future__ import annotations

from typing import Any

PARTY_A_DRAFT_SENTINEL = "Draft of France: Criminal Code article 227-23 amendment under inter-ministerial review"
# An internal comment of Party A's delegation: only A's own members may ever see it (not even the Secretariat).
PARTY_A_COMMENT_SENTINEL = "Internal to France: check the ministry of justice's figures before sign-off"


def party_a_draft(world: Any):
    """Party A's draft reply (one answer saved by member A). Marks the world so the matrix knows the URL being
    tested points at Party A's draft."""
    from consultation.services.answers import answer_save, response_get_or_create

    world.touches_party_a_draft = True
    existing = getattr(world, "_party_a_draft", None)
    if existing is not None:
        return existing
    response = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(
        response=response,
        item=world.items[0],
        data={"position": "partially", "explanation": PARTY_A_DRAFT_SENTINEL},
        base_version=0,
        user=world.member_a,
        language="en",
    )
    response.refresh_from_db()
    world._party_a_draft = response
    return response


def party_b_submitted(world: Any):
    """Party B's reply, complete and officially submitted by head B."""
    from consultation.services.answers import answer_save, response_get_or_create
    from consultation.services.responses import response_submit

    existing = getattr(world, "_party_b_submitted", None)
    if existing is not None:
        return existing
    response = response_get_or_create(consultation=world.consultation, party=world.party_b)
    for item in world.items:
        answer_save(
            response=response,
            item=item,
            data={"position": "yes", "explanation": "Section 184b of the Criminal Code covers generated material."},
            base_version=0,
            user=world.member_b,
            language="en",
        )
    response_submit(response=response, user=world.head_b)
    response.refresh_from_db()
    world._party_b_submitted = response
    return response


def invitation_pending_a(world: Any) -> tuple[Any, str]:
    """A pending invitation of a new member of Party A, sent by head A: (invitation, raw token)."""
    from accounts.services.invitations import invitation_create

    existing = getattr(world, "_invitation_pending_a", None)
    if existing is not None:
        return existing
    world._invitation_pending_a = invitation_create(
        email="invitee.a@fr.example", role="member", party=world.party_a, invited_by=world.head_a
    )
    return world._invitation_pending_a


def party_a_comment(world: Any):
    """An internal comment of Party A's delegation on its draft (by head A, mentioning member A)."""
    from consultation.services.teamwork import item_comment_add

    existing = getattr(world, "_party_a_comment", None)
    if existing is not None:
        return existing
    response = party_a_draft(world)
    world._party_a_comment = item_comment_add(
        response=response, item=world.items[0], author=world.head_a, body=f"@member.a {PARTY_A_COMMENT_SENTINEL}"
    )
    return world._party_a_comment


def public_report_edition(world: Any):
    """A published public edition (English and French, XLSX only: the cheapest to build) of the consultation's
    overview report, counting Party B's published reply only (Party A's draft never counts)."""
    from publication.models import Publication
    from publication.services.editions import public_edition_publish
    from publication.services.publish import publication_publish_party
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now

    existing = getattr(world, "_public_report_edition", None)
    if existing is not None:
        return existing
    party_b_submitted(world)
    if not Publication.objects.current().filter(consultation=world.consultation, party=world.party_b).exists():
        publication_publish_party(consultation=world.consultation, party=world.party_b, user=world.secretariat)
    run = report_build_now(
        consultation=world.consultation,
        scope=scope_parse(consultation=world.consultation, text="overview"),
        formats=["xlsx"],
        audience="public",
    )
    world._public_report_edition = public_edition_publish(
        consultation=world.consultation, version_id=run.version.pk, user=world.secretariat
    )
    return world._public_report_edition
