"""Expected status per actor for the Secretariat's pages (namespace ``secretariat``).

Only the Secretariat reaches them; delegations, the Committee and the administrator (who holds no Secretariat
role) are refused with 403 (these pages are not another Party's object, so nothing is hidden with 404).
State-changing URLs are POST-only (GET answers 405 once signed in); the matrix POSTs an empty body, which the
Secretariat gets back as a redirect with an error message (302) or as the form with its errors (200).
"""

from tests.access.world import party_a_draft, party_b_submitted

ANON_LOGIN = 302
NO = 403


def _everyone(status, **overrides):
    statuses = {
        actor: status for actor in ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")
    }
    return {"anonymous": ANON_LOGIN, **statuses, **overrides}


SECRETARIAT_ONLY = _everyone(NO, secretariat=200)
SECRETARIAT_REDIRECT = _everyone(NO, secretariat=302)
POST_ONLY = _everyone(405)


def _slug(world):
    return {"slug": world.consultation.slug}


def _party_a(world):
    party_a_draft(world)
    return {"slug": world.consultation.slug, "iso2": world.party_a.iso2}


def _party_b(world):
    party_b_submitted(world)
    return {"slug": world.consultation.slug, "iso2": world.party_b.iso2}


def _export_job(world):
    """A finished export of the submitted replies (Party B's), stored under exports/."""
    from consultation.models import ExportJob
    from consultation.services.exports import export_job_run

    if getattr(world, "_export_job", None) is None:
        party_b_submitted(world)
        job = ExportJob.objects.create(
            consultation=world.consultation,
            requested_by=world.secretariat,
            format="csv",
            filters={"state": "submitted", "parties": [], "themes": [], "articles": []},
        )
        world._export_job = export_job_run(job_id=job.pk)
    return {"slug": world.consultation.slug, "pk": world._export_job.pk}


EXPECTATIONS = {
    "secretariat:dashboard": {"get": SECRETARIAT_ONLY, "post": POST_ONLY},
    "secretariat:consultation_create": {"get": SECRETARIAT_ONLY, "post": SECRETARIAT_ONLY},
    "secretariat:state_of_play": {"kwargs": _slug, "get": SECRETARIAT_ONLY, "post": POST_ONLY},
    "secretariat:consultation_duplicate": {"kwargs": _slug, "get": SECRETARIAT_ONLY, "post": SECRETARIAT_ONLY},
    "secretariat:consultation_open": {"kwargs": _slug, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:consultation_close": {"kwargs": _slug, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:consultation_archive": {"kwargs": _slug, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:send_reminders": {"kwargs": _slug, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:party": {"kwargs": _party_a, "get": SECRETARIAT_ONLY, "post": POST_ONLY},
    "secretariat:extend_deadline": {"kwargs": _party_a, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:reopen_reply": {"kwargs": _party_b, "get": POST_ONLY, "post": SECRETARIAT_REDIRECT},
    "secretariat:export": {"kwargs": _slug, "get": SECRETARIAT_ONLY, "post": SECRETARIAT_ONLY},
    "secretariat:export_job": {"kwargs": _export_job, "get": SECRETARIAT_ONLY, "post": POST_ONLY},
    "secretariat:export_download": {"kwargs": _export_job, "get": SECRETARIAT_ONLY, "post": POST_ONLY},
}
