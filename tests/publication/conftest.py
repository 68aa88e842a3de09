import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f

MARKER = "ZQXMARKER-confidential-7741"


@pytest.fixture
def docs_item(world):
    item = f.ItemFactory(consultation=world.consultation, code="DOCS-01", order=50)
    f.FieldFactory(item=item, key="documents", type="attachment", order=1, label_en="Documents", label_fr="Documents")
    f.FieldFactory(item=item, key="note", type="text", order=2, label_en="Note", label_fr="Note")
    return item


def answer(reply, item, data, user):
    from consultation.services.answers import answer_save

    current = reply.answers.filter(item=item).first()
    return answer_save(
        response=reply,
        item=item,
        data=data,
        base_version=current.version if current else 0,
        user=user,
        language="en",
    )


def pdf(name: str, text: str = "") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.7\n% " + text.encode() + b"\n%%EOF\n")


@pytest.fixture
def published_world(world, docs_item):
    """Germany (B) submitted: GENAI-01 public, ROBOT-01 marked confidential (with the marker), DOCS-01 with a public
    and a confidential document; published. France (A) submitted with the marker everywhere, never published. A
    third Party (IT) has a draft with the marker."""
    from consultation.services.answers import response_get_or_create
    from consultation.services.attachments import attachment_add
    from consultation.services.confidentiality import Mark, ReplyMarks
    from consultation.services.responses import response_submit
    from publication.services.publish import publication_publish_party

    genai, robot = world.items
    reply_b = response_get_or_create(consultation=world.consultation, party=world.party_b)
    answer(
        reply_b, genai, {"position": "yes", "explanation": "Section 184b covers generated material."}, world.member_b
    )
    answer(reply_b, robot, {"position": "no", "explanation": f"Secret plan {MARKER}"}, world.member_b)
    public_doc = attachment_add(
        response=reply_b, item=docs_item, field_key="documents", upload=pdf("public-annex.pdf"), user=world.member_b
    )
    secret_doc = attachment_add(
        response=reply_b,
        item=docs_item,
        field_key="documents",
        upload=pdf(f"{MARKER}.pdf", MARKER),
        user=world.member_b,
    )
    reply_b.refresh_from_db()
    answer(
        reply_b,
        docs_item,
        {"documents": [public_doc.pk, secret_doc.pk], "note": "Annexes attached."},
        world.member_b,
    )
    response_submit(
        response=reply_b,
        user=world.head_b,
        marks=ReplyMarks(
            answers={robot.pk: Mark(True, "Ongoing legislative work")},
            attachments={secret_doc.pk: Mark(True, "")},
        ),
    )
    reply_a = response_get_or_create(consultation=world.consultation, party=world.party_a)
    for item in world.items:
        answer(reply_a, item, {"position": "yes", "explanation": f"France {MARKER}"}, world.member_a)
    response_submit(response=reply_a, user=world.head_a)
    italy = f.party("IT")
    reply_it = response_get_or_create(consultation=world.consultation, party=italy)
    answer(reply_it, genai, {"position": "yes", "explanation": f"Italy draft {MARKER}"}, world.member_a)
    publication = publication_publish_party(
        consultation=world.consultation, party=world.party_b, user=world.secretariat
    )
    _stakeholders(world)
    world.reply_b, world.reply_a = reply_b, reply_a
    world.public_doc, world.secret_doc = public_doc, secret_doc
    world.publication_b = publication
    world.docs_item = docs_item
    return world


def _stakeholders(world):
    """An NGO with a published comment on Germany's reply, a submitted but unpublished comment and an unpublished
    reply to the questionnaire (both carrying the marker); a second NGO with nothing published."""
    from django.utils import timezone

    from stakeholders.models import StakeholderAnswer, StakeholderComment, StakeholderReply

    now = timezone.now()
    ngo = f.organisation("Child Rights Network")
    hidden = f.organisation("Quiet Network")
    common = {"consultation": world.consultation, "status": "submitted", "submitted_at": now}
    StakeholderComment.objects.create(
        organisation=ngo,
        party=world.party_b,
        item=world.items[0],
        text="The NGO welcomes section 184b.",
        published_at=now,
        **common,
    )
    StakeholderComment.objects.create(organisation=ngo, party=world.party_b, text=f"NGO {MARKER}", **common)
    StakeholderComment.objects.create(organisation=hidden, party=world.party_a, text=f"Quiet {MARKER}", **common)
    reply = StakeholderReply.objects.create(organisation=ngo, **common)
    StakeholderAnswer.objects.create(reply=reply, item=world.items[0], text=f"NGO reply {MARKER}")
    world.ngo_org, world.quiet_org = ngo, hidden
