"""The stakeholder pages as their users meet them: what each one shows, what it never shows, in few queries."""

import pytest
from django.urls import reverse

from stakeholders.models import StakeholderComment
from stakeholders.services.comments import stakeholder_comment_save, stakeholder_comment_submit
from tests.access.helpers import login_with_mfa
from tests.access.world import PARTY_A_DRAFT_SENTINEL, party_a_draft

pytestmark = pytest.mark.django_db


def _submitted(w, text, party=None):
    comment = stakeholder_comment_save(
        consultation=w.consultation, party=party or w.party_b, item=w.items[0], text=text, language="en", user=w.ngo
    )
    return stakeholder_comment_submit(comment=comment, user=w.ngo)


def test_the_organisation_reads_the_submitted_reply_and_comments_on_it(client, ngo_world):
    w = ngo_world
    client.force_login(w.ngo)
    url = reverse("stakeholders:party_reply", kwargs={"slug": w.consultation.slug, "iso2": "DE"})
    page = client.get(url).content.decode()
    assert "Section 184b of the Criminal Code covers generated material." in page
    response = client.post(url, {"item": w.items[0].pk, "text": "Please add figures for 2024.", "language": "en"})
    assert response.status_code == 302
    comment = StakeholderComment.objects.get()
    assert (comment.party, comment.item, comment.status) == (w.party_b, w.items[0], "draft")


def test_a_blank_comment_is_refused_on_the_page_and_nothing_is_saved(client, ngo_world):
    w = ngo_world
    client.force_login(w.ngo)
    url = reverse("stakeholders:party_reply", kwargs={"slug": w.consultation.slug, "iso2": "DE"})
    response = client.post(url, {"item": "", "text": "  ", "language": "en"})
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not StakeholderComment.objects.exists()


def test_a_draft_reply_is_never_shown_to_an_organisation(client, ngo_world):
    w = ngo_world
    party_a_draft(w)
    client.force_login(w.ngo)
    response = client.get(reverse("stakeholders:party_reply", kwargs={"slug": w.consultation.slug, "iso2": "FR"}))
    assert response.status_code == 404
    listing = client.get(reverse("stakeholders:consultation", kwargs={"slug": w.consultation.slug})).content.decode()
    assert "Germany" in listing
    assert "France" not in listing
    assert PARTY_A_DRAFT_SENTINEL not in listing


def test_an_organisation_not_invited_gets_a_404_for_the_consultation(client, ngo_world):
    client.force_login(ngo_world.other_ngo)
    response = client.get(reverse("stakeholders:consultation", kwargs={"slug": ngo_world.consultation.slug}))
    assert response.status_code == 404


def test_the_party_reads_only_comments_on_its_own_reply(client, ngo_world):
    w = ngo_world
    _submitted(w, "COMMENT-ON-GERMANY")
    draft = stakeholder_comment_save(
        consultation=w.consultation, party=w.party_b, item=None, text="DRAFT-NOT-SENT", language="en", user=w.ngo
    )
    assert draft.status == "draft"
    url = reverse("stakeholders:party_comments", kwargs={"slug": w.consultation.slug})
    client.force_login(w.member_b)
    page = client.get(url).content.decode()
    assert "COMMENT-ON-GERMANY" in page
    assert "DRAFT-NOT-SENT" not in page
    client.force_login(w.member_a)
    page = client.get(url).content.decode()
    assert "COMMENT-ON-GERMANY" not in page
    assert "No organisation has commented on your reply." in page


def test_secretariat_page_in_constant_queries(client, ngo_world, django_assert_max_num_queries):
    w = ngo_world
    for n in range(6):
        _submitted(w, f"Comment number {n}")
    login_with_mfa(client, w.secretariat)
    url = reverse("stakeholders:contributions", kwargs={"slug": w.consultation.slug})
    with django_assert_max_num_queries(22):
        page = client.get(url).content.decode()
    assert page.count("Comment number") == 6


def test_party_reply_page_in_constant_queries(client, ngo_world, django_assert_max_num_queries):
    w = ngo_world
    for n in range(5):
        stakeholder_comment_save(
            consultation=w.consultation,
            party=w.party_b,
            item=w.items[n % 2],
            text=f"Draft {n}",
            language="en",
            user=w.ngo,
        )
    client.force_login(w.ngo)
    url = reverse("stakeholders:party_reply", kwargs={"slug": w.consultation.slug, "iso2": "DE"})
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200
