"""In a real browser: answering with autosave, concurrent editing, submission and an accessibility scan."""

from __future__ import annotations

import re
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from consultation.models import Answer, Response, ResponseSubmission
from consultation.selectors.receipts import submission_digest
from consultation.services.answers import answer_save, response_get_or_create
from tests.e2e.conftest import login, serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

SLUG = "emerging-technologies-2024"


def item_article(page, code):
    return page.locator(f"article.item[data-code='{code}']")


def wait_for_data(party, code, key, expected, timeout=10.0):
    """Autosave is asynchronous: wait until the saved answer holds ``expected`` (or fail with what it holds)."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        try:
            answer = Answer.objects.filter(item__code=code, response__party=party).first()
        except OperationalError:  # SQLite: "table is locked" while the live server's autosave writes; read again
            time.sleep(0.2)
            continue
        value = answer.data.get(key) if answer else None
        if value == expected:
            return
        time.sleep(0.2)
    assert value == expected


def wait_saved(article):
    article.locator(".save-status .save-status--ok").wait_for()
    assert "Saved at" in article.locator(".save-status").inner_text()


@pytest.mark.django_db(transaction=True)
def test_a_member_answers_choice_ranking_and_text_and_finds_them_after_reload(
    page, live_server, world, background_paper
):
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")

    choice = item_article(page, "GENAI-02")
    choice.get_by_label("Yes", exact=True).first.check()
    wait_saved(choice)
    assert "by you" in choice.locator(".save-status").inner_text()

    ranking = item_article(page, "GENAI-01")
    last = ranking.locator(".ws-ranking__item").last
    label = last.locator(".ws-ranking__label").inner_text()
    move_up = last.locator("[data-move=up]")
    move_up.focus()
    page.keyboard.press("Enter")  # keyboard only: no drag and drop
    wait_saved(ranking)
    ranking.locator("textarea").first.fill("Harm is assessed through victim impact statements.")
    page.wait_for_function(
        "el => el.textContent.includes('version 2')", arg=ranking.locator(".save-status").element_handle()
    )

    page.reload()
    choice = item_article(page, "GENAI-02")
    assert choice.get_by_label("Yes", exact=True).first.is_checked()
    ranking = item_article(page, "GENAI-01")
    labels = [t.strip() for t in ranking.locator(".ws-ranking__label").all_inner_texts()]
    assert labels.index(label) == len(labels) - 2
    assert ranking.locator("textarea").first.input_value() == "Harm is assessed through victim impact statements."
    answer = Answer.objects.get(item__code="GENAI-01", response__party=world.party_a)
    assert answer.data["impact_ranking"] == ["offline", "solicitation", "ai_generated", "misused_csgsiv"]
    assert answer.data["explanation"] == "Harm is assessed through victim impact statements."


@pytest.mark.django_db(transaction=True)
def test_two_colleagues_editing_the_same_answer_see_the_conflict(browser, live_server, world, background_paper):
    first = browser.new_context(locale="en-GB")
    second = browser.new_context(locale="en-GB")
    page_a, page_b = first.new_page(), second.new_page()
    for p in (page_a, page_b):
        p.set_default_timeout(15_000)
    login(page_a, live_server, "member.a@fr.example", PASSWORD)
    from tests.factories import delegate

    delegate(world.party_a, role="member", email="colleague.a@fr.example")
    login(page_b, live_server, "colleague.a@fr.example", PASSWORD)
    url = f"{live_server.url}/consultations/{SLUG}/"
    page_a.goto(url)
    page_b.goto(url)

    item_a = item_article(page_a, "GENAI-02")
    item_a.locator("textarea").first.fill("Our criminal code treats both alike.")
    wait_saved(item_a)

    item_b = item_article(page_b, "GENAI-02")
    item_b.locator("textarea").first.fill("Sentencing differs by case law.")
    item_b.locator(".ws-conflict").wait_for()
    conflict = item_b.locator(".ws-conflict").inner_text()
    assert "Our criminal code treats both alike." in conflict
    assert "Sentencing differs by case law." in conflict
    assert item_b.locator("textarea").first.input_value() == "Sentencing differs by case law."
    assert serious_violations(page_b) == []
    item_b.get_by_role("button", name="Keep mine").click()
    wait_saved(item_article(page_b, "GENAI-02"))
    answer = Answer.objects.get(item__code="GENAI-02", response__party=world.party_a)
    assert (answer.version, answer.data["explanation"]) == (2, "Sentencing differs by case law.")
    first.close()
    second.close()


def enrol(user):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


@pytest.mark.django_db(transaction=True)
def test_the_head_of_delegation_submits_and_the_reply_is_locked(page, live_server, world, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    secret = enrol(world.head_a)
    login(page, live_server, "head.a@fr.example", PASSWORD, totp_secret=secret)
    page.goto(f"{live_server.url}/consultations/{world.consultation.slug}/review/")
    assert "Every required field has an answer." in page.locator("main").inner_text()
    page.get_by_role("link", name="Submit the reply…").click()
    page.get_by_label("I confirm that this reply is the official reply").check()
    page.get_by_role("button", name="Submit the reply").click()
    # The head lands on the receipt: when (in the reader's time zone, by the browser), who, the digest.
    page.wait_for_url(re.compile(r"/receipt/$"))
    assert "The reply has been submitted. It is now locked." in page.locator(".messages").inner_text()
    assert Response.objects.get(pk=reply.pk).status == "submitted"
    submission = ResponseSubmission.objects.get(response=reply)
    facts = page.locator(".receipt-facts").inner_text()
    assert world.head_a.display_name in facts
    assert submission_digest(snapshot=submission.snapshot)[:8] in facts
    assert "2 of 2" in facts
    moment = page.locator("time[data-local-time]")
    assert moment.get_attribute("title").endswith("UTC)")  # the server's text, kept as the title
    assert str(timezone.localtime(submission.submitted_at).year) in moment.inner_text()
    assert "UTC)" not in moment.inner_text()  # replaced by the browser's own rendering
    assert serious_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the receipt (PDF)").click()
    assert download_info.value.suggested_filename == f"reply-fr-{world.consultation.slug}-1.pdf"
    assert download_info.value.path().read_bytes().startswith(b"%PDF-")
    page.goto(f"{live_server.url}/consultations/{world.consultation.slug}/")
    assert "Editing is locked." in page.locator("main").inner_text()
    assert page.locator("[hx-post]").count() == 0
    assert page.locator("#section-form").count() == 0


@pytest.mark.django_db(transaction=True)
def test_reply_and_review_pages_pass_an_axe_scan(page, live_server, world, background_paper):
    login(page, live_server, "member.a@fr.example", PASSWORD)
    reply = response_get_or_create(consultation=background_paper, party=world.party_a)
    item = background_paper.items.get(code="GENAI-02")
    answer_save(response=reply, item=item, data={"explanation": "Penal code"}, base_version=0, user=world.member_a)
    answer_save(response=reply, item=item, data={"explanation": "Criminal code"}, base_version=1, user=world.head_a)
    paths = (
        f"/consultations/{SLUG}/",
        f"/consultations/{SLUG}/review/",
        "/consultations/",
        f"/consultations/{SLUG}/items/GENAI-02/history/",
        "/articles/20/",
    )
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        serious = serious_violations(page)
        assert serious == [], f"{path}: {serious}"


@pytest.mark.django_db(transaction=True)
def test_legal_references_rows_are_added_and_removed_and_saved(page, live_server, world, background_paper):
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")
    item = item_article(page, "GENAI-01")
    rows = item.locator(".ws-legal__row")
    assert rows.count() == 1  # the three no-JavaScript blank rows become one, with an "Add a reference" button
    rows.nth(0).get_by_label("Instrument, row 1").fill("Code pénal")
    rows.nth(0).get_by_label("Provision, row 1").fill("art. 227-23")
    item.get_by_role("button", name="Add a reference").click()
    assert rows.count() == 2
    rows.nth(1).locator("input").first.fill("Loi n° 2024-449")
    item.get_by_role("button", name="Add a reference").click()
    rows.nth(2).locator("input").first.fill("To be removed")
    # Wait for the three rows to be saved first: the final two rows are also what an earlier save held, so
    # waiting for them alone could return before the last autosaves and reload in between.
    three_rows = [
        {"instrument": "Code pénal", "provision": "art. 227-23", "url": ""},
        {"instrument": "Loi n° 2024-449", "provision": "", "url": ""},
        {"instrument": "To be removed", "provision": "", "url": ""},
    ]
    wait_for_data(world.party_a, "GENAI-01", "legal_references", three_rows)
    rows.nth(2).get_by_role("button", name="Remove").click()
    assert rows.count() == 2
    expected = [
        {"instrument": "Code pénal", "provision": "art. 227-23", "url": ""},
        {"instrument": "Loi n° 2024-449", "provision": "", "url": ""},
    ]
    wait_for_data(world.party_a, "GENAI-01", "legal_references", expected)
    assert "Saved at" in item.locator(".save-status").inner_text()
    page.reload()
    item = item_article(page, "GENAI-01")
    instruments = item.locator("input[name$='-f-legal_references__instrument']")
    assert [instruments.nth(i).input_value() for i in range(instruments.count())] == ["Code pénal", "Loi n° 2024-449"]


def answers_of(party):
    return {a.item.code: a for a in Answer.objects.filter(response__party=party).select_related("item")}


@pytest.mark.django_db(transaction=True)
def test_typing_in_two_items_and_saving_the_page_saves_both(page, live_server, world, background_paper):
    """Typed in two items, then "Save all" at once: leaving each field autosaves it, and the page waits for those
    autosaves before sending the section form, so it carries their versions (no conflict with oneself)."""
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")
    item_article(page, "GENAI-02").locator("textarea").first.fill("Sentencing guidelines of 2023.")
    item_article(page, "GENAI-04").locator("textarea").first.fill("The Online Safety Act covers it.")
    page.get_by_role("button", name="Save all answers on this page").first.click()
    page.locator(".messages").wait_for()
    assert re.search(r"\d answers? saved\.|Nothing to save", page.locator(".messages").inner_text())
    assert page.locator("#section-notice").count() == 0
    page.reload()
    assert item_article(page, "GENAI-02").locator("textarea").first.input_value() == "Sentencing guidelines of 2023."
    assert item_article(page, "GENAI-04").locator("textarea").first.input_value() == "The Online Safety Act covers it."
    answers = answers_of(world.party_a)
    assert sorted(answers) == ["GENAI-02", "GENAI-04"]
    assert answers["GENAI-02"].data["explanation"] == "Sentencing guidelines of 2023."
    assert answers["GENAI-04"].data["explanation"] == "The Online Safety Act covers it."
    assert {a.version for a in answers.values()} == {1}  # one save each, whichever way it went


@pytest.mark.django_db(transaction=True)
def test_when_autosave_cannot_reach_the_server_save_all_saves_both_items(page, live_server, world, background_paper):
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")
    page.route("**/items/**", lambda route: route.abort())  # the item autosaves fail; the page's form does not
    first, second = item_article(page, "GENAI-02"), item_article(page, "GENAI-04")
    first.locator("textarea").first.fill("Sentencing guidelines of 2023.")
    second.locator("textarea").first.fill("The Online Safety Act covers it.")
    first.locator(".save-status [role=alert]").wait_for()
    assert "Not saved" in first.locator(".save-status").inner_text()
    page.get_by_role("button", name="Save all answers on this page").last.click()
    page.locator(".messages").wait_for()
    assert "2 answers saved." in page.locator(".messages").inner_text()
    page.unroute("**/items/**")
    page.reload()
    assert item_article(page, "GENAI-02").locator("textarea").first.input_value() == "Sentencing guidelines of 2023."
    assert item_article(page, "GENAI-04").locator("textarea").first.input_value() == "The Online Safety Act covers it."
    answers = answers_of(world.party_a)
    assert {code: (a.version, a.data) for code, a in answers.items()} == {
        "GENAI-02": (1, {"explanation": "Sentencing guidelines of 2023."}),
        "GENAI-04": (1, {"explanation": "The Online Safety Act covers it."}),
    }


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_page_is_saved_by_its_section_form(browser, live_server, world, background_paper):
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")
    choice = item_article(page, "GENAI-02")
    choice.get_by_label("Yes", exact=True).first.check()
    choice.locator("textarea").first.fill("Criminal Code, art. 227-23.")
    ranking = item_article(page, "GENAI-01")
    selects = ranking.locator(".ws-ranking__select")  # numbered selects without JavaScript
    for index in range(selects.count()):
        selects.nth(index).select_option(str(index + 1))
    # The item's own "Save" button sends the whole page's form.
    choice.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/consultations/"))
    assert "2 answers saved." in page.locator(".messages").inner_text()
    assert Answer.objects.get(item__code="GENAI-02", response__party=world.party_a).data == {
        "position": "yes",
        "explanation": "Criminal Code, art. 227-23.",
    }
    assert Answer.objects.get(item__code="GENAI-01", response__party=world.party_a).data == {
        "impact_ranking": ["offline", "solicitation", "misused_csgsiv", "ai_generated"]
    }
    # A bad value: the page comes back with the message at the field and nothing lost or saved.
    item_article(page, "GENAI-03").locator("textarea").first.fill("Kept while the number is corrected.")
    ranking = item_article(page, "GENAI-01")
    ranking.locator(".ws-ranking__select").nth(0).select_option("2")
    page.get_by_role("button", name="Save all answers on this page").last.click()
    page.wait_for_load_state()
    assert "Nothing was saved: 1 field needs correcting" in page.locator("#section-notice").inner_text()
    assert "Give each option a different rank" in item_article(page, "GENAI-01").inner_text()
    assert (
        item_article(page, "GENAI-03").locator("textarea").first.input_value() == "Kept while the number is corrected."
    )
    assert not Answer.objects.filter(item__code="GENAI-03").exists()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_page_saved_over_a_colleagues_newer_answer_shows_it_and_saves_nothing(
    page, live_server, world, background_paper
):
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{SLUG}/")
    reply = response_get_or_create(consultation=background_paper, party=world.party_a)
    genai_02 = background_paper.items.get(code="GENAI-02")
    answer_save(response=reply, item=genai_02, data={"explanation": "Theirs."}, base_version=0, user=world.head_a)
    page.route("**/items/**", lambda route: route.abort())  # autosave would meet the conflict first
    item_article(page, "GENAI-02").locator("textarea").first.fill("Mine.")
    item_article(page, "GENAI-04").locator("textarea").first.fill("Also mine.")
    page.get_by_role("button", name="Save all answers on this page").first.click()
    page.locator("#section-notice").wait_for()
    page.unroute("**/items/**")
    notice = page.locator("#section-notice").inner_text()
    assert "Nothing was saved: 1 answer on this page was saved by someone else" in notice
    conflict = item_article(page, "GENAI-02").locator(".ws-conflict")
    assert world.head_a.display_name in conflict.inner_text()
    assert "Theirs." in conflict.inner_text()
    assert item_article(page, "GENAI-02").locator("textarea").first.input_value() == "Mine."
    assert item_article(page, "GENAI-04").locator("textarea").first.input_value() == "Also mine."
    assert not Answer.objects.filter(item__code="GENAI-04").exists()
    assert serious_violations(page) == []
    # Take theirs for GENAI-02 (only that item changes), then save the page: GENAI-04 is saved, GENAI-02 kept.
    item_article(page, "GENAI-02").get_by_role("link", name="Take theirs").click()
    item_article(page, "GENAI-02").locator(".ws-conflict").wait_for(state="detached")
    assert item_article(page, "GENAI-02").locator("textarea").first.input_value() == "Theirs."
    assert item_article(page, "GENAI-04").locator("textarea").first.input_value() == "Also mine."
    page.get_by_role("button", name="Save all answers on this page").first.click()
    page.locator(".messages").wait_for()
    assert "1 answer saved." in page.locator(".messages").inner_text()
    answers = answers_of(world.party_a)
    assert {code: (a.version, a.data) for code, a in answers.items()} == {
        "GENAI-02": (1, {"explanation": "Theirs."}),
        "GENAI-04": (1, {"explanation": "Also mine."}),
    }
