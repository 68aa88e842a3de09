"""What the reports pages list, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from consultation.models import Article, Consultation, Item, Theme

from ..models import Audience, Report, ReportDocument, ReportRun, ReportVersion, ScopeKind
from .freshness import VersionFreshness, version_freshness
from .scopes import Scope


@dataclass
class ReportRow:
    """One row of the Secretariat's index: the report, its latest build and its current version's freshness.
    The whole row is one fragment (``reports/_report_row.html``) so the build status and the publish controls
    always show the same version."""

    report: Report
    run: ReportRun | None
    stale: bool
    freshness: VersionFreshness | None = None  # of the current version; None before the first version


@dataclass
class ConsultationReports:
    consultation: Consultation
    rows: list[ReportRow] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)


def scopes_by_consultation(*, consultation_ids: list[int]) -> dict[int, list[Scope]]:
    """Every scope worth a report for each consultation (3 queries whatever the number of consultations)."""
    scopes: dict[int, list[Scope]] = defaultdict(list)
    consultations = Consultation.objects.filter(pk__in=consultation_ids).values("pk", "title_en", "title_fr")
    for row in consultations:
        scopes[row["pk"]].append(
            Scope(ScopeKind.OVERVIEW, "", f"Overview – {row['title_en']}", f"Vue d'ensemble – {row['title_fr']}")
        )
    articles = (
        Article.objects.filter(items__consultation_id__in=consultation_ids)
        .values("items__consultation_id", "number", "title_en", "title_fr")
        .distinct()
        .order_by("items__consultation_id", "number")
    )
    for row in articles:
        scopes[row["items__consultation_id"]].append(
            Scope(
                ScopeKind.ARTICLE,
                str(row["number"]),
                f"Article {row['number']} – {row['title_en']}",
                f"Article {row['number']} – {row['title_fr']}",
            )
        )
    themes = (
        Theme.objects.filter(items__consultation_id__in=consultation_ids)
        .values("items__consultation_id", "code", "name_en", "name_fr", "order")
        .distinct()
        .order_by("items__consultation_id", "order", "code")
    )
    for row in themes:
        scopes[row["items__consultation_id"]].append(
            Scope(ScopeKind.THEME, row["code"], row["name_en"], row["name_fr"] or row["name_en"])
        )
    items = Item.objects.filter(consultation_id__in=consultation_ids).order_by("order", "code")
    for row in items.values("consultation_id", "code"):
        scopes[row["consultation_id"]].append(
            Scope(
                ScopeKind.ITEM,
                row["code"],
                f"Compilation of replies to {row['code']}",
                f"Compilation des réponses à {row['code']}",
            )
        )
    return scopes


def scope_labels_built(*, consultation_id: int) -> set[str]:
    """The scopes of the consultation that already have a built version (``"article:20"``, ``"overview"``)."""
    rows = Report.objects.filter(consultation_id=consultation_id, current_version__isnull=False).values_list(
        "scope_kind", "scope_key"
    )
    return {f"{kind}:{key}" if key else kind for kind, key in rows}


def _reports_with_latest_run() -> QuerySet[Report]:
    latest_run = (
        ReportRun.objects.filter(report=OuterRef("pk"), audience=Audience.COMMITTEE)
        .order_by("-created_at", "-id")
        .values("pk")[:1]
    )
    return (
        Report.objects.select_related("consultation", "current_version")
        .defer("current_version__data")
        .annotate(latest_run_id=Subquery(latest_run))
    )


def _rows(reports: list[Report]) -> list[ReportRow]:
    """The rows of these reports (one query for their latest runs), in the order given."""
    runs = (
        ReportRun.objects.select_related("version", "same_as")
        .defer("version__data", "same_as__data")
        .in_bulk([r.latest_run_id for r in reports if r.latest_run_id])
    )
    rows = []
    for report in reports:
        freshness = _current_freshness(report)
        # Without a version (its first build failed or is under way), as before: built_data_version is -1.
        stale = freshness.stale if freshness else report.built_data_version < report.consultation.data_version
        rows.append(ReportRow(report=report, run=runs.get(report.latest_run_id), stale=stale, freshness=freshness))
    return rows


def _current_freshness(report: Report) -> VersionFreshness | None:
    current = report.current_version
    if current is None:
        return None
    return version_freshness(
        version=current,
        newest_number=current.number,  # a build that finishes makes its version current: none is newer
        current_version_id=report.current_version_id,
        built_data_version=report.built_data_version,
        consultation_data_version=report.consultation.data_version,
    )


def reports_for_secretariat() -> list[ConsultationReports]:
    """Every consultation with its reports, each report's latest build and whether it is stale (reports only ever
    built as public editions are listed on the publication page, not here)."""
    consultations = list(Consultation.objects.order_by("-opens_on", "slug"))
    reports = list(
        _reports_with_latest_run()
        .filter(consultation__in=consultations, latest_run_id__isnull=False)
        .order_by("consultation_id", "scope_kind", "scope_key")
    )
    scopes = scopes_by_consultation(consultation_ids=[c.pk for c in consultations])
    grouped = {c.pk: ConsultationReports(consultation=c, scopes=scopes.get(c.pk, [])) for c in consultations}
    kind_order = {kind: index for index, kind in enumerate(ScopeKind.values)}
    ordered = sorted(reports, key=lambda r: (kind_order[r.scope_kind], _natural(r.scope_key)))
    for row in _rows(ordered):
        grouped[row.report.consultation_id].rows.append(row)
    return list(grouped.values())


def report_row_get(*, report_id: int) -> ReportRow | None:
    """One row of the index, as the index shows it (two queries): what the row polls while a build runs."""
    report = _reports_with_latest_run().filter(pk=report_id).first()
    return _rows([report])[0] if report is not None else None


def _natural(key: str) -> tuple[Any, ...]:
    head = key.split(":")[0]
    return (0, int(head), key) if head.isdigit() else (1, 0, key)


def versions_published() -> list[ReportVersion]:
    """The latest published version of every report (the Committee's list), newest consultations first."""
    versions = (
        ReportVersion.objects.filter(published_at__isnull=False, audience=Audience.COMMITTEE)
        .select_related("report__consultation")
        .prefetch_related(edition_files())
        .defer("data")
        .order_by("report__consultation__slug", "report_id", "-number")
    )
    latest: dict[int, ReportVersion] = {}
    earlier: dict[int, int] = defaultdict(int)
    for version in versions:
        if version.report_id in latest:
            earlier[version.report_id] += 1
        else:
            latest[version.report_id] = version
    for report_id, version in latest.items():
        version.earlier_count = earlier[report_id]
    return list(latest.values())


def versions_visible(*, report: Report, published_only: bool) -> QuerySet[ReportVersion]:
    versions = (
        ReportVersion.objects.filter(report=report, audience=Audience.COMMITTEE)
        .select_related("run", "published_by")
        .prefetch_related(edition_files())
        .defer("data")
    )
    if published_only:
        versions = versions.filter(published_at__isnull=False)
    return versions.order_by("-number")


def edition_files() -> Prefetch:
    """A version's downloadable files (``version.edition_files``), English first, PDF before DOCX before XLSX."""
    return Prefetch(
        "documents",
        queryset=ReportDocument.objects.exclude(format="html")
        .exclude(file="")
        .defer("html")
        .order_by("language", "format"),
        to_attr="edition_files",
    )
