"""Expected status per actor for the follow-up and compliance pages (namespace ``followup``).

Like the Analysis, these are the Committee's and the Secretariat's: delegations and the administrator get 403,
anonymous visitors are sent to log in. Only the Secretariat generates the follow-up round; the Secretariat and
the consultation's rapporteurs (the committee member, rapporteur of GENAI-01 in this world) record assessments:
an empty POST is shown again with its error (422). R1 is adopted and addressed to Party A only: its assessment
page for Party B does not exist (404 for those who may read the grid).
"""

from tests.access.expect_monitoring import _setup as monitoring_setup

ANON_LOGIN = 302
NO = 403


def _everyone(status, **overrides):
    statuses = {
        actor: status for actor in ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")
    }
    return {"anonymous": ANON_LOGIN, **statuses, **overrides}


def _setup(world):
    existing = getattr(world, "_followup", None)
    if existing is not None:
        return existing
    import datetime

    from django.utils import timezone

    from monitoring.services.recommendations import recommendation_create, recommendation_transition

    monitoring_setup(world)
    rec = recommendation_create(
        consultation=world.consultation,
        strength="urges",
        text_en="Parties to act.",
        user=world.committee,
        addressees=[world.party_a],
    )
    recommendation_transition(recommendation=rec, action="propose", user=world.committee)
    recommendation_transition(
        recommendation=rec,
        action="adopt",
        user=world.secretariat,
        meeting="Plenary",
        adopted_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    world._followup = {"recommendation": rec}
    return world._followup


def slug(world):
    _setup(world)
    return {"slug": world.consultation.slug}


def assess(iso2):
    def kwargs(world):
        return {"slug": world.consultation.slug, "pk": _setup(world)["recommendation"].pk, "iso2": iso2}

    return kwargs


def recommendation_file(world):
    return {"slug": world.consultation.slug, "pk": _setup(world)["recommendation"].pk, "fmt": "docx"}


def party_file(world):
    _setup(world)
    return {"slug": world.consultation.slug, "iso2": "FR", "fmt": "docx"}


READ = _everyone(NO, secretariat=200, committee=200)
POST_ONLY = _everyone(405)

EXPECTATIONS = {
    "followup:overview": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    # Generating: the world's consultation has R1 adopted; the round is created and the page redirects.
    "followup:generate": {"kwargs": slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
    "followup:compliance": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    "followup:assess": {
        "kwargs": assess("FR"),
        "get": READ,
        "post": _everyone(NO, secretariat=422, committee=422),
    },
    "followup:recommendation_report": {"kwargs": recommendation_file, "get": READ, "post": POST_ONLY},
    "followup:party_report": {"kwargs": party_file, "get": READ, "post": POST_ONLY},
    "followup:changes": {"kwargs": slug, "get": READ, "post": POST_ONLY},
}
