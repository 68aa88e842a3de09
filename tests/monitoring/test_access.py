"""The monitoring rules of ``accounts.access``, one condition at a time."""

from __future__ import annotations

import pytest

from accounts import access
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_analysis_is_for_the_committee_and_the_secretariat_never_delegations(world):
    expected = {
        "member_a": False,
        "head_a": False,
        "member_b": False,
        "head_b": False,
        "secretariat": True,
        "committee": True,
        "admin": False,
    }
    assert {actor: access.can_use_analysis(getattr(world, actor)) for actor in expected} == expected
    assert access.can_use_analysis(None) is False


def test_only_a_committee_member_who_is_rapporteur_codes(world):
    assert access.can_code_item(world.committee, is_rapporteur=True) is True
    assert access.can_code_item(world.committee, is_rapporteur=False) is False
    assert access.can_code_item(world.secretariat, is_rapporteur=True) is False
    assert access.can_code_item(world.head_a, is_rapporteur=True) is False


def test_a_head_of_delegation_sitting_on_the_committee_codes_as_a_committee_member(world):
    from accounts.services import role_grant

    role_grant(user=world.head_b, role="committee", acting_user=world.secretariat)
    access.forget_roles(world.head_b)
    assert access.can_code_item(world.head_b, is_rapporteur=True) is True


def test_codebook_recommendations_and_decisions(world):
    assert access.can_edit_codebook(world.secretariat, is_rapporteur=False) is True
    assert access.can_edit_codebook(world.committee, is_rapporteur=True) is True
    assert access.can_edit_codebook(world.committee, is_rapporteur=False) is False
    assert access.can_edit_codebook(world.member_a, is_rapporteur=True) is False
    assert access.can_draft_recommendation(world.committee, is_rapporteur=True) is True
    assert access.can_decide_recommendation(world.secretariat) is True
    assert access.can_decide_recommendation(world.committee) is False
    assert access.can_import_codebook(world.committee) is False
    assert access.can_manage_rapporteurs(world.secretariat) is True
    assert access.can_manage_rapporteurs(f.committee_user(email="c2@coe.example")) is False
    assert access.can_comment_observations(world.committee) is True
    assert access.can_comment_observations(world.secretariat) is False


def test_final_coding_and_implementation_report_builds(world):
    assert access.can_set_coding_final(world.committee, is_rapporteur=True, final=True) is True
    assert access.can_set_coding_final(world.committee, is_rapporteur=True, final=False) is True
    assert access.can_set_coding_final(world.committee, is_rapporteur=False, final=False) is False
    assert access.can_set_coding_final(world.secretariat, is_rapporteur=False, final=False) is True
    assert access.can_set_coding_final(world.secretariat, is_rapporteur=False, final=True) is False
    assert access.can_set_coding_final(world.head_a, is_rapporteur=True, final=False) is False
    assert access.can_build_implementation_report(world.secretariat, is_rapporteur=False) is True
    assert access.can_build_implementation_report(world.committee, is_rapporteur=True) is True
    assert access.can_build_implementation_report(world.committee, is_rapporteur=False) is False
    assert access.can_build_implementation_report(world.member_a, is_rapporteur=True) is False
    assert access.can_build_implementation_report(None, is_rapporteur=True) is False
