"""Check 1 through HTTP: 10 signed-in sessions of one delegation autosave the same answer through gunicorn.

The service-level check (``test_concurrent_replies.py``) runs 10 × 100 saves; this one sends 10 × 20 real
requests to the autosave endpoint (``POST /consultations/<slug>/items/<code>/`` as htmx does), each with the
version its editor read: every answer is 200 (saved) or 409 (conflict, showing the current value), never a server
error, and no accepted save is lost.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.urls import reverse

from consultation.models import Answer, AnswerRevision
from consultation.services.answers import response_get_or_create

from .conftest import http_request, requires_postgres, run_concurrently, session_cookie

pytestmark = [pytest.mark.reliability, requires_postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 20
VALUE = re.compile(r"Editor \d+, round \d+")


def test_ten_sessions_autosaving_one_answer_lose_nothing_and_never_fail(delegation, gunicorn_factory, figures):
    item = delegation.items[0]
    response = response_get_or_create(consultation=delegation.consultation, party=delegation.party)
    sessions = [session_cookie(editor) for editor in delegation.editors]
    server = gunicorn_factory(workers=4)
    path = reverse("consultation:answer_save", kwargs={"slug": delegation.consultation.slug, "code": item.code})
    accepted, conflicts, errors = [], [], []
    lock = threading.Lock()

    def edit(index: int) -> None:
        for round_number in range(ROUNDS):
            current = Answer.objects.filter(response=response, item=item).values_list("version", flat=True).first()
            mine = f"Editor {index}, round {round_number}"
            data = {
                "base_version": current or 0,
                "f-position": "partially",
                "f-explanation": mine,
                "_language": "en",
            }
            status, _seconds, body = http_request(
                server, "POST", path, session=sessions[index], data=data, headers={"HX-Request": "true"}
            )
            with lock:
                if status == 200:
                    accepted.append(mine)
                elif status == 409:
                    shown = set(VALUE.findall(body.decode())) - {mine}
                    conflicts.append((mine, shown))
                else:
                    errors.append((status, body[:300]))

    outcome = run_concurrently(10, edit)
    assert outcome.errors == []
    revisions = list(
        AnswerRevision.objects.filter(answer__response=response, answer__item=item)
        .order_by("version")
        .values_list("version", "data__explanation")
    )
    saved_values = {value for _, value in revisions}
    lost = [value for value in accepted if value not in saved_values]
    blind = [mine for mine, shown in conflicts if not shown or not shown <= saved_values]
    final = Answer.objects.get(response=response, item=item)
    figures(
        f"concurrent editors over HTTP: {10 * ROUNDS} autosaves through gunicorn, {len(accepted)} saved (200), "
        f"{len(conflicts)} conflicts (409), {len(errors)} other statuses, {len(lost)} lost, "
        f"{len(blind)} conflicts without the current value"
    )
    assert errors == []
    assert len(accepted) + len(conflicts) == 10 * ROUNDS
    assert lost == []
    assert blind == []
    assert [version for version, _ in revisions] == list(range(1, len(accepted) + 1))
    assert final.version == len(accepted)
    assert final.data["explanation"] == revisions[-1][1]
