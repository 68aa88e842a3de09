"""Expected status per actor for the comparative reports (namespace ``reports``).

Reports are the Secretariat's and the Committee's: delegations and the administrator (without a role) are
refused with 403 on pages, and get 404 for a report version (a draft's existence is not revealed). The
Committee reads published versions only. The matrix builds two real reports from the world's submitted data:
Article 20 (published) and the Generative AI theme (a draft).
"""

ANON_LOGIN = 302
NO = 403
HIDDEN = 404


def _build(world, text: str, *, publish: bool):
    from reports.selectors.scopes import scope_parse
    from reports.services.builds import report_build_now, report_version_publish

    cache = f"_report_{text}"
    if getattr(world, cache, None) is None:
        scope = scope_parse(consultation=world.consultation, text=text)
        run = report_build_now(consultation=world.consultation, scope=scope, formats=["xlsx"])
        version = run.version
        if publish:
            version = report_version_publish(version=version, user=world.secretariat)
        setattr(world, cache, version)
    return getattr(world, cache)


def published(world):
    return _build(world, "article:20", publish=True)


def draft(world):
    return _build(world, "theme:generative-ai", publish=False)


def _everyone(status, **overrides):
    statuses = {
        actor: status for actor in ("member_a", "head_a", "member_b", "head_b", "secretariat", "committee", "admin")
    }
    return {"anonymous": ANON_LOGIN, **statuses, **overrides}


POST_ONLY = _everyone(405)
SECRETARIAT_POSTS = _everyone(NO, secretariat=302)

EXPECTATIONS = {
    "reports:index": {"get": _everyone(NO, secretariat=200, committee=200), "post": _everyone(405)},
    "reports:build": {
        "kwargs": lambda world: {"slug": world.consultation.slug},
        "get": POST_ONLY,
        "post": SECRETARIAT_POSTS,
    },
    "reports:build_all": {
        "kwargs": lambda world: {"slug": world.consultation.slug},
        "get": POST_ONLY,
        "post": SECRETARIAT_POSTS,
    },
    "reports:run_status": {
        "kwargs": lambda world: {"run_id": draft(world).run_id},
        "get": _everyone(NO, secretariat=200),
        "post": _everyone(405),
    },
    "reports:retry": {
        "kwargs": lambda world: {"run_id": draft(world).run_id},
        "get": POST_ONLY,
        "post": SECRETARIAT_POSTS,
    },
    "reports:report": {
        "kwargs": lambda world: {"report_id": published(world).report_id},
        "get": _everyone(NO, secretariat=302, committee=302),
        "post": _everyone(405),
    },
    "reports:report_row": {
        "kwargs": lambda world: {"report_id": draft(world).report_id},
        "get": _everyone(NO, secretariat=200),
        "post": _everyone(405),
    },
    "reports:versions": {
        "kwargs": lambda world: {"report_id": draft(world).report_id},
        "get": _everyone(NO, secretariat=200, committee=HIDDEN),
        "post": _everyone(405),
    },
    "reports:version": {
        "kwargs": lambda world: {"version_id": published(world).pk},
        "get": _everyone(HIDDEN, secretariat=200, committee=200),
        "post": _everyone(405),
    },
    "reports:publish": {
        "kwargs": lambda world: {"version_id": draft(world).pk},
        "get": POST_ONLY,
        "post": SECRETARIAT_POSTS,
    },
    "reports:version_details": {
        "kwargs": lambda world: {"version_id": draft(world).pk},
        "get": POST_ONLY,
        "post": SECRETARIAT_POSTS,
    },
    "reports:series": {
        "kwargs": lambda world: {"slug": world.consultation.slug},
        "get": _everyone(NO, secretariat=200),
        "post": _everyone(NO, secretariat=400),
    },
    "reports:download": {
        "kwargs": lambda world: {"version_id": draft(world).pk, "language": "fr", "fmt": "xlsx"},
        "get": _everyone(HIDDEN, secretariat=200),
        "post": _everyone(405),
    },
}
