"""A NUL byte or another control character in a text or a legal reference is refused with a clear message (422),
never a 500: PostgreSQL refuses NUL in text and JSON, and the exports' XML refuses every C0 control character.

Run them on PostgreSQL too: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME_db pytest this file``.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from consultation.models import Answer, AnswerRevision, Response
from consultation.services.answers import answer_save, response_get_or_create
from tests.consultation.offline_world import all_types_item

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "holds an invisible control character (U+0000) that cannot be saved"


@pytest.fixture
def member(client, world):
    client.force_login(world.member_a)
    return client


@pytest.fixture
def item(world):
    return all_types_item(world.consultation)


def save_url(world, item):
    return reverse("consultation:answer_save", args=[world.consultation.slug, item.code])


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"f-explanation": "Criminal\x00Code"}, "explanation"),
        ({"f-explanation": "Bell\x07"}, "explanation"),
        (
            {"f-references__instrument": "Penal\x00Code", "f-references__provision": "", "f-references__url": ""},
            "references",
        ),
        (
            {
                "f-references__instrument": "Penal Code",
                "f-references__provision": "art.\x1b 5",
                "f-references__url": "",
            },
            "references",
        ),
    ],
)
def test_autosave_refuses_a_control_character_with_422(member, world, item, posted, field):
    response = member.post(save_url(world, item), {"base_version": "0", **posted}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422
    html = response.content.decode()
    assert "invisible control character (U+" in html
    assert not Answer.objects.filter(item=item).exists()
    assert not AnswerRevision.objects.exists()


def test_autosave_names_the_nul_character(member, world, item):
    response = member.post(save_url(world, item), {"base_version": "0", "f-explanation": "a\x00b"})
    assert response.status_code == 422
    assert NUL_MESSAGE in response.content.decode()


def test_tabs_and_line_breaks_are_kept(member, world, item):
    response = member.post(
        save_url(world, item), {"base_version": "0", "f-explanation": "Line one\r\n\tLine two"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert Answer.objects.get(item=item).data == {"explanation": "Line one\n\tLine two"}


def test_a_section_save_with_a_nul_saves_nothing_and_answers_422(member, world, item):
    genai = world.items[0]
    url = reverse("consultation:section_save", args=[world.consultation.slug])
    posted = {
        f"i{genai.pk}-base_version": "0",
        f"i{genai.pk}-f-position": "yes",
        f"i{item.pk}-base_version": "0",
        f"i{item.pk}-f-references__instrument": "Code\x00pénal",
        f"i{item.pk}-f-references__provision": "",
        f"i{item.pk}-f-references__url": "",
    }
    response = member.post(url, posted)
    assert response.status_code == 422
    assert "invisible control character (U+0000)" in response.content.decode()
    assert not Answer.objects.exists()


def test_restoring_a_version_holding_a_control_character_answers_422(member, world, item):
    """A version saved before this check (SQLite accepted NUL) cannot be restored as it is: a clear refusal."""
    reply = response_get_or_create(consultation=world.consultation, party=world.party_a)
    answer = answer_save(response=reply, item=item, data={"explanation": "First"}, base_version=0, user=world.member_a)
    answer_save(response=reply, item=item, data={"explanation": "Second"}, base_version=1, user=world.member_a)
    AnswerRevision.objects.filter(answer=answer, version=1).update(data={"explanation": "Fi\x07rst"})
    url = reverse("consultation:answer_restore", args=[world.consultation.slug, item.code, 1])
    response = member.post(url, {"base_version": "2"})
    assert response.status_code == 422
    assert "Not restored:" in response.content.decode()
    assert "invisible control character (U+0007)" in response.content.decode()
    answer.refresh_from_db()
    assert (answer.version, answer.data) == (2, {"explanation": "Second"})
    assert Response.objects.count() == 1
