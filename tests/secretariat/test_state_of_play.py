"""The state of play: exact counts per cell and in the summary, filters, sorting, constant queries."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultation.models import Party
from consultation.selectors.state_of_play import clean_filters, state_of_play
from tests.secretariat.conftest import after_deadline

pytestmark = pytest.mark.django_db

ACTIVE_PARTIES = 47  # 48 Parties in the reference data, one of them inactive


def _row(play_, iso2):
    return next(r for r in play_.rows if r.iso2 == iso2)


def test_each_cell_counts_answered_and_complete_items_per_theme(world, play):
    result = state_of_play(consultation=world.consultation)
    assert [t.code for t in result.themes] == ["generative-ai", "robotics"]
    assert [t.items for t in result.themes] == [1, 1]
    fr, de, it, pt = (_row(result, code) for code in ("FR", "DE", "IT", "PT"))
    assert [(c.answered, c.complete, c.state, c.label) for c in fr.cells] == [
        (1, 1, "complete", "Complete"),
        (1, 1, "complete", "Complete"),
    ]
    assert [(c.answered, c.complete, c.state, c.label) for c in de.cells] == [
        (1, 0, "in-progress", "In progress 0 %"),
        (0, 0, "not-started", "Not started"),
    ]
    assert [c.state for c in it.cells] == ["complete", "not-started"]
    assert [c.state for c in pt.cells] == ["not-started", "not-started"]
    assert (fr.status, fr.percent, fr.answered, fr.complete) == ("submitted", 100, 2, 2)
    assert (de.status, de.percent, de.answered, de.complete) == ("draft", 0, 1, 0)
    assert (it.status, it.percent, it.state_label) == ("ready", 50, "Ready for sign-off")
    assert (pt.status, _row(result, "AL").status) == ("draft", "not-started")
    assert de.last_activity_by == world.member_b.display_name


def test_summary_figures_before_and_after_the_deadline(world, play):
    before = state_of_play(consultation=world.consultation).summary
    assert (before.parties, before.started, before.submitted, before.ready) == (ACTIVE_PARTIES, 5, 1, 1)
    assert (before.not_started, before.overdue, before.extended, before.response_rate) == (42, 0, 1, 2)
    after = state_of_play(consultation=world.consultation, today=after_deadline(world)).summary
    # Everyone but France (submitted) and Spain (extension) is overdue the day after the closing date.
    assert after.overdue == ACTIVE_PARTIES - 2
    assert _row(state_of_play(consultation=world.consultation, today=after_deadline(world)), "ES").is_overdue is False


def test_the_items_with_the_fewest_answers_come_first(world, play):
    result = state_of_play(consultation=world.consultation)
    assert [(i["code"], i["answered"]) for i in result.fewest_answered] == [("ROBOT-01", 1), ("GENAI-01", 3)]


def test_filters_by_state_and_membership_and_sorts(world, play):
    overdue = state_of_play(
        consultation=world.consultation, filters=clean_filters({"state": "overdue"}), today=after_deadline(world)
    )
    assert len(overdue.rows) == ACTIVE_PARTIES - 2
    assert {"FR", "ES"}.isdisjoint(r.iso2 for r in overdue.rows)
    assert overdue.summary.parties == ACTIVE_PARTIES  # the summary is about everyone
    submitted = state_of_play(consultation=world.consultation, filters=clean_filters({"state": "submitted"}))
    assert [r.iso2 for r in submitted.rows] == ["FR"]
    non_members = state_of_play(consultation=world.consultation, filters=clean_filters({"member": "non-member"}))
    assert [r.iso2 for r in non_members.rows] == list(
        Party.objects.filter(is_active=True, is_member_state=False).values_list("iso2", flat=True)
    )
    by_progress = state_of_play(consultation=world.consultation, filters=clean_filters({"sort": "-progress"}))
    assert [r.iso2 for r in by_progress.rows[:2]] == ["FR", "IT"]
    tampered = clean_filters({"state": "'; drop", "sort": "nope", "member": "x"})
    assert tampered == {"state": "", "member": "", "theme": "", "sort": "name", "page": ""}


def test_drilling_into_a_theme_shows_its_items(world, play):
    result = state_of_play(consultation=world.consultation, filters=clean_filters({"theme": "generative-ai"}))
    assert [i["code"] for i in result.drill_items] == ["GENAI-01"]
    assert [c.label for c in _row(result, "DE").cells] == ["In progress 0 %"]
    assert [c.label for c in _row(result, "IT").cells] == ["Complete"]


def test_a_large_theme_is_drilled_into_fifty_items_at_a_time(world):
    from benchmarks.state_of_play import synthetic_consultation

    consultation = synthetic_consultation(slug="paged", parties=48, items=330, answered_parties=3)
    first = state_of_play(consultation=consultation, filters=clean_filters({"theme": "synthetic-theme-1"}))
    assert (first.drill_theme.items, first.drill_page, first.drill_pages) == (55, 1, 2)
    assert [i["code"] for i in first.drill_items[:2]] == ["SYN-0006", "SYN-0012"]
    assert len(first.drill_items) == 50
    second = state_of_play(
        consultation=consultation, filters=clean_filters({"theme": "synthetic-theme-1", "page": "2"})
    )
    assert [i["code"] for i in second.drill_items] == [f"SYN-{n:04d}" for n in range(306, 331, 6)]
    assert all(len(row.cells) == 5 for row in second.rows)
    beyond = state_of_play(
        consultation=consultation, filters=clean_filters({"theme": "synthetic-theme-1", "page": "9"})
    )
    assert beyond.drill_page == 2


def test_the_page_shows_text_labels_with_the_colours(secretariat_client, world, play):
    url = reverse("secretariat:state_of_play", kwargs={"slug": world.consultation.slug})
    page = secretariat_client.get(url).content.decode()
    assert 'class="sop-cell sop-cell--in-progress">In progress 0 %</td>' in page
    assert 'class="sop-cell sop-cell--complete">Complete</td>' in page
    assert 'data-testid="submitted-count">1 / 47<' in page
    overdue_page = secretariat_client.get(url + "?state=overdue").content.decode()
    assert overdue_page.count("<tr data-party=") == 0  # nobody is overdue before the closing date


def _page_queries(client, slug: str, query: str = "") -> tuple[int, int]:
    """Queries of the page with its counts not cached yet, then cached (the session already warm)."""
    url = reverse("secretariat:state_of_play", kwargs={"slug": slug}) + query
    client.get(url)  # warm the session
    counts = []
    for clear in (True, False):
        if clear:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


def test_the_page_renders_in_the_same_number_of_queries_for_48_and_200_parties_and_23_and_1000_items(
    secretariat_client, world
):
    from benchmarks.state_of_play import synthetic_consultation

    small = synthetic_consultation(slug="sop-48x23", parties=48, items=23)
    counts = {"48x23": _page_queries(secretariat_client, small.slug)}
    counts["48x23 theme"] = _page_queries(secretariat_client, small.slug, "?theme=synthetic-theme-1")
    large_parties = synthetic_consultation(slug="sop-200x23", parties=200, items=23)
    counts["200x23"] = _page_queries(secretariat_client, large_parties.slug)
    many_items = synthetic_consultation(slug="sop-48x1000", parties=48, items=1000, answered_parties=6)
    counts["48x1000"] = _page_queries(secretariat_client, many_items.slug)
    counts["48x1000 theme"] = _page_queries(secretariat_client, many_items.slug, "?theme=synthetic-theme-1")
    # Every signed-in page costs 5 (session, user, delegation, roles, MFA); the state of play adds the consultation,
    # the themes with their item totals and checksums, and the Parties with their reply: 8, read on every request.
    # Not cached yet, the counts per Party and theme and the five least-answered items add 2 (10, as before the
    # cache); once cached, nothing. A drill-down adds the page of items (read every time) and, not cached yet,
    # the counts per Party and item of that page.
    assert counts["48x23"] == counts["200x23"] == counts["48x1000"] == (10, 8)
    assert counts["48x23 theme"] == counts["48x1000 theme"] == (12, 9)
