"""The permission matrix: every URL of the project, as every actor, answers the status its area declared.

The URL list comes from the URL configuration itself, so a new URL without a stated expectation fails
``test_every_url_has_an_expectation``. The expectations live beside this file in ``expect_<area>.py`` modules
(see README.md). Each (URL name, method, actor) triple is its own test.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts import access
from tests.access.helpers import enrol_totp
from tests.access.world import (
    PARTY_A_COMMENT_SENTINEL,
    PARTY_A_DRAFT_SENTINEL,
    party_a_comment,
    party_a_draft,
    party_b_submitted,
)

ACTORS = (
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
# Roles outside the States and the Committee: an expectation may leave them out, and then they must be refused
# (any of REFUSED). Only their own pages (stakeholders app) and the pages of every account list them.
OUTSIDE_ROLES = ("stakeholder", "facilitator")
REFUSED = (403, 404, 405)
METHODS = ("get", "post")
# Actors who must never read Party A's draft.
OUTSIDERS_OF_A = ("anonymous", "member_b", "head_b", "committee", "stakeholder", "facilitator")
# Party A's internal comments (the delegation's teamwork) are kept even from the Secretariat and administrators.
OUTSIDERS_OF_A_DELEGATION = (*OUTSIDERS_OF_A, "secretariat", "admin")

# URL prefixes left out of the matrix, each for a stated reason.
EXEMPT_PREFIXES = {
    settings.ADMIN_URL: "Django admin: staff only, its log-in goes through allauth (tests/accounts/test_security.py).",
    "accounts/": "allauth's own pages (log-in, password, e-mail, MFA, sessions): allauth guards them; "
    "tests/accounts covers how they render and refuse.",
    "i18n/": "Django's language switch: public by design, changes only the visitor's own language.",
    "static/": "Static files, public by design.",
    "media/": "Uploads are never served from here; attachments go through access-checked views.",
}

HERE = Path(__file__).resolve().parent


def walk_patterns(patterns: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str | None, str]]:
    """(full URL name or None, route) for every pattern, descending into includes."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk_patterns(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = None
            if pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, route


def is_exempt(route: str) -> bool:
    return any(route.startswith(prefix) for prefix in EXEMPT_PREFIXES)


def project_urls() -> tuple[set[str], set[str]]:
    """The named URLs the matrix must cover, and the routes of unnamed ones (which cannot be covered)."""
    named, unnamed = set(), set()
    for name, route in walk_patterns(get_resolver().url_patterns):
        if is_exempt(route):
            continue
        if name is None:
            unnamed.add(route)
        else:
            named.add(name)
    return named, unnamed


