"""Exact figures from the hand-built dataset (see conftest.py): submitted replies only."""

from __future__ import annotations

import pytest

from consultation.models import Response
from consultation.services.responses import response_reopen
from reports.selectors.figures import report_figures
from reports.selectors.scopes import scope_items
from tests import factories as f
from tests.reports.conftest import reply, save

pytestmark = pytest.mark.django_db


def figures(dataset, kind, key=""):
    return report_figures(
        consultation=dataset.consultation, items=scope_items(consultation=dataset.consultation, kind=kind, key=key)
    )


def field_of(data, code, key):
    item = next(i for i in data["items"] if i["code"] == code)
    return next(fl for fl in item["fields"] if fl["key"] == key)


def test_single_choice_counts_percentages_and_parties_per_option(dataset):
    position = field_of(figures(dataset, "item", "GENAI-02"), "GENAI-02", "position")
    assert position["replying"] == 6
    rows = [(o["label_en"], o["label_fr"], o["count"], o["percent"], o["parties"]) for o in position["options"]]
    assert rows == [
        ("Yes", "Oui", 3, 50.0, ["Belgium", "France", "Germany"]),
        ("Partially", "Partiellement", 2, 33.3, ["Italy", "Spain"]),
        ("No", "Non", 1, 16.7, ["Netherlands"]),
    ]


def test_a_draft_reply_is_not_counted(dataset):
    data = figures(dataset, "item", "GENAI-02")
    assert "Austria" not in [p["name_en"] for p in data["participation"]["replied"]]
    assert "Austria" in [p["name_en"] for p in data["participation"]["not_replied"]]
    assert data["participation"]["replied_count"] == 6
    texts = field_of(data, "GENAI-02", "explanation")["answers"]
    assert [t["party"] for t in texts] == ["Belgium", "France", "Germany", "Italy", "Netherlands", "Spain"]
    assert "Draft only." not in [t["text"] for t in texts]


def test_a_reopened_reply_keeps_counting_with_its_last_submission_until_resubmitted(dataset):
    netherlands = dataset.responses["NL"]
    response_reopen(response=netherlands, user=None, reason="Figures to correct.")
    reopened_at = Response.objects.get(pk=netherlands.pk).reopened_at
    save(netherlands, dataset.genai02, {"position": "yes", "explanation": "Corrected draft, not yet submitted."})

    data = figures(dataset, "item", "GENAI-02")
    position = field_of(data, "GENAI-02", "position")
    assert [(o["count"], o["percent"], o["parties"]) for o in position["options"]] == [
        (3, 50.0, ["Belgium", "France", "Germany"]),
        (2, 33.3, ["Italy", "Spain"]),
        (1, 16.7, ["Netherlands"]),
    ]
    texts = {t["party"]: t["text"] for t in field_of(data, "GENAI-02", "explanation")["answers"]}
    assert texts["Netherlands"] == "Policy statement of NL on synthetic images."
    assert data["participation"]["replied_count"] == 6
    marked = {p["name_en"]: p.get("under_revision_since") for p in data["participation"]["replied"]}
    assert marked["Netherlands"] == reopened_at.isoformat()
    assert [name for name, since in marked.items() if since] == ["Netherlands"]

    from consultation.services.responses import response_submit

    response_submit(response=netherlands, user=None)
    data = figures(dataset, "item", "GENAI-02")
    assert [o["count"] for o in field_of(data, "GENAI-02", "position")["options"]] == [4, 2, 0]
    texts = {t["party"]: t["text"] for t in field_of(data, "GENAI-02", "explanation")["answers"]}
    assert texts["Netherlands"] == "Corrected draft, not yet submitted."
    assert not any(p.get("under_revision_since") for p in data["participation"]["replied"])


def test_ranking_mean_median_and_distribution(dataset):
    ranking = field_of(figures(dataset, "item", "GENAI-01"), "GENAI-01", "impact_ranking")
    by_key = {o["key"]: o for o in ranking["options"]}
    # offline ranks: 1,1,2,1,2,1 → mean 8/6 = 1.33, median 1; solicitation: 2,3,1,2,1,2 → 11/6 = 1.83, median 2
    assert by_key["offline"]["distribution"] == [4, 2, 0]
    assert by_key["offline"]["mean"] == 1.33
    assert by_key["offline"]["median"] == 1.0
    assert by_key["solicitation"]["distribution"] == [2, 3, 1]
    assert by_key["solicitation"]["mean"] == 1.83
    assert by_key["solicitation"]["median"] == 2.0
    assert by_key["ai_generated"]["distribution"] == [0, 1, 5]
    assert by_key["ai_generated"]["mean"] == 2.83
    assert by_key["ai_generated"]["median"] == 3.0
    assert [o["key"] for o in ranking["options"]] == ["offline", "solicitation", "ai_generated"]
    assert by_key["offline"]["first"] == ["Belgium", "France", "Italy", "Netherlands"]


