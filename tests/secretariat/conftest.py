"""Fixtures of the Secretariat tests: a signed-in Secretariat client and a hand-built state of play."""

from __future__ import annotations

import datetime
import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultation.models import Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.responses import response_mark_ready, response_submit
from tests import factories as f
from tests.access.helpers import login_with_mfa


@pytest.fixture
def secretariat_client(client, world):
    login_with_mfa(client, world.secretariat)
    return client


def save(reply, item, data, user):
    """Save an answer on top of whatever version is there."""
    current = reply.answers.filter(item=item).values_list("version", flat=True).first() or 0
    return answer_save(response=reply, item=item, data=data, base_version=current, user=user)


@pytest.fixture
def play(world):
    """A known state of play on the world consultation (closing in 30 days; items GENAI-01 and ROBOT-01).

    - France (FR): submitted, both items complete.
    - Germany (DE): draft, GENAI-01 explained but without its required position; ROBOT-01 untouched.
    - Italy (IT): ready for sign-off, GENAI-01 complete.
    - Portugal (PT): a reply row with no answer.
    - Spain (ES): not started, but granted an extension to closing date + 10 days.
    - Every other active Party: not started.
    """
    genai, robot = world.items
    fr = response_get_or_create(consultation=world.consultation, party=world.party_a)
    save(fr, genai, {"position": "yes", "explanation": "Criminal Code, art. 227-22."}, world.member_a)
    save(fr, robot, {"position": "partially"}, world.member_a)
    response_submit(response=fr, user=world.head_a)

    de = response_get_or_create(consultation=world.consultation, party=world.party_b)
    save(de, genai, {"explanation": "A bill is before Parliament."}, world.member_b)

    italy = f.party("IT")
    member_it = f.delegate(italy, role="member", email="member@it.example")
    it = response_get_or_create(consultation=world.consultation, party=italy)
    save(it, genai, {"position": "no"}, member_it)
    response_mark_ready(response=it, user=member_it)

    pt = response_get_or_create(consultation=world.consultation, party=f.party("PT"))
    es = Response.objects.create(
        consultation=world.consultation,
        party=f.party("ES"),
        extended_until=world.consultation.closes_on + datetime.timedelta(days=10),
    )
    return SimpleNamespace(fr=fr, de=de, it=it, pt=pt, es=es, member_it=member_it)


def after_deadline(world) -> datetime.date:
    return world.consultation.closes_on + datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def sop_url(consultation, query: str = "") -> str:
    return reverse("secretariat:state_of_play", kwargs={"slug": consultation.slug}) + query


def sop_get(client, consultation, query: str = "") -> tuple[str, int]:
    """The state of play's HTML and the number of queries it took."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(sop_url(consultation, query))
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


def sop_row(page: str, iso2: str) -> str:
    return re.search(rf'<tr data-party="{iso2}".*?</tr>', page, re.S).group(0)


def sop_cells(page: str, iso2: str) -> list[str]:
    return re.findall(r'<td class="sop-cell sop-cell--[a-z-]+">([^<]*)</td>', sop_row(page, iso2))
