"""Reports pages: the index (build, watch, publish), report versions, downloads. Thin: access, then a
service or selector, then a template."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from consultation.models import Consultation

from .forms import SeriesForm, VersionDetailsForm
from .models import EDITION_LANGUAGES, Report, ReportDocument, ReportRun, ReportSeries, ReportVersion, ScopeKind
from .selectors.freshness import report_version_freshness
from .selectors.reports import (
    report_row_get,
    reports_for_secretariat,
    scopes_by_consultation,
    versions_published,
    versions_visible,
)
from .selectors.scopes import ScopeInvalid, scope_parse
from .services.builds import (
    ReportError,
    ReportVersionStale,
    VersionDetails,
    report_build_request,
    report_file_name,
    report_get_or_create,
    report_run_retry,
    report_series_save,
    report_version_details_update,
    report_version_publish,
    reports_build_request,
    series_default,
)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_view_reports_index(request.user), reason="reports index", leak_safe=False)
    if access.can_run_reports(request.user):
        return render(request, "reports/index_secretariat.html", {"groups": reports_for_secretariat()})
    return render(request, "reports/index_committee.html", {"versions": versions_published()})


@login_required
@require_GET
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    """The small fragment the index polls every second while a build is queued or running."""
    access.require(request, access.can_run_reports(request.user), reason="report build status", leak_safe=False)
    run = get_object_or_404(ReportRun.objects.select_related("report", "version", "same_as"), pk=run_id)
    return render(request, "reports/_run_status.html", {"run": run})


@login_required
@require_GET
def report_row(request: HttpRequest, report_id: int) -> HttpResponse:
    """One row of the index, polled while its build runs: the build status, the current version and the publish
    button are rendered together, so they always name the same version."""
    access.require(request, access.can_run_reports(request.user), reason="report row", leak_safe=False)
    row = report_row_get(report_id=report_id)
    if row is None:
        raise Http404(_("No such report."))
    return render(request, "reports/_report_row.html", {"row": row})


@login_required
@require_POST
def build(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(request, access.can_run_reports(request.user), reason="build report", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    try:
        scope = scope_parse(consultation=consultation, text=request.POST.get("scope", ""))
        report = report_get_or_create(consultation=consultation, scope=scope)
        report_build_request(report=report, user=request.user, request=request)
    except (ScopeInvalid, ReportError) as error:
        messages.error(request, str(error))
        return redirect("reports:index")
    messages.success(request, _("Build of “%(title)s” started.") % {"title": scope.title_local})
    return redirect(f"{reverse('reports:index')}#report-{report.pk}")


@login_required
@require_POST
def build_all(request: HttpRequest, slug: str) -> HttpResponse:
    """Every article and theme report of the consultation, and its overview."""
    access.require(request, access.can_run_reports(request.user), reason="build all reports", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    scopes = [
        scope
        for scope in scopes_by_consultation(consultation_ids=[consultation.pk]).get(consultation.pk, [])
        if scope.kind in (ScopeKind.OVERVIEW, ScopeKind.ARTICLE, ScopeKind.THEME)
    ]
    reports_build_request(consultation=consultation, scopes=scopes, user=request.user, request=request)
    messages.success(request, _("%(count)d report builds started.") % {"count": len(scopes)})
    return redirect("reports:index")


@login_required
@require_POST
def retry(request: HttpRequest, run_id: int) -> HttpResponse:
    access.require(request, access.can_run_reports(request.user), reason="retry report build", leak_safe=False)
    run = get_object_or_404(ReportRun.objects.select_related("report"), pk=run_id)
    try:
        report_run_retry(run=run, user=request.user, request=request)
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The build of “%(title)s” was queued again.") % {"title": run.report})
    return redirect("reports:index")


@login_required
@require_POST
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    """Publish the version named in the URL (the one the page showed). A stale version answers 409 with a page
    that says why and offers a second form, carrying the confirmation, to publish it anyway."""
    access.require(request, access.can_publish_reports(request.user), reason="publish report", leak_safe=False)
    version = get_object_or_404(
        ReportVersion.objects.select_related("report__consultation").defer("data"), pk=version_id
    )
    try:
        report_version_publish(
            version=version, user=request.user, request=request, confirmed=request.POST.get("confirm_stale", "")
        )
    except ReportVersionStale as refused:
        context = {"version": version, "report": version.report, "freshness": refused.freshness}
        return render(request, "reports/publish_confirm.html", context, status=409)
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Version %(number)d is now visible to the Committee.") % {"number": version.number})
    return redirect("reports:version", version_id=version.pk)


def _visible_version(request: HttpRequest, version_id: int, *, with_content: bool = True) -> ReportVersion:
    versions = ReportVersion.objects.select_related("report__consultation", "published_by")
    if not with_content:
        versions = versions.defer("data")
    version = versions.filter(pk=version_id).first()
    published = version is not None and version.is_published
    access.require(
        request,
        version is not None and access.can_view_report_version(request.user, published=published),
        reason="report version",
        obj=version,
        leak_safe=True,
    )
    return version


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """The version a reader should see: the current draft for the Secretariat, the latest published otherwise."""
    access.require(request, access.can_view_reports_index(request.user), reason="report", leak_safe=False)
    report = get_object_or_404(Report, pk=report_id)
    if access.can_view_report_version(request.user, published=False) and report.current_version_id:
        return redirect("reports:version", version_id=report.current_version_id)
    latest = versions_visible(report=report, published_only=True).first()
    if latest is None:
        raise Http404(_("No published version of this report yet."))
    return redirect("reports:version", version_id=latest.pk)


def reader_language() -> str:
    """The edition the interface language chooses."""
    language = (get_language() or "en")[:2]
    return language if language in EDITION_LANGUAGES else "en"


@login_required
@require_GET
def version_detail(request: HttpRequest, version_id: int) -> HttpResponse:
    version = _visible_version(request, version_id, with_content=False)
    can_run = access.can_run_reports(request.user)
    language = reader_language()
    editions = list(ReportDocument.objects.filter(version=version).defer("html").exclude(format="html"))
    html = (
        ReportDocument.objects.filter(version=version, format="html", language=language)
        .values_list("html", flat=True)
        .first()
    )
    can_publish = access.can_publish_reports(request.user) and not version.is_published
    details_form = None
    if can_publish:
        details_form = VersionDetailsForm(
            initial={
                "symbol": version.symbol,
                "document_date": version.document_date,
                "meeting": version.meeting,
                "classification": version.classification,
            },
            auto_id="details-%s",
        )
    return render(
        request,
        "reports/version_detail.html",
        {
            "version": version,
            "report": version.report,
            "html": html or "",
            "language": language,
            "editions": edition_links(editions),
            "is_current": version.report.current_version_id == version.pk,
            "freshness": report_version_freshness(version=version) if can_run else None,
            "can_publish": can_publish,
            "details_form": details_form,
        },
    )


def edition_links(documents: list[ReportDocument]) -> list[dict]:
    """The downloads of a version, grouped by edition: [{"language", "name", "files": [document, ...]}]."""
    order = {"pdf": 0, "docx": 1, "xlsx": 2}
    names = {"en": "English", "fr": "Français"}
    out = []
    for language in EDITION_LANGUAGES:
        files = sorted((d for d in documents if d.language == language and d.file), key=lambda d: order[d.format])
        if files:
            out.append({"language": language, "name": names[language], "files": files})
    return out


@login_required
@require_POST
def version_details(request: HttpRequest, version_id: int) -> HttpResponse:
    """The draft's cover (symbol, date, meeting, classification); its editions are then written again."""
    access.require(request, access.can_publish_reports(request.user), reason="report details", leak_safe=False)
    version = get_object_or_404(ReportVersion.objects.select_related("report").defer("data"), pk=version_id)
    form = VersionDetailsForm(request.POST, auto_id="details-%s")
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("reports:version", version_id=version.pk)
    try:
        report_version_details_update(
            version=version, details=VersionDetails(**form.cleaned_data), user=request.user, request=request
        )
    except ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The cover was changed; both editions are written again with it."))
    return redirect("reports:version", version_id=version.pk)


