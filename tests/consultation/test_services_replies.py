import datetime

import pytest
from django.utils import timezone

from consultation.answer_values import AnswerInvalid
from consultation.models import AnswerChoice, AnswerRevision, AnswerValue, Response, ResponseSubmission
from consultation.services.answers import (
    AnswerConflict,
    ReplyLocked,
    answer_restore,
    answer_save,
    response_get_or_create,
)
from consultation.services.responses import (
    InvalidTransition,
    SubmissionIncomplete,
    response_reopen,
    response_submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reply(world):
    return response_get_or_create(consultation=world.consultation, party=world.party_a)


def test_saving_a_draft_writes_the_value_a_revision_and_typed_rows(world, reply):
    item = world.items[0]
    answer = answer_save(
        response=reply,
        item=item,
        data={"position": "partially", "explanation": " Criminal Code, s. 201. "},
        base_version=0,
        user=world.member_a,
        language="en",
    )
    assert answer.version == 1
    assert answer.data == {"position": "partially", "explanation": "Criminal Code, s. 201."}
    assert answer.is_complete is True
    assert list(AnswerChoice.objects.filter(answer=answer).values_list("option__key", flat=True)) == ["partially"]
    assert AnswerValue.objects.get(answer=answer).text == "Criminal Code, s. 201."
    assert AnswerRevision.objects.filter(answer=answer).count() == 1
    reply.refresh_from_db()
    assert reply.last_activity_by == world.member_a


def test_a_save_against_an_older_version_is_refused_with_the_current_answer(world, reply):
    item = world.items[0]
    answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    with pytest.raises(AnswerConflict) as conflict:
        answer_save(response=reply, item=item, data={"position": "no"}, base_version=0, user=world.head_a)
    assert conflict.value.current.data == {"position": "yes"}
    assert conflict.value.current.version == 1


def test_an_unknown_option_is_refused_and_nothing_is_written(world, reply):
    with pytest.raises(AnswerInvalid) as invalid:
        answer_save(
            response=reply, item=world.items[0], data={"position": "maybe"}, base_version=0, user=world.member_a
        )
    assert "position" in invalid.value.errors
    assert AnswerRevision.objects.count() == 0


def test_restore_brings_back_an_earlier_version_as_a_new_one(world, reply):
    item = world.items[0]
    answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    answer = answer_save(response=reply, item=item, data={"position": "no"}, base_version=1, user=world.member_a)
    restored = answer_restore(answer=answer, version=1, base_version=2, user=world.head_a)
    assert restored.version == 3
    assert restored.data == {"position": "yes"}
    assert AnswerRevision.objects.get(answer=restored, version=3).source == "restore"


def test_submission_is_refused_while_required_fields_are_missing(world, reply):
    answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=0, user=world.member_a)
    with pytest.raises(SubmissionIncomplete) as incomplete:
        response_submit(response=reply, user=world.head_a)
    assert [(m["item"].code, m["field"].key) for m in incomplete.value.missing] == [("ROBOT-01", "position")]
    reply.refresh_from_db()
    assert reply.status == "draft"


def test_submission_locks_the_reply_and_keeps_a_snapshot(world, reply, django_capture_on_commit_callbacks):
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "no"}, base_version=0, user=world.member_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        submission = response_submit(response=reply, user=world.head_a)
    assert len(callbacks) == 2  # the report rebuild and the receipt e-mail
    reply.refresh_from_db()
    assert reply.status == "submitted"
    assert reply.submitted_by == world.head_a
    assert submission.snapshot["GENAI-01"]["data"] == {"position": "no"}
    world.consultation.refresh_from_db()
    assert world.consultation.data_version == 1
    with pytest.raises(ReplyLocked):
        answer_save(response=reply, item=world.items[0], data={"position": "yes"}, base_version=1, user=world.head_a)


def test_submission_after_the_deadline_needs_an_extension(world, reply):
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    world.consultation.closes_on = timezone.localdate() - datetime.timedelta(days=1)
    world.consultation.save()
    reply.refresh_from_db()
    with pytest.raises(ReplyLocked):
        response_submit(response=reply, user=world.head_a)
    Response.objects.filter(pk=reply.pk).update(extended_until=timezone.localdate() + datetime.timedelta(days=3))
    response_submit(response=reply, user=world.head_a)
    assert ResponseSubmission.objects.filter(response=reply).count() == 1


