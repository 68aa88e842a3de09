"""Saving several items' answers at once (``answers_save_section``): same rules as one save per item,
all or nothing, in a number of queries that does not depend on the number of items."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultation.answer_values import AnswerInvalid
from consultation.models import (
    Answer,
    AnswerChoice,
    AnswerRevision,
    AnswerValue,
    Consultation,
    LegalReference,
)
from consultation.services.answers import (
    ReplyLocked,
    SectionChange,
    SectionConflict,
    answer_save,
    answers_save_section,
    response_get_or_create,
)
from tests import factories as f
from tests.consultation.offline_world import all_types_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(world):
    return response_get_or_create(consultation=world.consultation, party=world.party_a)


@pytest.fixture
def tech(world):
    return all_types_item(world.consultation)


def choices_of(answer):
    return list(
        AnswerChoice.objects.filter(answer=answer)
        .order_by("field__order", "rank", "option__order")
        .values_list("field__key", "option__key", "rank")
    )


def test_a_section_writes_each_value_its_typed_rows_a_revision_and_the_activity(world, reply, tech):
    genai, robot = world.items
    answers = answers_save_section(
        response=reply,
        changes=[
            SectionChange(
                item=genai, data={"position": "partially", "explanation": " Criminal Code, s. 201. "}, base_version=0
            ),
            SectionChange(
                item=tech,
                data={
                    "position": "yes",
                    "measures": ["training", "law"],
                    "priorities": ["detection", "prevention", "prosecution"],
                    "explanation": "National action plan 2024-2027.",
                    "cases": "1 250,5",
                    "references": [
                        {"instrument": "Criminal Code", "provision": "Art. 227-22", "url": "https://example.org/cc"},
                        {"instrument": "Law 2024-449", "provision": "", "url": ""},
                    ],
                },
                base_version=0,
            ),
            SectionChange(item=robot, data={"explanation": "Under review by the Ministry of Justice."}, base_version=0),
        ],
        user=world.member_a,
        language="fr",
        source="import",
        note="Imported from reply.xlsx",
    )

    assert [(a.item.code, a.version, a.is_answered, a.is_complete) for a in answers] == [
        ("GENAI-01", 1, True, True),
        ("TECH-01", 1, True, True),
        ("ROBOT-01", 1, True, False),
    ]
    stored = {a.item.code: a for a in Answer.objects.filter(response=reply).select_related("item")}
    assert stored["GENAI-01"].data == {"position": "partially", "explanation": "Criminal Code, s. 201."}
    assert stored["TECH-01"].data == {
        "position": "yes",
        "measures": ["law", "training"],
        "priorities": ["detection", "prevention", "prosecution"],
        "explanation": "National action plan 2024-2027.",
        "cases": "1250.5",
        "references": [
            {"instrument": "Criminal Code", "provision": "Art. 227-22", "url": "https://example.org/cc"},
            {"instrument": "Law 2024-449", "provision": "", "url": ""},
        ],
    }
    assert stored["ROBOT-01"].data == {"explanation": "Under review by the Ministry of Justice."}
    assert {a.language for a in stored.values()} == {"fr"}
    assert {a.updated_by for a in stored.values()} == {world.member_a}

    assert choices_of(stored["GENAI-01"]) == [("position", "partially", None)]
    assert choices_of(stored["TECH-01"]) == [
        ("position", "yes", None),
        ("measures", "law", None),
        ("measures", "training", None),
        ("priorities", "detection", 1),
        ("priorities", "prevention", 2),
        ("priorities", "prosecution", 3),
    ]
    assert choices_of(stored["ROBOT-01"]) == []
    assert sorted(
        AnswerValue.objects.filter(answer__response=reply).values_list("answer__item__code", "field__key")
    ) == [
        ("GENAI-01", "explanation"),
        ("ROBOT-01", "explanation"),
        ("TECH-01", "cases"),
        ("TECH-01", "explanation"),
    ]
    assert AnswerValue.objects.get(answer=stored["TECH-01"], field__key="cases").number == Decimal("1250.5")
    assert AnswerValue.objects.get(answer=stored["ROBOT-01"]).text == "Under review by the Ministry of Justice."
    assert list(
        LegalReference.objects.filter(answer=stored["TECH-01"]).values_list(
            "position", "instrument", "provision", "url"
        )
    ) == [
        (1, "Criminal Code", "Art. 227-22", "https://example.org/cc"),
        (2, "Law 2024-449", "", ""),
    ]

    revisions = AnswerRevision.objects.filter(answer__response=reply)
    assert sorted(revisions.values_list("answer__item__code", "version", "source", "note", "language")) == [
        ("GENAI-01", 1, "import", "Imported from reply.xlsx", "fr"),
        ("ROBOT-01", 1, "import", "Imported from reply.xlsx", "fr"),
        ("TECH-01", 1, "import", "Imported from reply.xlsx", "fr"),
    ]
    assert revisions.get(answer=stored["TECH-01"]).data == stored["TECH-01"].data
    reply.refresh_from_db()
    assert reply.last_activity_by == world.member_a
    assert reply.last_activity_at == stored["GENAI-01"].updated_at


def test_a_second_section_replaces_the_typed_rows_and_raises_each_version(world, reply, tech):
    genai, robot = world.items
    answers_save_section(
        response=reply,
        changes=[
            SectionChange(item=genai, data={"position": "yes", "explanation": "Act of 2019."}, base_version=0),
            SectionChange(item=tech, data={"measures": ["law", "policy"], "cases": "12"}, base_version=0),
        ],
        user=world.member_a,
    )
    answers = answers_save_section(
        response=reply,
        changes=[
            SectionChange(item=genai, data={"position": "no"}, base_version=1),
            SectionChange(item=tech, data={"measures": ["policy"], "cases": "14"}, base_version=1),
            SectionChange(item=robot, data={"position": "yes"}, base_version=0),
        ],
        user=world.head_a,
    )
    assert [(a.item.code, a.version) for a in answers] == [("GENAI-01", 2), ("TECH-01", 2), ("ROBOT-01", 1)]
    assert choices_of(answers[0]) == [("position", "no", None)]
    assert choices_of(answers[1]) == [("measures", "policy", None)]
    assert not AnswerValue.objects.filter(answer=answers[0]).exists()
    assert list(AnswerValue.objects.filter(answer=answers[1]).values_list("number", flat=True)) == [Decimal("14")]
    assert Answer.objects.get(pk=answers[0].pk).updated_by == world.head_a
    assert AnswerRevision.objects.filter(answer__response=reply).count() == 5


def test_one_invalid_item_writes_nothing_and_names_each_item_and_field(world, reply, tech):
    genai, robot = world.items
    with pytest.raises(AnswerInvalid) as invalid:
        answers_save_section(
            response=reply,
            changes=[
                SectionChange(item=genai, data={"position": "yes"}, base_version=0),
                SectionChange(item=robot, data={"position": "maybe"}, base_version=0),
                SectionChange(item=tech, data={"cases": "about forty", "colour": "blue"}, base_version=0),
            ],
            user=world.member_a,
        )
    assert invalid.value.errors == {
        "ROBOT-01.position": "“maybe” is not one of the listed options.",
        "TECH-01.colour": "This item has no field “colour”.",
        "TECH-01.cases": "“about forty” is not a number.",
    }
    assert Answer.objects.count() == 0
    assert AnswerRevision.objects.count() == 0
    assert AnswerChoice.objects.count() == 0
    reply.refresh_from_db()
    assert reply.last_activity_at is None


def test_an_attachment_not_belonging_to_the_answer_is_refused_with_its_item(world, reply, tech):
    with pytest.raises(AnswerInvalid) as invalid:
        answers_save_section(
            response=reply,
            changes=[
                SectionChange(item=world.items[0], data={"position": "yes"}, base_version=0),
                SectionChange(item=tech, data={"evidence": [4242]}, base_version=0),
            ],
            user=world.member_a,
        )
    assert invalid.value.errors == {"TECH-01.evidence": "Unknown attachment."}
    assert Answer.objects.count() == 0


def test_a_stale_base_version_writes_nothing_and_reports_the_current_answer(world, reply):
    genai, robot = world.items
    answer_save(response=reply, item=genai, data={"position": "yes"}, base_version=0, user=world.head_a)
    with pytest.raises(SectionConflict) as conflict:
        answers_save_section(
            response=reply,
            changes=[
                SectionChange(item=robot, data={"position": "no"}, base_version=0),
                SectionChange(item=genai, data={"position": "no"}, base_version=0),
            ],
            user=world.member_a,
        )
    [current] = conflict.value.conflicts
    assert (current.item.code, current.version, current.data) == ("GENAI-01", 1, {"position": "yes"})
    assert current.updated_by == world.head_a
    assert str(conflict.value) == "These answers were changed since you started: GENAI-01 (version 1)."
    assert list(Answer.objects.values_list("item__code", "version", "data")) == [("GENAI-01", 1, {"position": "yes"})]
    assert AnswerRevision.objects.count() == 1


def test_unchanged_items_get_no_new_version_and_no_revision(world, reply):
    genai, robot = world.items
    first = answers_save_section(
        response=reply,
        changes=[
            SectionChange(item=genai, data={"position": "yes"}, base_version=0),
            SectionChange(item=robot, data={"position": "no"}, base_version=0),
        ],
        user=world.member_a,
    )
    again = answers_save_section(
        response=reply,
        changes=[
            SectionChange(item=genai, data={"position": "yes", "explanation": "  "}, base_version=1),
            SectionChange(item=robot, data={"position": "partially"}, base_version=1),
        ],
        user=world.head_a,
    )
    assert [(a.item.code, a.version) for a in again] == [("GENAI-01", 1), ("ROBOT-01", 2)]
    assert again[0].pk == first[0].pk
    assert list(AnswerRevision.objects.filter(answer=first[0]).values_list("version", flat=True)) == [1]
    assert list(AnswerRevision.objects.filter(answer=first[1]).values_list("version", flat=True)) == [2, 1]
    assert Answer.objects.get(pk=first[0].pk).updated_by == world.member_a

    nothing = answers_save_section(
        response=reply,
        changes=[SectionChange(item=genai, data={"position": "yes"}, base_version=1)],
        user=world.head_a,
    )
    assert nothing[0].version == 1
    assert AnswerRevision.objects.count() == 3


def test_a_change_of_language_alone_is_a_new_version(world, reply):
    genai = world.items[0]
    change = SectionChange(item=genai, data={"position": "yes"}, base_version=0)
    answers_save_section(response=reply, changes=[change], user=world.member_a, language="en")
    [answer] = answers_save_section(
        response=reply,
        changes=[SectionChange(item=genai, data={"position": "yes"}, base_version=1)],
        user=world.member_a,
        language="fr",
    )
    assert (answer.version, answer.language) == (2, "fr")


def test_a_locked_reply_is_refused_before_anything_is_written(world, reply):
    Consultation.objects.filter(pk=world.consultation.pk).update(status="closed")
    with pytest.raises(ReplyLocked, match="The consultation is not open for replies"):
        answers_save_section(
            response=reply,
            changes=[SectionChange(item=world.items[0], data={"position": "yes"}, base_version=0)],
            user=world.member_a,
        )
    assert Answer.objects.count() == 0


def test_an_item_of_another_consultation_or_twice_the_same_item_is_refused(world, reply):
    other = f.position_item(f.ConsultationFactory(), code="OTHER-01")
    with pytest.raises(ValueError, match="another consultation"):
        answers_save_section(
            response=reply, changes=[SectionChange(item=other, data={}, base_version=0)], user=world.member_a
        )
    twice = [SectionChange(item=world.items[0], data={"position": "yes"}, base_version=0)] * 2
    with pytest.raises(ValueError, match="twice"):
        answers_save_section(response=reply, changes=twice, user=world.member_a)
    assert Answer.objects.count() == 0


def test_an_empty_section_writes_nothing(world, reply, django_assert_num_queries):
    with django_assert_num_queries(2):  # the transaction's savepoint and its release only
        assert answers_save_section(response=reply, changes=[], user=world.member_a) == []


def _queries_of_two_sections(world, items) -> tuple[int, int]:
    """Queries of a first save of every item (answers created), then of a second (answers updated)."""
    reply = response_get_or_create(consultation=items[0].consultation, party=world.party_a)
    counts = []
    for version, position in ((0, "yes"), (1, "no")):
        changes = [
            SectionChange(
                item=item,
                data={"position": position, "explanation": f"Act {n}, version {version}."},
                base_version=version,
            )
            for n, item in enumerate(items)
        ]
        with CaptureQueriesContext(connection) as queries:
            answers = answers_save_section(response=reply, changes=changes, user=world.member_a)
        assert [a.version for a in answers] == [version + 1] * len(items)
        counts.append(len(queries))
    assert AnswerChoice.objects.filter(answer__response=reply, option__key="no").count() == len(items)
    assert AnswerValue.objects.filter(answer__response=reply).count() == len(items)
    assert AnswerRevision.objects.filter(answer__response=reply).count() == 2 * len(items)
    return counts[0], counts[1]


def test_the_query_count_is_the_same_for_5_and_for_60_items(world):
    small = [f.position_item(f.ConsultationFactory(), code="SMALL-01")]
    small += [f.position_item(small[0].consultation, code=f"SMALL-{n:02d}") for n in range(2, 6)]
    large = [f.position_item(f.ConsultationFactory(), code="LARGE-01")]
    large += [f.position_item(large[0].consultation, code=f"LARGE-{n:02d}") for n in range(2, 61)]

    # savepoint, reply lock, fields, options, answer locks, insert or update, 3 deletes (only when answers
    # existed: a first save has no typed rows to replace) and 2 inserts of typed rows (no legal references
    # here), revisions, reply activity, savepoint release
    assert _queries_of_two_sections(world, small) == (11, 14)
    assert _queries_of_two_sections(world, large) == (11, 14)


def _import_queries(world, items) -> int:
    from consultation.services.offline import ImportPreview, ItemChange, offline_import_apply

    reply = response_get_or_create(consultation=items[0].consultation, party=world.party_a)
    preview = ImportPreview(
        filename="reply-fr.xlsx",
        changes=[
            ItemChange(
                item_id=item.pk,
                item_code=item.code,
                question="",
                file_version=0,
                online_version=0,
                conflict=False,
                data={"position": "partially", "explanation": f"Decree {n} of 2024."},
                fields=[],
            )
            for n, item in enumerate(items)
        ],
    )
    with CaptureQueriesContext(connection) as queries:
        result = offline_import_apply(response=reply, preview=preview, take_file=set(), user=world.member_a)
    assert result.saved == [item.code for item in items]
    assert list(
        AnswerRevision.objects.filter(answer__response=reply).order_by().values_list("source", "note").distinct()
    ) == [("import", "Imported from reply-fr.xlsx")]
    assert Answer.objects.filter(response=reply, data__position="partially").count() == len(items)
    return len(queries)


def test_confirming_an_import_takes_the_same_queries_for_3_and_for_30_items(world):
    small = [f.position_item(f.ConsultationFactory(), code="SMALL-01")]
    small += [f.position_item(small[0].consultation, code=f"SMALL-{n:02d}") for n in range(2, 4)]
    large = [f.position_item(f.ConsultationFactory(), code="LARGE-01")]
    large += [f.position_item(large[0].consultation, code=f"LARGE-{n:02d}") for n in range(2, 31)]
    # the items, one section save (its first: no typed rows to delete), the audit row (item by item it was
    # about 14 queries per item)
    assert (_import_queries(world, small), _import_queries(world, large)) == (15, 15)
