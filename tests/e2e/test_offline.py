"""In a real browser: download the questionnaire as XLSX, fill it in "offline", upload it, check the preview and
confirm; the answers are saved."""

from __future__ import annotations

import io

import openpyxl
import pytest

from consultation.models import Answer
from consultation.services.answers import answer_save, response_get_or_create
from tests.e2e.conftest import login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_a_member_round_trips_the_questionnaire_through_excel(page, live_server, world, tmp_path):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{world.consultation.slug}/offline/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Spreadsheet (.xlsx)").click()
    download = download_info.value
    assert download.suggested_filename == "questionnaire-fr-world-consultation.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))
    sheet = book.worksheets[0]
    rows = {(sheet[f"A{r}"].value, sheet[f"D{r}"].value): r for r in range(2, sheet.max_row + 1)}
    sheet[f"I{rows[('GENAI-01', 'position')]}"] = "partially"
    sheet[f"I{rows[('ROBOT-01', 'explanation')]}"] = "The Ministry of Justice is drafting a bill."
    filled = tmp_path / "filled.xlsx"
    book.save(filled)

    page.get_by_label("Filled-in questionnaire (.xlsx or .docx)").set_input_files(str(filled))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Import preview").wait_for()
    changes = page.locator("#main table").inner_text()
    assert "GENAI-01" in changes
    assert "Partially" in changes
    assert "The Ministry of Justice is drafting a bill." in changes
    assert Answer.objects.get(response=reply, item=world.items[0]).data == {"position": "yes"}
    # On a narrow screen the long texts squeeze the item column: a code stays on one line (it wrapped "GENAI-/01").
    page.set_viewport_size({"width": 360, "height": 800})
    lines = page.locator("#main table .item__code").evaluate_all("els => els.map(el => el.getClientRects().length)")
    assert lines == [1, 1]
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Save these changes").click()
    page.get_by_text("Import done: 2 answers saved (GENAI-01, ROBOT-01).").wait_for()
    assert Answer.objects.get(response=reply, item=world.items[0]).data == {"position": "partially"}
    assert Answer.objects.get(response=reply, item=world.items[1]).data == {
        "explanation": "The Ministry of Justice is drafting a bill."
    }


@pytest.mark.django_db(transaction=True)
def test_a_member_round_trips_the_reply_through_word(page, live_server, world, tmp_path):
    from tests.consultation.docx_world import answer_cell, open_docx, tick, write

    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    login(page, live_server, "member.a@fr.example", PASSWORD)
    page.goto(f"{live_server.url}/consultations/{world.consultation.slug}/offline/")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Word form (.docx)").click()
    document = open_docx(download_info.value.path().read_bytes())
    tick(answer_cell(document, "GENAI-01", "position"), "No", only=True)
    write(answer_cell(document, "ROBOT-01", "explanation"), "The Ministry of the Interior answers in May.")
    filled = tmp_path / "ministries.docx"
    document.save(filled)

    page.get_by_label("Filled-in questionnaire (.xlsx or .docx)").set_input_files(str(filled))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Import preview").wait_for()
    changes = page.locator("#main table").inner_text()
    assert "The Ministry of the Interior answers in May." in changes
    assert "No" in changes
    page.get_by_role("button", name="Save these changes").click()
    page.get_by_text("Import done: 2 answers saved (GENAI-01, ROBOT-01).").wait_for()
    assert Answer.objects.get(response=reply, item=world.items[0]).data == {"position": "no"}
