"""The rules of accounts.access, one behaviour per test: roles combine, but never open another Party's draft."""

from __future__ import annotations

import pytest

from accounts import access
from accounts.models import DelegationMembership, GlobalRole, RoleAssignment
from accounts.services import role_grant
from tests import factories as f
from tests.access.world import party_a_draft, party_b_submitted

pytestmark = pytest.mark.django_db

ACTORS = ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")


@pytest.fixture
def replies(world):
    return party_a_draft(world), party_b_submitted(world)


def readers(world, response) -> set[str]:
    return {actor for actor in ACTORS if access.can_view_response(getattr(world, actor), response)}


def test_party_a_draft_is_read_by_party_a_and_the_secretariat_only(world, replies):
    draft_a, _submitted_b = replies
    assert draft_a.status == "draft"
    assert readers(world, draft_a) == {"member_a", "head_a", "secretariat"}
    assert access.can_view_response(None, draft_a) is False


def test_submitted_reply_is_read_by_its_party_the_secretariat_and_the_committee(world, replies):
    _draft_a, submitted_b = replies
    assert submitted_b.status == "submitted"
    assert readers(world, submitted_b) == {"member_b", "head_b", "secretariat", "committee"}


def test_a_head_on_the_committee_still_cannot_read_another_partys_draft(world, replies):
    draft_a, submitted_b = replies
    role_grant(user=world.head_b, role=GlobalRole.COMMITTEE)
    access.forget_roles(world.head_b)
    assert access.roles_of(world.head_b).is_committee is True
    assert access.can_view_response(world.head_b, draft_a) is False
    assert access.can_edit_response(world.head_b, draft_a) is False
    assert access.can_view_response(world.head_b, submitted_b) is True


def test_only_the_own_head_submits_and_nobody_edits_a_submitted_reply(world, replies):
    draft_a, submitted_b = replies
    assert {a for a in ACTORS if access.can_submit_response(getattr(world, a), draft_a)} == {"head_a"}
    assert {a for a in ACTORS if access.can_edit_response(getattr(world, a), draft_a)} == {"member_a", "head_a"}
    assert {a for a in ACTORS if access.can_edit_response(getattr(world, a), submitted_b)} == set()
    assert {a for a in ACTORS if access.can_reopen_response(getattr(world, a), submitted_b)} == {"secretariat"}


@pytest.mark.parametrize(
    ("actor", "role", "party", "allowed"),
    [
        ("secretariat", "head", "a", True),
        ("secretariat", "member", "b", True),
        ("secretariat", "secretariat", None, True),
        ("secretariat", "committee", None, True),
        ("head_a", "member", "a", True),
        ("head_a", "member", "b", False),
        ("head_a", "head", "a", False),
        ("head_a", "committee", None, False),
        ("head_a", "member", None, False),
        ("member_a", "member", "a", False),
        ("committee", "member", "a", False),
        ("admin", "member", "a", False),
    ],
)
def test_who_may_invite_whom(world, actor, role, party, allowed):
    party_id = {"a": world.party_a.pk, "b": world.party_b.pk, None: None}[party]
    assert access.can_invite(getattr(world, actor), role=role, party_id=party_id) is allowed


def test_member_removal_rules(world):
    other_head_a = f.delegate(world.party_a, role="head", email="head2.a@fr.example")
    member_a, member_b = world.member_a.membership, world.member_b.membership
    assert access.can_remove_member(world.head_a, member_a) is True
    assert access.can_remove_member(world.head_a, other_head_a.membership) is False
    assert access.can_remove_member(world.head_a, world.head_a.membership) is False
    assert access.can_remove_member(world.head_a, member_b) is False
    assert access.can_remove_member(world.member_a, member_a) is False
    assert access.can_remove_member(world.secretariat, member_b) is True


def test_mfa_is_required_for_secretariat_heads_and_administrators(world):
    required = {actor for actor in ACTORS if access.requires_mfa(getattr(world, actor))}
    assert required == {"head_a", "head_b", "secretariat", "admin"}


def test_a_deactivated_account_has_no_role(world, replies):
    draft_a, _ = replies
    world.member_a.is_active = False
    access.forget_roles(world.member_a)
    assert access.roles_of(world.member_a) == access.ANONYMOUS
    assert access.can_view_response(world.member_a, draft_a) is False


def test_roles_are_data_not_names(world):
    """Roles come from rows: removing the row removes the role, whatever the person is called."""
    RoleAssignment.objects.filter(user=world.secretariat).delete()
    DelegationMembership.objects.filter(user=world.head_a).delete()
    for user in (world.secretariat, world.head_a):
        access.forget_roles(user)
    assert access.roles_of(world.secretariat).is_secretariat is False
    assert access.roles_of(world.head_a).is_head is False
    assert access.can_manage_consultations(world.secretariat) is False


def test_roles_are_read_in_two_queries_and_cached(world, django_assert_num_queries):
    user = world.head_a
    access.forget_roles(user)
    with django_assert_num_queries(2):
        access.roles_of(user)
        access.roles_of(user)
        access.can_view_invitations(user)


def test_the_template_tag_asks_the_rules(world, rf):
    from django.template import Context, Template, TemplateSyntaxError

    request = rf.get("/")
    request.user = world.head_a
    template = Template('{% load access %}{% can "view_invitations" as ok %}{{ ok }}')
    assert template.render(Context({"request": request})) == "True"
    request.user = world.member_a
    assert template.render(Context({"request": request})) == "False"
    with pytest.raises(TemplateSyntaxError):
        Template('{% load access %}{% can "no_such_rule" as ok %}').render(Context({"request": request}))
