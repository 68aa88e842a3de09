"""``build_reports`` runs the same service as the worker."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from reports.models import Report
from tests.reports.conftest import has_file

pytestmark = pytest.mark.django_db


def test_the_command_builds_one_scope_in_one_format(dataset):
    out = io.StringIO()
    call_command(
        "build_reports",
        "--consultation",
        dataset.consultation.slug,
        "--scope",
        "article:20",
        "--format",
        "pdf",
        stdout=out,
    )
    version = Report.objects.get(scope_kind="article", scope_key="20").current_version
    assert out.getvalue().startswith("article:20: version 1 (reports/")
    assert version.edition("en", "pdf").file.name.endswith("reports-consultation-article-20-en.pdf")
    assert version.edition("fr", "pdf").file.name.endswith("reports-consultation-article-20-fr.pdf")
    assert not has_file(version, "docx")
    assert not has_file(version, "xlsx")


def test_without_a_scope_it_builds_the_overview_and_every_article_and_theme(dataset):
    call_command("build_reports", "--consultation", dataset.consultation.slug, "--format", "xlsx", stdout=io.StringIO())
    assert Report.objects.count() == 8
    assert not Report.objects.filter(current_version__isnull=True).exists()


def test_bad_arguments_are_refused_clearly(dataset):
    with pytest.raises(CommandError, match=r"No consultation with the slug “nope”\."):
        call_command("build_reports", "--consultation", "nope")
    with pytest.raises(CommandError, match=r"This consultation has no theme “space”\."):
        call_command("build_reports", "--consultation", dataset.consultation.slug, "--scope", "theme:space")


def test_publish_makes_the_new_version_visible_to_the_committee(dataset):
    out = io.StringIO()
    call_command(
        "build_reports",
        "--consultation",
        dataset.consultation.slug,
        "--scope",
        "overview",
        "--format",
        "xlsx",
        "--publish",
        stdout=out,
    )
    version = Report.objects.get(scope_kind="overview").current_version
    assert version.published_at is not None
    assert "version 1 (reports/" in out.getvalue()
    assert ", published" in out.getvalue()


def test_missing_skips_the_scopes_that_have_a_version_so_a_second_run_adds_none(dataset):
    args = ["build_reports", "--consultation", dataset.consultation.slug, "--format", "xlsx", "--missing"]
    call_command(*args, "--scope", "article:20", stdout=io.StringIO())
    out = io.StringIO()
    call_command(*args, "--scope", "article:20", "--scope", "overview", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "article:20: has a version already, skipped"
    assert lines[1].startswith("overview: version 1 (reports/")
    again = io.StringIO()
    call_command(*args, "--scope", "article:20", "--scope", "overview", stdout=again)
    assert again.getvalue().splitlines()[-1] == "Every report asked for has a version already: nothing to build."
    assert sorted(Report.objects.values_list("scope_kind", "current_version__number")) == [
        ("article", 1),
        ("overview", 1),
    ]
