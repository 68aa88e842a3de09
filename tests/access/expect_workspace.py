"""Expected status per actor for the delegation workspace (namespace ``consultation``).

Delegation URLs never name a Party: member B and head B reach *their own* Party's reply (submitted, so locked),
never A's. People without a delegation (Secretariat, Committee, administrator) get 404 on every reply URL; the
Secretariat reads replies on its own pages, but may download an attachment of any reply (``can_view_response``).
The matrix POSTs an empty body: an autosave without ``base_version`` answers 400 for A and 423 (locked) for B;
the submission form without the confirmation answers 422 for head A.
"""

from tests.access.world import party_a_comment, party_a_draft, party_b_submitted

ANON_LOGIN = 302
NO_DELEGATION = {"secretariat": 404, "committee": 404, "admin": 404}
METHOD_NOT_ALLOWED = {
    "anonymous": ANON_LOGIN,
    "member_a": 405,
    "head_a": 405,
    "member_b": 405,
    "head_b": 405,
    "secretariat": 405,
    "committee": 405,
    "admin": 405,
}
OWN_REPLY_READ = {
    "anonymous": ANON_LOGIN,
    "member_a": 200,
    "head_a": 200,
    "member_b": 200,
    "head_b": 200,
    **NO_DELEGATION,
}
ITEM_CODE = "GENAI-01"


def _slug(world):
    """B's reply is submitted; B's actors read their own reply here, so these URLs are not "A's draft" URLs
    (the matrix still checks that no page shows A's draft text to B)."""
    party_b_submitted(world)
    return {"slug": world.consultation.slug}


def _item(world):
    return {**_slug(world), "code": ITEM_CODE}


def _version(world):
    party_a_draft(world)
    return {**_item(world), "version": 1}


def _attachment_of_a(world):
    """A document attached to one of Party A's answers (a PDF, checked by content like any upload)."""
    existing = getattr(world, "_attachment_a", None)
    if existing is not None:
        return existing
    from django.core.files.uploadedfile import SimpleUploadedFile

    from consultation.services.attachments import attachment_add
    from tests import factories as f

    response = party_a_draft(world)
    party_b_submitted(world)
    item = f.ItemFactory(consultation=world.consultation, code="DOCS-MATRIX")
    f.FieldFactory(item=item, key="documents", type="attachment")
    upload = SimpleUploadedFile("criminal-code.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    world._attachment_a = attachment_add(
        response=response, item=item, field_key="documents", upload=upload, user=world.member_a
    )
    return world._attachment_a


OWN_RECEIPT = {
    "anonymous": ANON_LOGIN,
    "member_a": 404,
    "head_a": 404,
    "member_b": 200,
    "head_b": 200,
    **NO_DELEGATION,
}

