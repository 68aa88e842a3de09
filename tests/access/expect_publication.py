"""Expected status per actor for publication (namespace ``publication``, the Secretariat's decisions) and the public
site (namespace ``public``, no log-in).

The public site answers 200 to everyone, anonymous visitors included, for what is published: the matrix publishes
Party B's submitted reply. Party A's draft is never published: its Party page answers 404 to everyone, the
Secretariat included (the public site shows what the public sees). A document id that is not published answers 404.
A published public edition of the overview report (counting Party B only) is downloadable by everyone.
"""

from tests.access.world import party_a_draft, party_b_submitted, public_report_edition

ANON_LOGIN = 302
NO = 403
HIDDEN = 404


def published_b(world):
    from publication.services.publish import publication_publish_party

    existing = getattr(world, "_published_b", None)
    if existing is None:
        party_b_submitted(world)
        existing = publication_publish_party(
            consultation=world.consultation, party=world.party_b, user=world.secretariat
        )
        world._published_b = existing
    return existing


def _everyone(status, **overrides):
    statuses = {
        actor: status for actor in ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")
    }
    return {"anonymous": ANON_LOGIN, **statuses, **overrides}


def _public(status):
    """The public site answers everyone alike, the stakeholder and facilitator roles included."""
    return {
        actor: status
        for actor in (
            "anonymous",
            "member_a",
            "head_a",
            "member_b",
            "head_b",
            "secretariat",
            "committee",
            "admin",
            "stakeholder",
            "facilitator",
        )
    }


def _slug(world):
    published_b(world)
    return {"slug": world.consultation.slug}


def _a_draft(world):
    published_b(world)
    party_a_draft(world)
    return {"slug": world.consultation.slug, "iso2": world.party_a.iso2}


POST_ONLY = _everyone(405)

EXPECTATIONS = {
    "publication:overview": {"kwargs": _slug, "get": _everyone(NO, secretariat=200)},
    "publication:publish": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=HIDDEN)},
    "publication:withdraw": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=HIDDEN)},
    "publication:confidential_default": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
    # an empty form names no report: the request is refused with a message (302); no edition to publish: 404
    "publication:edition_request": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
    "publication:edition_publish": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=HIDDEN)},
    "publication:edition_withdraw": {"kwargs": _slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=HIDDEN)},
    "public:index": {"get": _public(200)},
    "public:consultation": {"kwargs": _slug, "get": _public(200)},
    "public:search": {"kwargs": _slug, "get": _public(200)},
    "public:state_reply": {
        "kwargs": lambda world: {**_slug(world), "iso2": world.party_b.iso2},
        "get": _public(200),
    },
    "public:state_reply_version": {
        "kwargs": lambda world: {**_a_draft(world), "number": 1},
        "draft_of_party_a": True,
        "get": _public(HIDDEN),
    },
    "public:item_replies": {
        "kwargs": lambda world: {**_slug(world), "code": world.items[0].code},
        "get": _public(200),
    },
    "public:stakeholder": {
        "kwargs": lambda world: {**_slug(world), "organisation_id": 987654},
        "get": _public(HIDDEN),
    },
    "public:document": {"kwargs": lambda world: {"pk": 987654}, "get": _public(HIDDEN)},
    "public:report_document": {
        "kwargs": lambda world: {
            **_slug(world),
            "version_id": public_report_edition(world).pk,
            "language": "fr",
            "fmt": "xlsx",
        },
        "get": _public(200),
    },
}