@login_required
def series(request: HttpRequest, slug: str) -> HttpResponse:
    """The consultation's document series: the symbol prefix and the next number new reports take."""
    access.require(request, access.can_run_reports(request.user), reason="report series", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    instance = ReportSeries.objects.filter(consultation=consultation).first() or series_default(consultation)
    form = SeriesForm(request.POST or None, instance=instance)
    if request.method == "POST":
        if form.is_valid():
            report_series_save(consultation=consultation, values=form.cleaned_data, user=request.user, request=request)
            messages.success(request, _("The document series was saved."))
            return redirect("reports:index")
        return render(request, "reports/series.html", {"form": form, "consultation": consultation}, status=400)
    return render(request, "reports/series.html", {"form": form, "consultation": consultation})


@login_required
@require_GET
def versions(request: HttpRequest, report_id: int) -> HttpResponse:
    access.require(request, access.can_view_reports_index(request.user), reason="report versions", leak_safe=False)
    report = get_object_or_404(Report.objects.select_related("consultation"), pk=report_id)
    published_only = not access.can_view_report_version(request.user, published=False)
    listed = list(versions_visible(report=report, published_only=published_only))
    if published_only and not listed:
        raise Http404(_("No published version of this report yet."))
    return render(request, "reports/versions.html", {"report": report, "versions": listed})


@login_required
@require_GET
def download(request: HttpRequest, version_id: int, language: str, fmt: str) -> FileResponse:
    version = _visible_version(request, version_id, with_content=False)
    document = (
        ReportDocument.objects.filter(version=version, language=language, format=fmt).exclude(file="").first()
        if fmt in CONTENT_TYPES and language in EDITION_LANGUAGES
        else None
    )
    if document is None:
        raise Http404(_("This version has no %(format)s file.") % {"format": fmt.upper()})
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"v{version.number}-{report_file_name(version.report, fmt, language)}",
        content_type=CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "private, no-store"
    return response
