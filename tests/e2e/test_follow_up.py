"""In a real browser: a head of delegation answers a follow-up question (status, measures, evidence) and submits;
the Secretariat assesses compliance and sees the grid; a delegation answers a repeated question with "No change
since <round>". Every page is checked with axe for serious violations."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import login, serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def enrol(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.fixture
def follow_up_world(world):
    from tests.monitoring.follow_up_world import adopt, open_follow_up

    world.r1 = adopt(world, strength="urges", text="Criminalise generated material.", addressees=[world.party_a])
    open_follow_up(world)
    return world


@pytest.mark.django_db(transaction=True)
def test_a_head_answers_a_follow_up_item_with_status_and_evidence_and_submits(
    page, live_server, follow_up_world, settings, tmp_path
):
    from consultation.models import Answer, Attachment, Response

    settings.MFA_TOTP_TOLERANCE = 1
    w = follow_up_world
    secret = enrol(w.head_a)
    login(page, live_server, w.head_a.email, PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/consultations/{w.follow_up.slug}/")
    item = page.locator("article.item[data-code='R1']")
    assert "R1 (Urges) Criminalise generated material." in item.locator("h3").inner_text()
    # The evidence first: attaching posts the page, and nothing typed is then waiting for its autosave.
    evidence = tmp_path / "law-2025.pdf"
    evidence.write_bytes(PDF)
    item.get_by_label("Attach a document (PDF, DOCX, ODT or XLSX)").set_input_files(str(evidence))
    item.get_by_role("button", name="Attach", exact=True).click()
    page.locator("article.item[data-code='R1'] .ws-files a", has_text="law-2025.pdf").wait_for()
    item = page.locator("article.item[data-code='R1']")
    item.get_by_label("Partly implemented").check()
    item.get_by_label("Measures taken").fill("Article 227-23 was amended in 2025; training starts in 2026.")
    item.get_by_label("Measures taken").blur()
    item.locator(".save-status .save-status--ok").wait_for()
    page.wait_for_load_state("networkidle")  # the measures' own autosave, if it followed the status's
    assert serious_violations(page) == []
    page.goto(f"{live_server.url}/consultations/{w.follow_up.slug}/review/")
    page.get_by_role("link", name="Submit the reply…").click()
    page.get_by_label("I confirm that this reply is the official reply").check()
    page.get_by_role("button", name="Submit the reply").click()
    page.wait_for_url(re.compile(r"/receipt/$"))
    assert "The reply has been submitted. It is now locked." in page.locator(".messages").inner_text()
    answer = Answer.objects.get(response__consultation=w.follow_up, item__code="R1")
    attachment = Attachment.objects.get(answer=answer)
    assert (answer.data["status"], answer.data["evidence"], attachment.original_name) == (
        "partly",
        [attachment.pk],
        "law-2025.pdf",
    )
    assert Response.objects.get(consultation=w.follow_up, party=w.party_a).status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_the_secretariat_assesses_compliance_and_sees_the_grid(page, live_server, follow_up_world, settings):
    from followup.models import ComplianceAssessment
    from tests.monitoring.follow_up_world import answer_follow_up, submit

    settings.MFA_TOTP_TOLERANCE = 1
    w = follow_up_world
    reply = answer_follow_up(
        world=w,
        party=w.party_a,
        member=w.member_a,
        head=w.head_a,
        item_code="R1",
        status="implemented",
        measures="The Law of 12 March 2025 amended Article 227-23.",
    )
    submit(reply, w.head_a)
    secret = enrol(w.secretariat)
    login(page, live_server, w.secretariat.email, PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/follow-up/{w.consultation.slug}/compliance/")
    assert "1 recommendation–Party pairs: 0 compliant, 0 partly compliant, 0 not compliant, 1 not assessed." in (
        page.locator("#totals").inner_text()
    )
    assert serious_violations(page) == []
    page.locator(f"#rec-{w.r1.pk} a.cmp").click()
    page.wait_for_url(re.compile(r"/compliance/\d+/FR/$"))
    assert "The Law of 12 March 2025 amended Article 227-23." in page.locator("main").inner_text()
    assert serious_violations(page) == []
    page.get_by_label("Compliant", exact=True).check()
    page.get_by_label("Reasons, citing the Party's follow-up reply").fill("The reply cites the amended article.")
    page.get_by_role("button", name="Save the assessment").click()
    page.wait_for_url(re.compile(r"/compliance/#rec-\d+$"))
    assert "Assessment of France on R1 saved." in page.locator(".messages").inner_text()
    assert "1 recommendation–Party pairs: 1 compliant, 0 partly compliant" in page.locator("#totals").inner_text()
    assert page.locator(f"#rec-{w.r1.pk} a.cmp--compliant").count() == 1
    row = ComplianceAssessment.objects.get()
    assert (row.assessment, row.answer_version, row.assessed_by) == ("compliant", 1, w.secretariat)


@pytest.mark.django_db(transaction=True)
def test_a_delegation_uses_no_change_on_a_repeated_question(page, live_server, world):
    from consultation.models import AnswerRevision
    from tests.monitoring.follow_up_world import second_round

    new = second_round(world)
    login(page, live_server, world.member_a.email, PASSWORD)
    page.goto(f"{live_server.url}/consultations/{new.slug}/")
    item = page.locator("article.item[data-code='GENAI-01']")
    previous = item.locator("details.ws-previous")
    previous.locator("summary").click()  # closed: the carried-over draft already holds an answer
    assert "The Criminal Code covers it." in previous.inner_text()
    assert serious_violations(page) == []
    previous.get_by_role("button", name=f"No change since {world.consultation.title}").click()
    page.wait_for_url(re.compile(rf"/consultations/{new.slug}/"))
    assert "GENAI-01: the previous round's answer is confirmed unchanged (version 2)." in (
        page.locator(".messages").inner_text()
    )
    item = page.locator("article.item[data-code='GENAI-01']")
    item.locator("details.ws-previous summary").click()
    assert "Confirmed unchanged" in item.locator("details.ws-previous").inner_text()
    revision = AnswerRevision.objects.get(answer__response__consultation=new, answer__item__code="GENAI-01", version=2)
    assert (revision.source, revision.created_by) == ("confirmed", world.member_a)