def load_expectations() -> tuple[dict[str, dict], list[str]]:
    """Every ``expect_*.py`` module's EXPECTATIONS, merged; plus the problems found while merging."""
    merged: dict[str, dict] = {}
    problems: list[str] = []
    for path in sorted(HERE.glob("expect_*.py")):
        spec = importlib.util.spec_from_file_location(f"tests.access.{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        expectations = getattr(module, "EXPECTATIONS", None)
        if not isinstance(expectations, dict):
            problems.append(f"{path.name}: no EXPECTATIONS dict")
            continue
        for name, expectation in expectations.items():
            if name in merged:
                problems.append(f"{path.name}: {name} is already declared in {merged[name]['_source']}")
                continue
            merged[name] = {**expectation, "_source": path.name}
    return merged, problems


EXPECTATIONS, MERGE_PROBLEMS = load_expectations()


def expectation_problems(name: str, expectation: dict) -> list[str]:
    problems = []
    if "get" not in expectation:
        problems.append(f"{name}: no 'get' expectations (state the GET status even for POST-only views: 405)")
    unknown_keys = set(expectation) - {"kwargs", "get", "post", "draft_of_party_a", "_source"}
    if unknown_keys:
        problems.append(f"{name}: unknown keys {sorted(unknown_keys)}")
    for method in METHODS:
        statuses = expectation.get(method)
        if statuses is None:
            continue
        missing = [actor for actor in ACTORS if actor not in statuses and actor not in OUTSIDE_ROLES]
        if missing:
            problems.append(f"{name} {method.upper()}: no expected status for {', '.join(missing)}")
        unknown = [actor for actor in statuses if actor not in ACTORS]
        if unknown:
            problems.append(f"{name} {method.upper()}: unknown actors {', '.join(unknown)}")
    return problems


def test_every_url_has_an_expectation():
    named, unnamed = project_urls()
    missing = sorted(named - set(EXPECTATIONS))
    assert not missing, "URLs without an expected status per actor (add them to tests/access/expect_<area>.py):\n" + (
        "\n".join(f"  {name}" for name in missing)
    )
    assert not unnamed, "Unnamed URL patterns cannot be checked; give them a name:\n" + "\n".join(sorted(unnamed))


def test_every_expectation_names_an_existing_url():
    named, _unnamed = project_urls()
    unknown = sorted(f"{name} ({EXPECTATIONS[name]['_source']})" for name in set(EXPECTATIONS) - named)
    assert not unknown, "Expectations for URLs that do not exist (or are exempt):\n" + "\n".join(unknown)


def test_every_expectation_is_complete():
    problems = list(MERGE_PROBLEMS)
    for name, expectation in sorted(EXPECTATIONS.items()):
        problems += expectation_problems(name, expectation)
    assert not problems, "\n".join(problems)


def test_the_checker_itself_refuses_incomplete_expectations():
    """The matrix is only as good as its checks: a forgotten actor, a missing GET or a typo must all be reported."""
    assert expectation_problems("x", {"get": {"anonymous": 302}}) == [
        "x GET: no expected status for member_a, head_a, member_b, head_b, secretariat, committee, admin"
    ]  # the outside roles may be left out: they are then expected to be refused
    assert expectation_problems("x", {"post": dict.fromkeys(ACTORS, 405)}) == [
        "x: no 'get' expectations (state the GET status even for POST-only views: 405)"
    ]
    problems = expectation_problems("x", {"get": {**dict.fromkeys(ACTORS, 200), "comittee": 200}, "gett": {}})
    assert problems == ["x: unknown keys ['gett']", "x GET: unknown actors comittee"]
    named, _unnamed = project_urls()
    assert "accounts:invitations" in named
    assert not any(name.startswith("admin:") or name.startswith("account_") for name in named)


def test_party_a_draft_is_never_promised_to_outsiders():
    """Static half of the draft guarantee: no expectation marked ``draft_of_party_a`` grants it to an outsider."""
    offenders = [
        f"{name}: GET {actor} 200"
        for name, expectation in EXPECTATIONS.items()
        if expectation.get("draft_of_party_a")
        for actor in OUTSIDERS_OF_A
        if expectation.get("get", {}).get(actor) == 200
    ]
    assert not offenders, "Expectations granting Party A's draft to an outsider:\n" + "\n".join(offenders)


def names_party_a_draft(world: Any, kwargs: dict) -> bool:
    """Whether the URL's parameters designate Party A's draft: the kwargs asked for it and name Party A or the
    reply itself. Delegation URLs that only carry a consultation or an item resolve to the viewer's own reply."""
    if not world.touches_party_a_draft:
        return False
    draft = world._party_a_draft
    for key, value in kwargs.items():
        key = key.lower()
        if ("party" in key or "iso2" in key) and value in (world.party_a.pk, world.party_a.iso2):
            return True
        if ("response" in key or "reply" in key) and value == draft.pk:
            return True
    return False


def matrix_cases() -> Iterator[Any]:
    for name in sorted(EXPECTATIONS):
        expectation = EXPECTATIONS[name]
        for method in METHODS:
            if method not in expectation:
                continue
            for actor in ACTORS:
                yield pytest.param(name, method, actor, id=f"{name}-{method}-{actor}")


class _Savepoint:
    """An atomic block held open across tests by a wide-scoped fixture, always rolled back at the end (the
    technique of Django's ``TestCase.setUpTestData``): the per-test transactions of pytest-django nest inside it."""

    def __init__(self, blocker) -> None:
        from django.db import transaction

        self.blocker = blocker
        self.atomic = transaction.atomic()
        with blocker.unblock():
            self.atomic.__enter__()

    def rollback(self) -> None:
        from django.db import transaction

        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory):
    """One media folder for the module: files made for a URL's objects must outlive the first test that made them."""
    from django.test import override_settings

    path = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=path):
        yield path


