"""Fixtures for the whole suite: media in a temporary folder, and a small two-Party world."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests import factories as f

TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, reliability) ends with a flush of every table, taking the reference data of
    the migrations (Parties, Convention articles) with it: put it back for the tests that follow."""
    yield
    if nextitem is None:  # the last test: nothing follows, and the test database is gone by now
        return
    marker = item.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
    )
    if not transactional:
        return
    from pytest_django.plugin import blocking_manager_key

    from consultation.models import Party
    from consultation.reference import reference_data_load

    with item.config.stash[blocking_manager_key].unblock():
        if not Party.objects.exists():
            reference_data_load()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through the test client leaves its language active in
    the thread (the middleware activates it), and a service called directly afterwards would speak French."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """allauth's rate limits and used TOTP codes live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def background_paper(db):
    """The real 2024 consultation, loaded from the project's data file and opened."""
    from consultation.loader import background_paper_load

    consultation = background_paper_load().consultation
    consultation.status = "open"
    consultation.opens_on = f.ConsultationFactory.opens_on.function()
    consultation.closes_on = f.ConsultationFactory.closes_on.function()
    consultation.save()
    return consultation


@pytest.fixture
def world(db):
    """Two Parties (A = France, B = Germany) with members and heads, the Secretariat, a committee member,
    an administrator, and an open consultation with two items."""
    return world_build()


def world_build() -> SimpleNamespace:
    """The ``world`` fixture's content, callable from wider-scoped fixtures (the permission matrix builds it once
    per module inside a transaction it rolls back)."""
    consultation = f.ConsultationFactory(slug="world-consultation")
    theme = f.ThemeFactory(code="generative-ai")
    item1 = f.position_item(consultation, code="GENAI-01", theme=theme, articles=[20, 21])
    item2 = f.position_item(consultation, code="ROBOT-01", theme=f.ThemeFactory(code="robotics"), articles=[20])
    party_a, party_b = f.party("FR"), f.party("DE")
    admin = f.UserFactory(email="admin@coe.example", is_staff=True, is_superuser=True)
    return SimpleNamespace(
        consultation=consultation,
        items=[item1, item2],
        party_a=party_a,
        party_b=party_b,
        member_a=f.delegate(party_a, role="member", email="member.a@fr.example"),
        head_a=f.delegate(party_a, role="head", email="head.a@fr.example"),
        member_b=f.delegate(party_b, role="member", email="member.b@de.example"),
        head_b=f.delegate(party_b, role="head", email="head.b@de.example"),
        secretariat=f.secretariat_user(email="secretariat@coe.example"),
        committee=f.committee_user(email="committee@coe.example"),
        admin=admin,
        stakeholder=f.stakeholder_user(f.organisation("Child Rights Network"), email="advocacy@crn.example"),
        facilitator=f.facilitator_user(email="facilitator@coe.example"),
    )
