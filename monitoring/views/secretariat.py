"""The Secretariat's side of the analysis: appointing rapporteurs and building the implementation report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.models import GlobalRole, User
from consultation.models import Article, Item

from ..errors import MonitoringError
from ..models import (
    BuildStatus,
    ImplementationReport,
    ImplementationReportFile,
    ItemAnalysis,
    RapporteurAssignment,
)
from ..selectors.analysis import item_progress
from ..selectors.assignments import (
    is_rapporteur_in_consultation,
    rapporteurs_by_item,
)
from ..services.assignments import rapporteur_assign, rapporteur_unassign
from ..services.implementation import CONTENT_TYPES as IMPLEMENTATION_CONTENT_TYPES
from ..services.implementation import implementation_report_request, implementation_report_summary
from .common import _consultation, _pk


@login_required
@require_http_methods(["GET", "POST"])
def rapporteurs(request: HttpRequest, slug: str) -> HttpResponse:
    """The Secretariat appoints rapporteurs and follows each item: rapporteurs, replies coded / submitted,
    observations, coding final."""
    consultation = _consultation(request, slug)
    access.require(request, access.can_manage_rapporteurs(request.user), reason="rapporteurs", leak_safe=False)
    committee = User.objects.filter(roles__role=GlobalRole.COMMITTEE).order_by("last_name", "email")
    if request.method == "POST":
        target = request.POST.get("target", "")
        kind, _sep, value = target.partition(":")
        user = committee.filter(pk=_pk(request.POST.get("user"))).first()
        item = Item.objects.filter(consultation=consultation, pk=_pk(value)).first() if kind == "item" else None
        article = Article.objects.filter(number=_pk(value)).first() if kind == "article" else None
        try:
            if user is None:
                raise MonitoringError(_("Choose a Committee member."))
            if item is None and article is None:
                raise MonitoringError(_("Choose an item or an article."))
            rapporteur_assign(
                consultation=consultation,
                user=user,
                item=item,
                article=article,
                acting_user=request.user,
                request=request,
            )
            messages.success(
                request,
                _("%(user)s is rapporteur for %(what)s.") % {"user": user.display_name, "what": item or article},
            )
        except MonitoringError as error:
            messages.error(request, str(error))
        return redirect("monitoring:rapporteurs", slug=slug)
    items = list(Item.objects.filter(consultation=consultation).select_related("theme").order_by("order"))
    progress = item_progress(item_ids=[item.pk for item in items])
    analyses = {a.item_id: a for a in ItemAnalysis.objects.filter(item__in=items)}
    by_item = rapporteurs_by_item(consultation=consultation)
    rows = [
        {
            "item": item,
            "rapporteurs": by_item.get(item.pk, []),
            "coded": progress[item.pk][0],
            "submitted": progress[item.pk][1],
            "analysis": analyses.get(item.pk),
        }
        for item in items
    ]
    return render(
        request,
        "monitoring/rapporteurs.html",
        {
            "consultation": consultation,
            "rows": rows,
            "committee": committee,
            "items": items,
            "articles": Article.objects.filter(items__consultation=consultation).distinct(),
            "assignments": RapporteurAssignment.objects.filter(consultation=consultation).select_related(
                "user", "item", "article"
            ),
        },
    )


@login_required
@require_POST
def rapporteur_remove(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request, access.can_manage_rapporteurs(request.user), reason="rapporteurs", leak_safe=False)
    assignment = get_object_or_404(RapporteurAssignment.objects.select_related("consultation"), pk=pk)
    slug = assignment.consultation.slug
    rapporteur_unassign(assignment=assignment, acting_user=request.user, request=request)
    messages.success(request, _("Appointment ended."))
    return redirect("monitoring:rapporteurs", slug=slug)


@login_required
@require_http_methods(["GET", "POST"])
def implementation_report(request: HttpRequest, slug: str) -> HttpResponse:
    """The implementation report's builds: request one (Secretariat, rapporteurs), watch it, download both
    editions. With ``?fragment=builds`` (htmx polling while a build is under way) only the list."""
    consultation = _consultation(request, slug)
    can_build = access.can_build_implementation_report(
        request.user, is_rapporteur=is_rapporteur_in_consultation(user=request.user, consultation=consultation)
    )
    if request.method == "POST":
        access.require(request, can_build, reason="build implementation report", leak_safe=False)
        try:
            report = implementation_report_request(consultation=consultation, user=request.user, request=request)
            messages.success(
                request,
                _("Build %(number)s of the implementation report is queued; this page follows it.")
                % {"number": report.number},
            )
        except MonitoringError as error:
            messages.error(request, str(error))
        return redirect("monitoring:implementation_report", slug=slug)
    builds = list(
        ImplementationReport.objects.filter(consultation=consultation)
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("-number")[:20]
    )
    context = {
        "consultation": consultation,
        "builds": builds,
        "active": any(build.is_active for build in builds),
        "languages": ("en", "fr"),
        "can_build": can_build,
        "summary": implementation_report_summary(consultation=consultation),
    }
    if request.headers.get("HX-Request") and request.GET.get("fragment") == "builds":
        return render(request, "monitoring/_implementation_builds.html", context)
    return render(request, "monitoring/implementation_report.html", context)


@login_required
@require_GET
def implementation_report_file(request: HttpRequest, pk: int, language: str, fmt: str) -> HttpResponse:
    """One edition of a build: PDF and DOCX as downloads, HTML read in a platform page."""
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    row = get_object_or_404(
        ImplementationReportFile.objects.select_related("report__consultation"),
        report_id=pk,
        language=language,
        format=fmt,
        report__status=BuildStatus.DONE,
    )
    consultation = row.report.consultation
    access.require(request, access.can_view_consultation(request.user, consultation), reason="analysis consultation")
    with row.file.open("rb") as handle:
        content = handle.read()
    if fmt == "html":
        # The edition's body, written by the reports' templates (every text escaped), read inside the platform.
        files = [f for f in row.report.files.all() if f.language == language and f.format != "html"]
        return render(
            request,
            "monitoring/implementation_report_read.html",
            {
                "consultation": consultation,
                "build": row.report,
                "language": language,
                "files": files,
                "body": mark_safe(content.decode("utf-8")),
            },
        )
    response = HttpResponse(content, content_type=IMPLEMENTATION_CONTENT_TYPES[fmt])
    name = row.file.name.rsplit("/", 1)[-1]
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
