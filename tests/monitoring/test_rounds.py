"""Rounds: items record the item they continue; the delegation sees its previous submitted answer and can confirm
it unchanged ("no change" makes a version marked confirmed); the Committee's diff of a choice and of a text; the
"what changed since the previous round" section of the comparative reports."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from consultation.models import Answer, AnswerRevision, Item
from consultation.services.answers import answer_save
from consultation.services.rounds import NothingToConfirm, answer_confirm_unchanged
from reports.sections import SectionContext, section_providers
from tests.monitoring.follow_up_world import second_round

pytestmark = pytest.mark.django_db


def test_round_items_record_the_item_they_continue_even_when_renamed(world):
    new = second_round(world)
    pairs = dict(Item.objects.filter(consultation=new).values_list("code", "continues__code"))
    assert pairs == {"GENAI-01": "GENAI-01", "ROBOT-01": "ROBOT-01"}
    Item.objects.filter(consultation=new, code="GENAI-01").update(code="AI-07")
    renamed = Item.objects.get(consultation=new, code="AI-07")
    assert renamed.continues == world.items[0]


def test_round_migration_links_rounds_duplicated_before_by_code(world):
    import importlib

    from django.apps import apps

    new = second_round(world)
    Item.objects.filter(consultation=new).update(continues=None)
    module = importlib.import_module("consultation.migrations.0007_item_continues_addressees")
    module.link_duplicated_rounds(apps, None)
    assert set(Item.objects.filter(consultation=new).values_list("continues_id", flat=True)) == {
        world.items[0].pk,
        world.items[1].pk,
    }


def test_round_no_change_copies_the_submitted_answer_as_a_version_marked_confirmed(world):
    from consultation.models import Response

    new = second_round(world)
    item = Item.objects.get(consultation=new, code="GENAI-01")
    reply = Response.objects.get(consultation=new, party=world.party_a)
    carried = Answer.objects.get(response=reply, item=item)
    # The delegation had started editing the carried-over draft, then decides nothing changed.
    edited = answer_save(
        response=reply,
        item=item,
        data={"position": "no", "explanation": "Draft."},
        base_version=carried.version,
        user=world.member_a,
    )
    answer = answer_confirm_unchanged(response=reply, item=item, base_version=edited.version, user=world.member_a)
    assert answer.data == {"position": "yes", "explanation": "The Criminal Code covers it."}
    assert answer.version == 3
    revision = AnswerRevision.objects.get(answer=answer, version=3)
    assert (revision.source, revision.note, revision.created_by) == (
        "confirmed",
        "No change since Consultation " + world.consultation.title.split()[-1],
        world.member_a,
    )
    assert AuditEvent.objects.filter(event_type="reply.answer_confirmed_unchanged").count() == 1


def test_round_no_change_on_an_untouched_carried_over_draft_still_records_the_confirmation(world):
    from consultation.models import Response

    new = second_round(world)
    item = Item.objects.get(consultation=new, code="GENAI-01")
    reply = Response.objects.get(consultation=new, party=world.party_a)
    answer = answer_confirm_unchanged(response=reply, item=item, base_version=1, user=world.member_a)
    assert answer.version == 2
    assert list(AnswerRevision.objects.filter(answer=answer).order_by("version").values_list("source", flat=True)) == [
        "carry-over",
        "confirmed",
    ]


def test_round_no_change_is_refused_without_an_earlier_submitted_answer(world):
    from consultation.models import Response
    from consultation.services.answers import response_get_or_create

    new = second_round(world)
    item = Item.objects.get(consultation=new, code="GENAI-01")
    from tests import factories as f

    italy = f.party("IT")
    reply = response_get_or_create(consultation=new, party=italy)
    with pytest.raises(NothingToConfirm, match="There is no submitted answer from the previous round"):
        answer_confirm_unchanged(response=reply, item=item, base_version=0, user=None)
    assert not Answer.objects.filter(response=reply).exists()
    assert Response.objects.filter(consultation=new).count() == 3


def test_round_reply_page_shows_the_previous_answer_and_the_no_change_button(world, client):
    new = second_round(world)
    client.force_login(world.member_a)
    html = client.get(reverse("consultation:reply", args=[new.slug])).content.decode()
    assert html.count('class="ws-previous"') == 2
    assert f"No change since {world.consultation.title}" in html
    page = client.post(
        reverse("consultation:answer_no_change", args=[new.slug, "GENAI-01"]), {"base_version": "1"}, follow=True
    )
    text = page.content.decode()
    assert "GENAI-01: the previous round&#x27;s answer is confirmed unchanged (version 2)." in text
    assert "Confirmed unchanged" in text
    stale = client.post(
        reverse("consultation:answer_no_change", args=[new.slug, "ROBOT-01"]), {"base_version": "0"}, follow=True
    )
    assert "Not confirmed: a colleague saved this answer since you opened the page." in stale.content.decode()


def _submit_round_two(world, new, *, position: str, explanation: str):
    from consultation.models import Response
    from consultation.services.responses import response_submit

    reply = Response.objects.get(consultation=new, party=world.party_b)
    item = Item.objects.get(consultation=new, code="GENAI-01")
    answer = Answer.objects.get(response=reply, item=item)
    answer_save(
        response=reply,
        item=item,
        data={"position": position, "explanation": explanation},
        base_version=answer.version,
        user=world.member_b,
    )
    response_submit(response=reply, user=world.head_b)


def test_round_diff_of_a_choice_and_of_a_text_side_by_side(world):
    from followup.selectors.rounds import party_round_comparison

    new = second_round(world)
    _submit_round_two(world, new, position="yes", explanation="Section 184b and the new 184c cover it.")
    first, second = party_round_comparison(consultation=new, party=world.party_b)
    assert (first.item.code, first.changed, second.changed) == ("GENAI-01", True, False)
    position, explanation = first.fields
    assert (position.before, position.after, position.removed, position.added) == (
        ["Partially"],
        ["Yes"],
        ["Partially"],
        ["Yes"],
    )
    assert [(s.text, s.kind) for s in explanation.left] == [
        ("Section 184b ", "same"),
        ("covers", "removed"),
        (" it.", "same"),
    ]
    assert [(s.text, s.kind) for s in explanation.right] == [
        ("Section 184b ", "same"),
        ("and the new 184c cover", "added"),
        (" it.", "same"),
    ]


def test_round_changes_page_for_the_committee(world, client):
    new = second_round(world)
    _submit_round_two(world, new, position="yes", explanation="Section 184b and the new 184c cover it.")
    client.force_login(world.committee)
    page = client.get(reverse("followup:changes", args=[new.slug]), {"party": "DE", "only": "changed"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Germany: 1 of 2 items changed." in html
    assert "<del>covers</del>" in html
    assert "<ins>and the new 184c cover</ins>" in html
    client.force_login(world.member_b)
    assert client.get(reverse("followup:changes", args=[new.slug])).status_code == 403


def test_round_report_section_names_the_parties_whose_position_changed(world):
    new = second_round(world)
    _submit_round_two(world, new, position="yes", explanation="Section 184b and the new 184c cover it.")
    provider = section_providers()["followup.changes_since_previous_round"]
    items = tuple(Item.objects.filter(consultation=new).order_by("order", "code").values_list("pk", flat=True))
    [section] = provider(
        SectionContext(consultation_id=new.pk, scope_kind="overview", scope_key="", item_ids=items, language="en")
    )
    assert section.title == "What changed since the previous round"
    genai = section.subsections[0]
    assert genai.title == "GENAI-01"
    table = genai.blocks[0]
    assert table.rows == (("Germany", "Position", "Partially", "Yes"),)
    assert genai.blocks[2].items == ("Germany",)
    assert genai.blocks[3].text == "Replied in the previous round only: France."
    [french] = provider(
        SectionContext(consultation_id=new.pk, scope_kind="overview", scope_key="", item_ids=items, language="fr")
    )
    assert french.subsections[0].blocks[0].rows == (("Allemagne", "Position", "Partiellement", "Oui"),)
    assert (
        provider(
            SectionContext(
                consultation_id=world.consultation.pk,
                scope_kind="overview",
                scope_key="",
                item_ids=tuple(i.pk for i in world.items),
                language="en",
            )
        )
        == []
    )
