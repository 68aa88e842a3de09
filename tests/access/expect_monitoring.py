"""Expected status per actor for the rapporteurs' Analysis pages (namespace ``monitoring``).

The Analysis is the Committee's and the Secretariat's: delegations and the administrator (who holds neither
role) get 403 everywhere, anonymous visitors are sent to log in. In this world the committee member is
rapporteur of the first item (GENAI-01) only, so they code it (302 back to the page) and are refused the
second item's rapporteur actions (403, the ``final`` URL; the Secretariat may only reopen a final coding, and
the empty POST asks to reopen an open one: a message, 302). Party B's submitted reply carries one coding; the
Secretariat reads, appoints rapporteurs, imports codebooks and records adoptions, but does not code.
"""

ANON_LOGIN = 302
NO = 403


def _everyone(status, **overrides):
    statuses = {
        actor: status for actor in ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")
    }
    return {"anonymous": ANON_LOGIN, **statuses, **overrides}


def _setup(world):
    """Committee member rapporteur of GENAI-01, one code, one coding of Party B's reply, one draft recommendation."""
    from tests.access.world import party_b_submitted

    existing = getattr(world, "_monitoring", None)
    if existing is not None:
        return existing
    from monitoring.services.assignments import rapporteur_assign
    from monitoring.services.codebook import code_create
    from monitoring.services.codings import coding_apply
    from monitoring.services.recommendations import recommendation_create

    reply = party_b_submitted(world)
    assignment = rapporteur_assign(
        consultation=world.consultation, user=world.committee, item=world.items[0], acting_user=world.secretariat
    )
    code = code_create(consultation=world.consultation, name_en="Criminalised", user=world.secretariat)
    (coding,) = coding_apply(
        response=reply,
        item=world.items[0],
        field=world.items[0].fields.get(key="explanation"),
        start=0,
        end=12,
        codes=[code],
        user=world.committee,
    )
    recommendation = recommendation_create(
        consultation=world.consultation, strength="invites", text_en="Parties to review.", user=world.committee
    )
    from django.core.files.base import ContentFile

    from monitoring.models import BuildStatus, ImplementationReport, ImplementationReportFile

    build = ImplementationReport.objects.create(consultation=world.consultation, number=1, status=BuildStatus.DONE)
    edition = ImplementationReportFile(report=build, language="en", format="html", size=13)
    edition.file.save("implementation-report-1-en.html", ContentFile(b"<p>Report</p>"), save=True)
    world._monitoring = {
        "assignment": assignment,
        "coding": coding,
        "recommendation": recommendation,
        "build": build,
    }
    return world._monitoring


def slug(world):
    _setup(world)
    return {"slug": world.consultation.slug}


def item(index):
    def kwargs(world):
        _setup(world)
        return {"slug": world.consultation.slug, "item_id": world.items[index].pk}

    return kwargs


def coding(world):
    return {"coding_id": _setup(world)["coding"].pk}


def recommendation(world):
    return {"pk": _setup(world)["recommendation"].pk}


def edition(world):
    return {"pk": _setup(world)["build"].pk, "language": "en", "fmt": "html"}


def assignment(world):
    return {"pk": _setup(world)["assignment"].pk}


READ = _everyone(NO, secretariat=200, committee=200)
POST_ONLY = _everyone(405)
RAPPORTEUR_POSTS = _everyone(NO, committee=302)

EXPECTATIONS = {
    "monitoring:home": {"get": READ, "post": POST_ONLY},
    "monitoring:item": {"kwargs": item(0), "get": READ, "post": POST_ONLY},
    "monitoring:code": {"kwargs": item(0), "get": POST_ONLY, "post": RAPPORTEUR_POSTS},
    "monitoring:final": {"kwargs": item(1), "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
    "monitoring:observations": {"kwargs": item(0), "get": READ, "post": RAPPORTEUR_POSTS},
    "monitoring:history": {"kwargs": item(0), "get": READ, "post": POST_ONLY},
    "monitoring:comment": {"kwargs": item(0), "get": POST_ONLY, "post": RAPPORTEUR_POSTS},
    # The Secretariat records the Committee's adoption of observations (an empty form: refused with a message, 302).
    "monitoring:observations_adoption": {
        "kwargs": item(0),
        "get": POST_ONLY,
        "post": _everyone(NO, secretariat=302),
    },
    "monitoring:coding_delete": {"kwargs": coding, "get": POST_ONLY, "post": RAPPORTEUR_POSTS},
    "monitoring:coding_reanchor": {"kwargs": coding, "get": POST_ONLY, "post": RAPPORTEUR_POSTS},
    "monitoring:matrix": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    "monitoring:quotes": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    "monitoring:codebook": {"kwargs": slug, "get": READ, "post": _everyone(NO, secretariat=302, committee=302)},
    "monitoring:codebook_export": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    "monitoring:codebook_import": {"kwargs": slug, "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
    "monitoring:codings_export": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    "monitoring:recommendations": {"kwargs": slug, "get": READ, "post": POST_ONLY},
    # An empty form is shown again with its error: 200.
    "monitoring:recommendation_new": {"kwargs": slug, "get": READ, "post": READ},
    "monitoring:recommendation": {"kwargs": recommendation, "get": READ, "post": READ},
    "monitoring:recommendation_status": {
        "kwargs": recommendation,
        "get": POST_ONLY,
        "post": _everyone(NO, secretariat=302, committee=302),
    },
    # Secretariat and the consultation's rapporteur may ask for a build (here refused with a message: nothing is
    # adopted yet, 302 back to the page); the Committee and the Secretariat read and download the editions.
    "monitoring:implementation_report": {
        "kwargs": slug,
        "get": READ,
        "post": _everyone(NO, secretariat=302, committee=302),
    },
    "monitoring:implementation_report_file": {"kwargs": edition, "get": READ, "post": POST_ONLY},
    "monitoring:rapporteurs": {
        "kwargs": slug,
        "get": _everyone(NO, secretariat=200),
        "post": _everyone(NO, secretariat=302),
    },
    "monitoring:rapporteur_remove": {"kwargs": assignment, "get": POST_ONLY, "post": _everyone(NO, secretariat=302)},
}
