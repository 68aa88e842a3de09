"""Public editions of the comparative reports, as the Secretariat's publication page and the public site list them.

A public edition is a ``reports.ReportVersion`` with ``audience="public"``; only the published, not withdrawn ones
reach the public site (``accounts.access.can_download_public_report``). Each function costs a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.db.models.fields.json import KT

from consultation.models import Consultation
from reports.models import EDITION_LANGUAGES, Audience, ReportDocument, ReportRun, ReportVersion, RunStatus
from reports.selectors.reports import scopes_by_consultation
from reports.selectors.scopes import Scope

from ..models import Publication

DOWNLOAD_FORMATS = ("pdf", "docx", "xlsx")
DOWNLOAD_CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _files() -> Prefetch[Any]:
    return Prefetch(
        "documents",
        queryset=ReportDocument.objects.filter(format__in=DOWNLOAD_FORMATS)
        .exclude(file="")
        .defer("html")
        .order_by("language", "format"),
        to_attr="edition_files",
    )


def _editions(consultation: Consultation) -> QuerySet[ReportVersion]:
    return (
        ReportVersion.objects.filter(report__consultation=consultation, audience=Audience.PUBLIC)
        .select_related("report", "published_by")
        .prefetch_related(_files())
        .defer("data")
        .annotate(title_en=KT("data__title_en"), title_fr=KT("data__title_fr"))
    )


def public_edition_scopes(*, consultation: Consultation) -> list[Scope]:
    """The scopes a public edition may cover: the overview, then each article and theme (items are left out: a
    compilation of one question is what the public site's question pages already show)."""
    scopes = scopes_by_consultation(consultation_ids=[consultation.pk]).get(consultation.pk, [])
    return [scope for scope in scopes if scope.kind in ("overview", "article", "theme")]


def public_editions_for_secretariat(*, consultation: Consultation) -> dict[str, Any]:
    """The consultation's public editions (newest first, with their files; ``outdated`` when a Party's reply was
    published or withdrawn since), the public builds under way or failed since the last edition, and whether a
    fresh edition is needed (every edition was withdrawn). Six queries."""
    editions = list(_editions(consultation).order_by("-created_at", "-id"))
    runs = list(
        ReportRun.objects.filter(report__consultation=consultation, audience=Audience.PUBLIC)
        .exclude(status=RunStatus.DONE)
        .select_related("report")
        .order_by("-created_at", "-id")[:10]
    )
    last_change = Publication.objects.filter(consultation=consultation).aggregate(
        published=Max("published_at"), withdrawn=Max("withdrawn_at")
    )
    moments = [m for m in last_change.values() if m is not None]
    changed_at = max(moments, default=None)
    live = [e for e in editions if e.withdrawn_at is None]
    for edition in editions:
        outdated = edition.withdrawn_at is None and changed_at is not None and edition.created_at < changed_at
        edition.outdated = outdated  # type: ignore[attr-defined]  # shown beside the edition on the page
    newest = editions[0].created_at if editions else None
    return {
        "editions": editions,
        "runs": [run for run in runs if newest is None or run.created_at > newest],
        "fresh_needed": bool(editions) and not live,
        "scopes": public_edition_scopes(consultation=consultation),
    }


def public_editions_published(*, consultation: Consultation) -> list[ReportVersion]:
    """The editions on the public site: public builds, published, not withdrawn, newest first (two queries)."""
    return list(
        _editions(consultation)
        .filter(published_at__isnull=False, withdrawn_at__isnull=True, classification="public")
        .order_by("-published_at", "-id")
    )


def public_editions_fingerprint() -> str:
    """What the cached public pages depend on among the editions: one aggregate that a publication or a
    withdrawal of an edition changes."""
    row = ReportVersion.objects.filter(audience=Audience.PUBLIC, published_at__isnull=False).aggregate(
        n=Count("id"), withdrawn=Count("withdrawn_at"), last=Max("published_at")
    )
    last = row["last"].timestamp() if row["last"] else 0
    return f"{row['n']}-{row['withdrawn']}-{last:.6f}"


def public_edition_document_get(
    *, consultation: Consultation, version_id: int, language: str, fmt: str
) -> ReportDocument | None:
    """One file of a public edition of the consultation's reports, whatever its state (the view asks
    ``accounts.access`` whether the public may have it); None if there is no such file."""
    if fmt not in DOWNLOAD_FORMATS or language not in EDITION_LANGUAGES:
        return None
    return (
        ReportDocument.objects.filter(
            version_id=version_id,
            version__report__consultation=consultation,
            version__audience=Audience.PUBLIC,
            language=language,
            format=fmt,
        )
        .exclude(file="")
        .select_related("version__report")
        .defer("html", "version__data")
        .first()
    )