@pytest.fixture(autouse=True)
def _media_root(settings, matrix_media):
    """Replaces the suite's per-test media folder (tests/conftest.py) with the module's."""
    settings.MEDIA_ROOT = matrix_media


@pytest.fixture(scope="module")
def matrix_base(django_db_setup, django_db_blocker, matrix_media):
    """The two-Party world, built once for the module: Party A's draft (with its sentinel text), Party B's
    submitted reply, and a TOTP authenticator for every actor who must have one."""
    from tests.conftest import world_build

    savepoint = _Savepoint(django_db_blocker)
    try:
        with django_db_blocker.unblock():
            world = world_build()
            party_a_draft(world)
            party_a_comment(world)
            party_b_submitted(world)
            for actor in ACTORS[1:]:
                user = getattr(world, actor)
                if access.requires_mfa(user):
                    enrol_totp(user)
    except BaseException:
        savepoint.rollback()
        raise
    yield world
    savepoint.rollback()


@pytest.fixture(scope="module")
def url_world(request, matrix_base, django_db_blocker):
    """Per URL name: the objects its ``kwargs`` need, created once for all its (method, actor) tests and rolled
    back afterwards. Each test's own changes (a POST that revokes, removes...) roll back after that test."""
    name = request.param
    world = SimpleNamespace(**vars(matrix_base))
    world.touches_party_a_draft = False
    savepoint = _Savepoint(django_db_blocker)
    try:
        with django_db_blocker.unblock():
            kwargs = EXPECTATIONS[name]["kwargs"](world) if EXPECTATIONS[name].get("kwargs") else {}
    except BaseException:
        savepoint.rollback()
        raise
    yield world, kwargs
    savepoint.rollback()


@pytest.mark.parametrize(("url_world", "method", "actor"), list(matrix_cases()), indirect=["url_world"])
def test_matrix(client, db, request, url_world, method, actor):
    name = request.node.callspec.params["url_world"]
    world, kwargs = url_world
    expectation = EXPECTATIONS[name]
    statuses = expectation[method]
    if actor not in statuses and actor not in OUTSIDE_ROLES:
        pytest.fail(f"{name} {method.upper()}: no expected status for {actor} in {expectation['_source']}")
    url = reverse(name, kwargs=kwargs)
    if actor != "anonymous":
        client.force_login(getattr(world, actor))
    response = client.post(url, {}) if method == "post" else client.get(url)

    expected = statuses.get(actor)
    if expected is None:  # an outside role the area did not list: refused, whatever the reason given
        assert response.status_code in REFUSED, (
            f"{method.upper()} {url} as {actor}: got {response.status_code}, expected a refusal {REFUSED} "
            f"({expectation['_source']} does not list {actor})"
        )
    else:
        assert response.status_code == expected, (
            f"{method.upper()} {url} as {actor}: got {response.status_code}, expected {expected} "
            f"({expectation['_source']})"
        )
    if actor == "anonymous" and expected == 302:
        assert response["Location"].startswith(reverse("account_login")), (
            f"anonymous {method.upper()} {url} should be sent to log in, went to {response['Location']}"
        )
    if actor in OUTSIDERS_OF_A:
        if expectation.get("draft_of_party_a") or names_party_a_draft(world, kwargs):
            assert response.status_code != 200, f"{actor} read Party A's draft at {url}"
        if method == "get" and response.status_code == 200 and not getattr(response, "streaming", False):
            assert PARTY_A_DRAFT_SENTINEL not in response.content.decode(errors="replace"), (
                f"{actor} saw Party A's draft text at {url}"
            )
    if actor in OUTSIDERS_OF_A_DELEGATION and method == "get" and response.status_code == 200:
        if not getattr(response, "streaming", False):
            assert PARTY_A_COMMENT_SENTINEL not in response.content.decode(errors="replace"), (
                f"{actor} saw an internal comment of Party A's delegation at {url}"
            )