def test_ranking_median_between_two_ranks_is_their_mean(dataset):
    consultation = dataset.consultation
    reply(
        consultation,
        "AT",
        dataset.answers_of("DE") | {dataset.genai01: {"impact_ranking": ["ai_generated", "solicitation", "offline"]}},
    )
    ranking = field_of(figures(dataset, "item", "GENAI-01"), "GENAI-01", "impact_ranking")
    offline = next(o for o in ranking["options"] if o["key"] == "offline")
    assert offline["distribution"] == [4, 2, 1]
    assert offline["median"] == 1.0
    ai = next(o for o in ranking["options"] if o["key"] == "ai_generated")
    assert ai["distribution"] == [1, 1, 5]
    assert ai["median"] == 3.0


def test_numbers_total_median_min_max_and_parties(dataset):
    cases = field_of(figures(dataset, "item", "GENAI-01"), "GENAI-01", "recorded_cases")
    assert cases["stats"] == {"count": 5, "total": "53.5", "median": "7", "min": "0", "max": "30"}
    assert cases["values"] == [
        {"party": "Belgium", "value": "4"},
        {"party": "France", "value": "12.5"},
        {"party": "Germany", "value": "30"},
        {"party": "Italy", "value": "0"},
        {"party": "Spain", "value": "7"},
    ]


def test_texts_keep_their_language_and_legal_references_form_a_table(dataset):
    data = figures(dataset, "item", "GENAI-02")
    france = next(t for t in field_of(data, "GENAI-02", "explanation")["answers"] if t["party"] == "France")
    assert france == {
        "party": "France",
        "language": "fr",
        "text": "Policy statement of FR on synthetic images.",
    }
    references = field_of(figures(dataset, "item", "GENAI-01"), "GENAI-01", "legal_references")["references"]
    assert references == [
        {
            "party": "France",
            "instrument": "Code pénal",
            "provision": "art. 227-23",
            "url": "https://www.legifrance.gouv.fr/",
        }
    ]


def test_article_20_report_has_exactly_the_items_tagged_with_it(dataset):
    assert [i["code"] for i in figures(dataset, "article", "20")["items"]] == [
        "GENAI-01",
        "GENAI-02",
        "ROBOT-01",
        "ROBOT-02",
    ]
    assert [i["code"] for i in figures(dataset, "article", "30")["items"]] == ["XR-01"]


def test_robotics_theme_report_has_exactly_its_two_items(dataset):
    assert [i["code"] for i in figures(dataset, "theme", "robotics")["items"]] == ["ROBOT-01", "ROBOT-02"]


def test_article_theme_report_crosses_both(dataset):
    assert [i["code"] for i in figures(dataset, "article_theme", "20:generative-ai")["items"]] == [
        "GENAI-01",
        "GENAI-02",
    ]
    assert [i["code"] for i in figures(dataset, "article_theme", "21:robotics")["items"]] == ["ROBOT-02"]


def test_matrix_shows_who_answered_what(dataset):
    matrix = figures(dataset, "theme", "robotics")["matrix"]
    assert [(c["item"], c["key"]) for c in matrix["columns"]] == [("ROBOT-01", "position"), ("ROBOT-02", "position")]
    assert matrix["rows"][0] == {
        "party": "Belgium",
        "cells": [("No", 2), ("Yes", 0)],
    }


def test_query_count_does_not_grow_with_parties_or_items(dataset, django_assert_num_queries):
    consultation = dataset.consultation
    items = scope_items(consultation=consultation, kind="overview", key="")
    with django_assert_num_queries(16) as small:  # item ids, 13 reads (addressees too), the savepoint
        report_figures(consultation=consultation, items=items)
    theme = f.ThemeFactory(code="robotics")
    extra = [f.position_item(consultation, code=f"EXTRA-{n}", theme=theme, articles=[20]) for n in range(5)]
    for iso2 in ("AT", "PT", "PL", "SE"):
        answers = dataset.answers_of("DE") | {item: {"position": "yes", "explanation": "Measures."} for item in extra}
        reply(consultation, iso2, answers)
    with django_assert_num_queries(len(small.captured_queries)):
        data = report_figures(
            consultation=consultation, items=scope_items(consultation=consultation, kind="overview", key="")
        )
    assert data["participation"]["replied_count"] == 10
    assert len(data["items"]) == 10


def test_figures_of_many_reports_at_once_equal_each_report_alone(dataset, django_assert_num_queries):
    from reports.selectors.figures import report_figures_many
    from reports.selectors.scopes import scope_parse

    texts = [
        "overview",
        "article:20",
        "article:30",
        "theme:robotics",
        "item:GENAI-02",
        "article_theme:20:generative-ai",
    ]
    scopes = [scope_parse(consultation=dataset.consultation, text=text) for text in texts]
    with django_assert_num_queries(17):  # 2 to resolve the scopes, 13 reads for all (+2 for the savepoint)
        many = report_figures_many(consultation=dataset.consultation, scopes=scopes)
    for scope in scopes:
        alone = figures(dataset, scope.kind, scope.key)
        together = many[scope.label]
        for key in ("participation", "items", "matrix", "last_submission"):
            assert together[key] == alone[key], (scope.label, key)
