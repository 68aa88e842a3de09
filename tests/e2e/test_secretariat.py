"""In a real browser: the Secretariat opens the state of play, filters the overdue Parties, reminds one of them
and extends its deadline."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from consultation.models import Reminder, Response
from tests.access.helpers import enrol_totp
from tests.access.world import party_b_submitted
from tests.e2e.conftest import login, serious_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


@pytest.mark.django_db(transaction=True)
def test_secretariat_filters_overdue_parties_reminds_one_and_extends_its_deadline(page, live_server, world, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    party_b_submitted(world)  # Germany submitted before the deadline
    today = timezone.localdate()
    world.consultation.opens_on = today - datetime.timedelta(days=60)
    world.consultation.closes_on = today - datetime.timedelta(days=2)  # the deadline has passed
    world.consultation.save()
    secret = enrol_totp(world.secretariat)
    login(page, live_server, world.secretariat.email, PASSWORD, totp_secret=secret)

    page.goto(f"{live_server.url}/secretariat/")
    page.get_by_role("link", name=world.consultation.title).click()
    page.wait_for_url(re.compile(r"/secretariat/world-consultation/$"))
    assert page.get_by_test_id("submitted-count").inner_text() == "1 / 47"
    assert page.get_by_test_id("overdue-count").inner_text() == "46"

    page.get_by_label("Reply state").select_option("overdue")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"state=overdue"))
    rows = page.locator("tbody tr[data-party]")
    assert rows.count() == 46
    assert page.locator("tbody tr[data-party='DE']").count() == 0
    france = page.locator("tbody tr[data-party='FR']")
    assert "Overdue" in france.inner_text()
    # Each coloured cell carries its text too.
    assert france.locator("td.sop-cell").first.inner_text() == "Not started"

    page.get_by_role("checkbox", name="Select France").check()
    page.get_by_role("button", name="Send a reminder to the selected Parties").click()
    page.locator(".message--success", has_text="Reminder sent to 1 Party: France.").wait_for()
    assert re.search(r"state=overdue", page.url)
    (reminder_mail,) = [m for m in mail.outbox if "head.a@fr.example" in m.to]  # (Germany got its receipt)
    assert reminder_mail.cc == ["member.a@fr.example"]
    reminder = Reminder.objects.get()
    assert (reminder.kind, reminder.status, reminder.sent_by) == ("manual", "sent", world.secretariat)

    page.locator("tbody tr[data-party='FR']").get_by_role("link", name="France").click()
    page.wait_for_url(re.compile(r"/secretariat/world-consultation/parties/FR/$"))
    until = today + datetime.timedelta(days=10)
    page.get_by_label("New deadline for this Party").fill(until.isoformat())
    page.get_by_role("button", name="Extend the deadline").click()
    page.locator(".message--success", has_text=f"France now has until {until.isoformat()} to reply.").wait_for()
    timeline = page.locator(".sop-timeline").inner_text()
    assert "Reminder sent: Sent by the Secretariat" in timeline
    assert f"New deadline: {until.isoformat()}" in timeline
    assert Response.objects.get(consultation=world.consultation, party=world.party_a).extended_until == until

    page.goto(f"{live_server.url}/secretariat/world-consultation/?state=overdue")
    assert page.locator("tbody tr[data-party]").count() == 45
    assert page.locator("tbody tr[data-party='FR']").count() == 0
    # The matrix stays keyboard reachable: its scrolling region takes the focus.
    page.locator(".sop-matrix").focus()
    assert page.evaluate("document.activeElement.classList.contains('sop-matrix')")


@pytest.mark.django_db(transaction=True)
def test_secretariat_pages_pass_an_axe_scan(page, live_server, world, settings):
    settings.MFA_TOTP_TOLERANCE = 1
    party_b_submitted(world)
    secret = enrol_totp(world.secretariat)
    login(page, live_server, world.secretariat.email, PASSWORD, totp_secret=secret)
    slug = world.consultation.slug
    for path in (
        "/secretariat/",
        f"/secretariat/{slug}/",
        f"/secretariat/{slug}/?theme=generative-ai",
        f"/secretariat/{slug}/parties/DE/",
        f"/secretariat/{slug}/export/",
    ):
        page.goto(f"{live_server.url}{path}")
        serious = serious_violations(page)
        assert serious == [], f"{path}: {serious}"
