"""In a real browser: the delegation's teamwork (assign an item, comment and resolve, see a colleague's presence)
and "ready means ready" (an edit after ready returns the reply to draft), each page axe-checked."""

from __future__ import annotations

import pytest
from django.core import mail

from consultation.models import ItemAssignment, ItemComment, Response
from consultation.selectors import teamwork as team_selectors
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.responses import response_mark_ready
from tests.e2e.conftest import login, serious_violations
from tests.factories import PASSWORD, delegate

pytestmark = pytest.mark.e2e

SLUG = "emerging-technologies-2024"


def item_article(page, code):
    return page.locator(f"article.item[data-code='{code}']")


@pytest.mark.django_db(transaction=True)
def test_colleagues_assign_comment_resolve_and_see_who_is_editing(
    browser, live_server, world, background_paper, monkeypatch
):
    monkeypatch.setattr(team_selectors, "PRESENCE_BEAT_SECONDS", 1)  # the page's heartbeat, read at each request
    world.member_a.first_name, world.member_a.last_name = "Lukas", "Schmidt"
    world.member_a.save()
    colleague = delegate(world.party_a, email="marie.a@fr.example", first_name="Marie", last_name="Dubois")
    first, second = browser.new_context(locale="en-GB"), browser.new_context(locale="en-GB")
    page, other = first.new_page(), second.new_page()
    for p in (page, other):
        p.set_default_timeout(15_000)
    login(page, live_server, "member.a@fr.example", PASSWORD)
    login(other, live_server, "marie.a@fr.example", PASSWORD)
    url = f"{live_server.url}/consultations/{SLUG}/"
    page.goto(url)
    other.goto(url)

    # Lukas assigns GENAI-02 to Marie, due on a date, drafting.
    item = item_article(page, "GENAI-02")
    item.locator("summary", has_text="Assignment and internal comments").click()
    panel = item.locator(".ws-team__panel")
    panel.get_by_label("Assigned to").select_option(label="Marie Dubois")
    panel.get_by_label("Due date").fill("2026-12-18")
    panel.get_by_label("Internal status").select_option(label="Drafting")
    panel.get_by_role("button", name="Save the assignment").click()
    panel.get_by_text("Assignment saved.").wait_for()
    bar = item.locator(".ws-team-bar").inner_text()
    assert "Drafting" in bar
    assert "Assigned to Marie Dubois" in bar
    assert "due 18 December 2026" in bar
    assignment = ItemAssignment.objects.get()
    assert (assignment.assignee_id, str(assignment.due_on), assignment.status) == (
        colleague.pk,
        "2026-12-18",
        "drafting",
    )

    # A comment mentioning Marie, then resolved.
    panel.get_by_label("Add a comment").fill("@Marie please add the 2023 figures of the ministry of justice.")
    panel.get_by_role("button", name="Add the comment").click()
    panel.get_by_text("Comment added.").wait_for()
    assert "Notified: Marie Dubois" in panel.inner_text()
    assert [m.to for m in mail.outbox] == [["marie.a@fr.example"], ["marie.a@fr.example"]]  # assigned, mentioned
    assert "1 open comment" in item.locator(".ws-team-bar").inner_text()
    assert serious_violations(page) == []
    panel.get_by_role("button", name="Resolve this comment").click()
    panel.get_by_text("Comment resolved.").wait_for()
    assert "Resolved by Lukas Schmidt" in panel.inner_text()
    assert ItemComment.objects.get().resolved_by_id == world.member_a.pk

    # Presence: Lukas starts typing in GENAI-02; Marie's page says so within a heartbeat or two.
    item.locator("textarea").first.focus()
    other_presence = item_article(other, "GENAI-02").locator(".ws-presence")
    other_presence.get_by_text("Lukas Schmidt is editing this question").wait_for()
    assert item_article(other, "GENAI-01").locator(".ws-presence").inner_text() == ""
    assert item.locator(".ws-presence").inner_text() == ""  # never one's own name
    assert serious_violations(other) == []
    first.close()
    second.close()


@pytest.mark.django_db(transaction=True)
def test_an_edit_after_ready_returns_the_reply_to_draft_and_the_review_says_what_changed(
    page, live_server, world, background_paper
):
    reply = response_get_or_create(consultation=background_paper, party=world.party_a)
    item = background_paper.items.get(code="GENAI-02")
    answer_save(response=reply, item=item, data={"explanation": "Penal code."}, base_version=0, user=world.head_a)
    response_mark_ready(response=reply, user=world.head_a)
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/?theme=generative-ai")
    assert "Any change to an answer now returns the reply to draft" in page.locator(".ws-ready-notice").inner_text()
    article = item_article(page, "GENAI-02")
    article.locator("textarea").first.fill("Penal code, as amended in 2024.")
    article.locator(".save-status .save-status--ok").wait_for()
    assert Response.objects.get(pk=reply.pk).status == "draft"

    page.goto(f"{live_server.url}/consultations/{SLUG}/review/")
    assert "Back to draft after a change." in page.locator(".ws-ready-reset").inner_text()
    changed = page.locator(".ws-changed-since").inner_text()
    assert "GENAI-02" in changed
    assert "GENAI-01" not in changed
    assert page.locator(".ws-changed").count() == 1
    assert serious_violations(page) == []
    page.get_by_role("button", name="Mark ready for sign-off").click()
    page.get_by_text("The reply is marked ready for sign-off by the head of delegation.").wait_for()
    assert page.locator(".ws-changed-since").count() == 0
