"""The admin shows answers, their revisions and the submitted snapshots, but cannot change them: only the services
write answers (lock, version, typed rows, revision, the reply's last activity)."""

from __future__ import annotations

import pytest

from consultation.models import Answer, AnswerRevision
from consultation.services.answers import answer_save, response_get_or_create
from tests.access.helpers import login_with_mfa

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(world):
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    return answer_save(
        response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a
    )


def test_an_administrator_sees_answers_and_revisions_but_cannot_add_change_or_delete_them(client, world, saved):
    login_with_mfa(client, world.admin)
    change_url = f"/admin/consultation/answer/{saved.pk}/change/"
    page = client.get(change_url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="_save"' not in html
    assert "/delete/" not in html
    assert client.get("/admin/consultation/answer/").status_code == 200
    assert client.get("/admin/consultation/answer/add/").status_code == 403
    assert client.post(change_url, {"data": '{"position": "no"}', "version": "9"}).status_code == 403
    assert client.post(f"/admin/consultation/answer/{saved.pk}/delete/", {"post": "yes"}).status_code == 403
    revision = AnswerRevision.objects.get(answer=saved)
    assert client.post(f"/admin/consultation/answerrevision/{revision.pk}/delete/", {"post": "yes"}).status_code == 403
    saved_again = Answer.objects.get(pk=saved.pk)
    assert (saved_again.data, saved_again.version) == ({"position": "yes"}, 1)
    assert AnswerRevision.objects.filter(answer=saved).count() == 1