EXPECTATIONS = {
    "consultation:home": {
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 200,
            "head_a": 200,
            "member_b": 200,
            "head_b": 200,
            "secretariat": 403,
            "committee": 403,
            "admin": 403,
        },
        "post": METHOD_NOT_ALLOWED,
    },
    "consultation:reply": {"kwargs": _slug, "get": OWN_REPLY_READ, "post": METHOD_NOT_ALLOWED},
    "consultation:review": {"kwargs": _slug, "get": OWN_REPLY_READ, "post": METHOD_NOT_ALLOWED},
    # The receipt of the submission: the Party's own delegation, head and members. A's reply is a draft (no
    # submission: 404); B's is submitted (200); nobody without a delegation.
    "consultation:receipt": {"kwargs": _slug, "get": OWN_RECEIPT, "post": METHOD_NOT_ALLOWED},
    "consultation:receipt_pdf": {"kwargs": _slug, "get": OWN_RECEIPT, "post": METHOD_NOT_ALLOWED},
    # The reply page's section form. An empty body names no item: 400 for A (the page again, with the reason);
    # B's reply is submitted: 423 (locked).
    "consultation:section_save": {
        "kwargs": _slug,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 400,
            "head_a": 400,
            "member_b": 423,
            "head_b": 423,
            **NO_DELEGATION,
        },
    },
    "consultation:mark_ready": {
        "kwargs": _slug,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 403,
            "head_b": 403,
            **NO_DELEGATION,
        },
    },
    "consultation:submit": {
        "kwargs": _slug,
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 200,
            "member_b": 403,
            "head_b": 403,
            **NO_DELEGATION,
        },
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 403,
            "head_a": 422,
            "member_b": 403,
            "head_b": 403,
            **NO_DELEGATION,
        },
    },
    "consultation:item": {
        "kwargs": _item,
        "get": OWN_REPLY_READ,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 400,
            "head_a": 400,
            "member_b": 423,
            "head_b": 423,
            **NO_DELEGATION,
        },
    },
    "consultation:answer_save": {
        "kwargs": _item,
        "get": OWN_REPLY_READ,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 400,
            "head_a": 400,
            "member_b": 423,
            "head_b": 423,
            **NO_DELEGATION,
        },
    },
    "consultation:answer_history": {"kwargs": _item, "get": OWN_REPLY_READ, "post": METHOD_NOT_ALLOWED},
    "consultation:answer_restore": {
        "kwargs": _version,
        "get": METHOD_NOT_ALLOWED,
        # A: restoring without the current version is refused as a conflict (message, redirect); B: locked.
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 302,
            "head_b": 302,
            **NO_DELEGATION,
        },
    },
    "consultation:answer_no_change": {
        "kwargs": _item,
        "get": METHOD_NOT_ALLOWED,
        # A: this round continues no earlier one, nothing to confirm (message, redirect); B: locked (same).
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 302,
            "head_b": 302,
            **NO_DELEGATION,
        },
    },
    "consultation:attachment_upload": {
        "kwargs": _item,
        "get": METHOD_NOT_ALLOWED,
        # No file: a message and a redirect back to the item (A); B's reply is locked (message, redirect).
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 302,
            "head_b": 302,
            **NO_DELEGATION,
        },
    },
    "consultation:attachment_delete": {
        "kwargs": lambda world: {"slug": world.consultation.slug, "pk": _attachment_of_a(world).pk},
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 404,
            "head_b": 404,
            **NO_DELEGATION,
        },
    },
    "consultation:attachment_download": {
        "kwargs": lambda world: {"pk": _attachment_of_a(world).pk},
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 200,
            "head_a": 200,
            "member_b": 404,
            "head_b": 404,
            "secretariat": 200,
            "committee": 404,
            "admin": 404,
        },
        "post": METHOD_NOT_ALLOWED,
    },
    "consultation:article": {
        "kwargs": lambda world: {"number": 20},
        "get": {
            "anonymous": ANON_LOGIN,
            "member_a": 200,
            "head_a": 200,
            "member_b": 200,
            "head_b": 200,
            "secretariat": 200,
            "committee": 200,
            "admin": 200,
            "stakeholder": 200,  # the short article pages are for any signed-in person
            "facilitator": 200,
        },
        "post": METHOD_NOT_ALLOWED,
    },
    # The delegation's teamwork: internal to each delegation; people without one get 404, like the reply pages.
    # B's reply is submitted: B reads its own team pages and may comment, but no longer assigns or signals presence.
    "consultation:item_team": {"kwargs": _item, "get": OWN_REPLY_READ, "post": METHOD_NOT_ALLOWED},
    "consultation:item_assign": {
        "kwargs": _item,
        "get": METHOD_NOT_ALLOWED,
        "post": {  # an empty body: no status chosen
            "anonymous": ANON_LOGIN,
            "member_a": 422,
            "head_a": 422,
            "member_b": 403,
            "head_b": 403,
            **NO_DELEGATION,
        },
    },
    "consultation:item_comment": {
        "kwargs": _item,
        "get": METHOD_NOT_ALLOWED,
        "post": {  # an empty body: no comment written
            "anonymous": ANON_LOGIN,
            "member_a": 422,
            "head_a": 422,
            "member_b": 422,
            "head_b": 422,
            **NO_DELEGATION,
        },
    },
    "consultation:comment_resolve": {
        "kwargs": lambda world: {"slug": _slug(world)["slug"], "pk": party_a_comment(world).pk},
        "draft_of_party_a": True,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 302,
            "head_a": 302,
            "member_b": 404,
            "head_b": 404,
            **NO_DELEGATION,
        },
    },
    "consultation:presence": {
        "kwargs": _slug,
        "get": METHOD_NOT_ALLOWED,
        "post": {
            "anonymous": ANON_LOGIN,
            "member_a": 200,
            "head_a": 200,
            "member_b": 403,
            "head_b": 403,
            **NO_DELEGATION,
        },
    },
}
