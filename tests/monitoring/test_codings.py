"""Coding submitted replies: offsets and quotes, refusals, and the review flag after a changed resubmission."""

from __future__ import annotations

import re

import pytest

from monitoring.errors import CodingRefused
from monitoring.models import Coding
from monitoring.services.codings import coding_apply, coding_reanchor
from tests.monitoring.conftest import FRANCE_TEXT, resubmit

pytestmark = pytest.mark.django_db


def test_a_passage_keeps_its_offsets_quote_and_submitted_version(replies, codes):
    w = replies
    start = FRANCE_TEXT.index("generated material")
    (coding,) = coding_apply(
        response=w.france,
        item=w.items[0],
        field=w.explanation,
        start=start,
        end=start + 18,
        codes=[w.code_ai],
        user=w.committee,
    )
    coding.refresh_from_db()
    assert (coding.start, coding.end, coding.quote) == (27, 45, "generated material")
    assert coding.answer_version == 1
    assert coding.party_id == w.party_a.pk
    assert coding.submission.sequence == 1


def test_several_codes_at_once_and_the_whole_answer(replies, codes):
    w = replies
    both = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=0, end=3, codes=[w.code_ai, w.code_reform],
        user=w.committee,
    )  # fmt: skip
    assert [c.quote for c in both] == ["The", "The"]
    (whole,) = coding_apply(response=w.germany, item=w.items[0], codes=[w.code_ai], user=w.committee)
    assert (whole.field_id, whole.start, whole.end, whole.quote) == (None, None, None, "")
    with pytest.raises(
        CodingRefused, match=re.escape("The whole answer is already coded “AI-generated CSAM criminalised”.")
    ):
        coding_apply(response=w.germany, item=w.items[0], codes=[w.code_ai], user=w.committee)


def test_the_same_code_on_an_overlapping_passage_is_refused_and_nothing_is_written(replies, codes):
    w = replies
    coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=4, end=17, codes=[w.code_ai], user=w.committee
    )
    with pytest.raises(CodingRefused) as refused:
        coding_apply(
            response=w.france, item=w.items[0], field=w.explanation, start=10, end=30,
            codes=[w.code_reform, w.code_ai], user=w.committee,
        )  # fmt: skip
    assert str(refused.value) == (
        "“AI-generated CSAM criminalised” is already applied to an overlapping passage: “Criminal Code”."
    )
    assert Coding.objects.count() == 1
    # Adjacent passages do not overlap; another code on the same passage is fine.
    coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=17, end=26, codes=[w.code_ai], user=w.committee
    )
    coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=4, end=17, codes=[w.code_reform],
        user=w.committee,
    )  # fmt: skip
    assert Coding.objects.count() == 3


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 4, "The selected passage (-1–4) is not within the answer's 90 characters."),
        (80, 91, "The selected passage (80–91) is not within the answer's 90 characters."),
        (5, 5, "The selected passage (5–5) is not within the answer's 90 characters."),
        (3, 4, "The selected passage is only blank space."),
    ],
)
def test_passages_outside_the_text_or_blank_are_refused(replies, codes, start, end, message):
    w = replies
    assert len(FRANCE_TEXT) == 90
    with pytest.raises(CodingRefused) as refused:
        coding_apply(
            response=w.france, item=w.items[0], field=w.explanation, start=start, end=end, codes=[w.code_ai],
            user=w.committee,
        )  # fmt: skip
    assert str(refused.value) == message


def test_a_draft_reply_cannot_be_coded(world, codes):
    from tests.access.world import party_a_draft

    draft = party_a_draft(world)
    with pytest.raises(CodingRefused, match=re.escape("This Party has submitted no answer to this item.")):
        coding_apply(response=draft, item=world.items[0], codes=[world.code_ai], user=world.committee)


def test_a_choice_field_cannot_be_coded_by_passage(replies, codes):
    w = replies
    position = w.items[0].fields.get(key="position")
    with pytest.raises(
        CodingRefused, match=re.escape("Only the free-text fields of this item can be coded by passage.")
    ):
        coding_apply(
            response=w.france, item=w.items[0], field=position, start=0, end=2, codes=[w.code_ai], user=w.committee
        )


def _reasons():
    return dict(Coding.objects.with_review().values_list("pk", "review_reason"))


def test_a_changed_resubmission_flags_the_passage_and_the_whole_answer_but_not_an_unchanged_passage(
    replies, codes, django_assert_num_queries
):
    w = replies
    generated = FRANCE_TEXT.index("generated material")
    moved = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=generated, end=generated + 18,
        codes=[w.code_ai], user=w.committee,
    )[0]  # fmt: skip
    kept = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=0, end=17, codes=[w.code_reform],
        user=w.committee,
    )[0]  # fmt: skip
    whole = coding_apply(response=w.france, item=w.items[0], codes=[w.code_ai], user=w.committee)[0]
    assert _reasons() == {moved.pk: "", kept.pk: "", whole.pk: ""}

    new_text = "The Criminal Code, since 2024, punishes generated material."
    resubmit(w, w.france, w.head_a, w.member_a, w.items[0], new_text)
    with django_assert_num_queries(1):  # derived in SQL when read, nothing written
        assert _reasons() == {moved.pk: "changed_passage", kept.pk: "", whole.pk: "changed_answer"}
    assert Coding.objects.current().count() == 1

    moved = coding_reanchor(coding=Coding.objects.get(pk=moved.pk), user=w.committee)
    assert (moved.start, moved.end, moved.answer_version) == (40, 58, 2)
    assert new_text[moved.start : moved.end] == "generated material"
    whole = coding_reanchor(coding=Coding.objects.get(pk=whole.pk), user=w.committee)
    assert whole.answer_version == 2
    assert _reasons() == {moved.pk: "", kept.pk: "", whole.pk: ""}


def test_a_passage_gone_from_the_new_text_cannot_be_reanchored(replies, codes):
    w = replies
    coding = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=47, end=90, codes=[w.code_reform],
        user=w.committee,
    )[0]  # fmt: skip
    assert coding.quote == "A reform of sentencing is planned for 2025."
    resubmit(w, w.france, w.head_a, w.member_a, w.items[0], "The Criminal Code punishes generated material.")
    with pytest.raises(CodingRefused, match=re.escape("not found exactly once in the new text")):
        coding_reanchor(coding=Coding.objects.get(pk=coding.pk), user=w.committee)
    assert Coding.objects.with_review().get(pk=coding.pk).needs_review is True


def test_a_reopened_reply_is_still_coded_on_its_last_submission(replies, codes):
    """Drafts never show: while reopened, the live answer changes but codings still match the submitted copy."""
    from consultation.models import Answer
    from consultation.services.answers import answer_save
    from consultation.services.responses import response_reopen

    w = replies
    response_reopen(response=w.france, user=w.secretariat, reason="Correction")
    answer = Answer.objects.get(response=w.france, item=w.items[0])
    answer_save(
        response=w.france, item=w.items[0], data={"position": "no", "explanation": "Entirely new draft."},
        base_version=answer.version, user=w.member_a, language="en",
    )  # fmt: skip
    (coding,) = coding_apply(
        response=w.france, item=w.items[0], field=w.explanation, start=0, end=17, codes=[w.code_ai], user=w.committee
    )
    assert (coding.quote, coding.answer_version) == ("The Criminal Code", 1)
    assert _reasons() == {coding.pk: ""}