def test_reopening_needs_a_reason_and_a_submitted_reply(world, reply):
    with pytest.raises(InvalidTransition):
        response_reopen(response=reply, user=world.secretariat, reason="Missing statistics")
    for item in world.items:
        answer_save(response=reply, item=item, data={"position": "yes"}, base_version=0, user=world.member_a)
    response_submit(response=reply, user=world.head_a)
    with pytest.raises(InvalidTransition):
        response_reopen(response=reply, user=world.secretariat, reason="  ")
    reopened = response_reopen(response=reply, user=world.secretariat, reason="Please add the 2023 statistics.")
    assert reopened.status == "reopened"
    assert reopened.reopen_reason == "Please add the 2023 statistics."


def test_the_answer_records_the_language_it_is_written_in(world, reply):
    answer = answer_save(
        response=reply,
        item=world.items[0],
        data={"position": "yes"},
        base_version=0,
        user=world.member_a,
        language="fr",
    )
    assert answer.language == "fr"
    assert AnswerRevision.objects.get(answer=answer).language == "fr"


def test_a_draft_save_keeps_attachments_that_the_form_does_not_carry(world, reply):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultation.services.answers import answer_save_draft
    from consultation.services.attachments import attachment_add
    from tests import factories as f

    item = f.ItemFactory(consultation=world.consultation, code="DOCS-02")
    f.FieldFactory(item=item, key="documents", type="attachment")
    f.FieldFactory(item=item, key="note", type="text")
    pdf = SimpleUploadedFile("code.pdf", b"%PDF-1.7\n%%EOF\n")
    attachment = attachment_add(response=reply, item=item, field_key="documents", upload=pdf, user=world.member_a)
    answer = answer_save_draft(
        response=reply, item=item, data={"note": "See annex"}, base_version=1, user=world.member_a, language="en"
    )
    assert answer.data == {"documents": [attachment.pk], "note": "See annex"}


def test_restoring_a_version_drops_documents_removed_since(world, reply):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultation.services.attachments import attachment_add, attachment_remove
    from tests import factories as f

    item = f.ItemFactory(consultation=world.consultation, code="DOCS-03")
    f.FieldFactory(item=item, key="documents", type="attachment")
    pdf = SimpleUploadedFile("code.pdf", b"%PDF-1.7\n%%EOF\n")
    attachment = attachment_add(response=reply, item=item, field_key="documents", upload=pdf, user=world.member_a)
    answer = attachment_remove(attachment=attachment, user=world.member_a)
    restored = answer_restore(answer=answer, version=1, base_version=2, user=world.member_a)
    assert (restored.version, restored.data) == (2, {})  # the removed document cannot come back: nothing changes


def test_only_the_head_of_delegation_may_submit(world, reply):
    from accounts import access

    assert access.can_submit_response(world.head_a, reply) is True
    assert access.can_submit_response(world.member_a, reply) is False
    assert access.can_submit_response(world.head_b, reply) is False
    assert access.can_submit_response(world.secretariat, reply) is False


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e-400", "“1e-400” has more than 4 decimal places: round it to 4 at most."),
        ("0.00001", "“0.00001” has more than 4 decimal places: round it to 4 at most."),
        ("-3", "“-3” is below 0: this field counts or measures something, so it cannot be negative."),
        ("1e16", "“1e16” is not a number in range."),
    ],
)
def test_a_number_is_refused_beyond_its_bounds_and_precision(world, reply, value, message):
    """1e-400 was stored as a 400-digit number, and a count accepted -3."""
    from tests.consultation.offline_world import all_types_item

    item = all_types_item(world.consultation)
    with pytest.raises(AnswerInvalid) as refused:
        answer_save(response=reply, item=item, data={"cases": value}, base_version=0, user=world.member_a)
    assert refused.value.errors == {"cases": message}
    assert not AnswerValue.objects.exists()


@pytest.mark.parametrize(
    ("value", "stored"), [("12", "12"), ("0", "0"), ("2.5000", "2.5"), ("1 234,5678", "1234.5678")]
)
def test_a_number_within_bounds_is_stored_exactly(world, reply, value, stored):
    from decimal import Decimal

    from tests.consultation.offline_world import all_types_item

    item = all_types_item(world.consultation)
    answer = answer_save(response=reply, item=item, data={"cases": value}, base_version=0, user=world.member_a)
    assert answer.data == {"cases": stored}
    assert AnswerValue.objects.get(answer=answer).number == Decimal(stored)
