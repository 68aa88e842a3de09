"""In a real browser: an invited NGO reads Germany's submitted reply and comments on it; Germany's delegation is
told by e-mail and reads the comment in its workspace. Every page is checked with axe for serious violations."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tests.e2e.conftest import login, logout, serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

COMMENT = "The reply gives no figures on prosecutions since the 2023 amendment."


@pytest.fixture
def ngo_world(world):
    from stakeholders.models import StakeholderInvitation
    from tests.access.world import party_b_submitted

    party_b_submitted(world)
    StakeholderInvitation.objects.create(
        consultation=world.consultation,
        organisation=world.stakeholder.organisation_membership.organisation,
        deadline=timezone.localdate() + datetime.timedelta(days=10),
    )
    return world


@pytest.mark.django_db(transaction=True)
def test_an_invited_ngo_comments_on_a_reply_and_the_party_reads_it(page, live_server, ngo_world):
    from stakeholders.models import StakeholderComment

    w = ngo_world
    login(page, live_server, w.stakeholder.email, PASSWORD)
    page.goto(f"{live_server.url}/stakeholders/")
    assert serious_violations(page) == []
    page.get_by_role("link", name=w.consultation.title).click()
    page.get_by_role("link", name="Germany").click()
    assert page.get_by_text("Section 184b of the Criminal Code covers generated material.").first.is_visible()
    assert serious_violations(page) == []

    page.select_option("#id_item", label=f"GENAI-01 – {w.items[0].text[:90]}")
    page.fill("#id_text", COMMENT)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**#own-comments")
    assert page.get_by_text("Comment saved as a draft").is_visible()
    page.get_by_role("button", name="Submit this comment").click()
    page.wait_for_url("**#own-comments")
    assert page.get_by_text("It is transmitted to the delegation of Germany").is_visible()
    assert StakeholderComment.objects.get().status == "submitted"
    assert [m.to for m in mail.outbox if "commented on your reply" in m.subject] == [
        ["head.b@de.example", "member.b@de.example"]
    ]
    logout(page, live_server)

    login(page, live_server, w.member_b.email, PASSWORD)
    page.goto(f"{live_server.url}/consultations/")
    page.get_by_role("link", name="Comments from other stakeholders").first.click()
    assert page.get_by_role("heading", name="Child Rights Network · GENAI-01").is_visible()
    assert page.get_by_text(COMMENT).is_visible()
    assert serious_violations(page) == []


@pytest.mark.django_db(transaction=True)
def test_a_facilitator_records_a_group_and_a_contact_detail_is_refused(page, live_server, ngo_world):
    from stakeholders.models import ChildrenContribution

    w = ngo_world
    login(page, live_server, w.facilitator.email, PASSWORD)
    page.goto(f"{live_server.url}/stakeholders/{w.consultation.slug}/children/")
    page.select_option("#id_theme", index=1)
    page.select_option("#id_age_band", "14_17")
    page.select_option("#id_setting", "school")
    page.fill("#id_children_count", "14")
    page.fill("#id_views", "Write to teacher@school.example for the notes.")
    page.get_by_role("button", name="Record").click()
    assert page.get_by_text("The text holds an e-mail address.").is_visible()
    assert ChildrenContribution.objects.count() == 0
    page.fill("#id_views", "They want reporting buttons that are easy to find.")
    page.get_by_role("button", name="Record").click()
    assert page.get_by_text("The group's contribution is recorded.").is_visible()
    assert ChildrenContribution.objects.get().children_count == 14
    assert serious_violations(page) == []
