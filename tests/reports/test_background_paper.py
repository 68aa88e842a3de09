"""Reports on the real 2024 consultation (loaded from its data file): scopes match the paper's article tags."""

from __future__ import annotations

import pytest
from docx import Document

from consultation.models import Item
from reports.selectors.scopes import scope_parse
from reports.services.builds import report_build_now
from tests.reports.conftest import opened

pytestmark = pytest.mark.django_db


def test_article_20_report_of_the_real_consultation_covers_exactly_its_tagged_items(background_paper):
    tagged = list(
        Item.objects.filter(consultation=background_paper, articles__number=20)
        .order_by("order")
        .values_list("code", flat=True)
    )
    assert "GENAI-02" in tagged
    assert "XR-01" not in tagged  # tagged with Articles 30 and 34 only
    scope = scope_parse(consultation=background_paper, text="article:20")
    run = report_build_now(consultation=background_paper, scope=scope, formats=["docx"])
    assert run.status == "done", run.error
    data = run.version.data
    assert [item["code"] for item in data["items"]] == tagged
    assert data["participation"]["replied_count"] == 0
    document = Document(opened(run.version, "docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert any(heading.endswith(". GENAI-02 – Generative AI") for heading in headings)
    assert "No replies." in [p.text for p in document.paragraphs]
    french = Document(opened(run.version, "docx", "fr"))
    french_headings = [p.text for p in french.paragraphs if p.style.name == "Heading 1"]
    assert any(heading.endswith(". GENAI-02 – IA générative") for heading in french_headings)
    assert "Aucune réponse." in [p.text for p in french.paragraphs]


def test_robotics_theme_of_the_real_consultation_has_its_two_items(background_paper):
    scope = scope_parse(consultation=background_paper, text="theme:robotics")
    assert scope.title == "Robotics / Robotique"
    run = report_build_now(consultation=background_paper, scope=scope, formats=["xlsx"])
    assert [item["code"] for item in run.version.data["items"]] == ["ROBOT-01", "ROBOT-02"]


def test_the_overview_of_the_real_consultation_builds_in_every_format(background_paper):
    """Its bilingual title is longer than the 255 characters a Word document's title property holds."""
    scope = scope_parse(consultation=background_paper, text="overview")
    assert len(scope.title) > 255
    run = report_build_now(consultation=background_paper, scope=scope, formats=["docx", "xlsx", "pdf"])
    assert run.status == "done", run.error
    for language, title in (("en", scope.title_en), ("fr", scope.title_fr)):
        document = Document(opened(run.version, "docx", language))
        assert document.core_properties.title == title[:255]
        assert [p.text for p in document.paragraphs if p.style.name == "Title"] == [title]
    assert [item["code"] for item in run.version.data["items"]][-1] == "CROSS-01"
