"""The consultation's codebook: codes and groups, the REFI-QDA exchange, and the codings workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..errors import MonitoringError
from ..exports import codings_xlsx
from ..models import (
    CodeGroup,
)
from ..selectors.analysis import codebook_of
from ..selectors.assignments import (
    is_rapporteur_in_consultation,
)
from ..services.codebook import code_create, code_group_create, codebook_qdc_export, codebook_qdc_import
from .common import _consultation, _pk

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    can_edit = access.can_edit_codebook(
        request.user, is_rapporteur=is_rapporteur_in_consultation(user=request.user, consultation=consultation)
    )
    if request.method == "POST":
        access.require(request, can_edit, reason="edit codebook", leak_safe=False)
        post = request.POST
        try:
            if post.get("kind") == "group":
                group = code_group_create(
                    consultation=consultation,
                    name_en=post.get("name_en", ""),
                    name_fr=post.get("name_fr", ""),
                    user=request.user,
                    request=request,
                )
                messages.success(request, _("Group “%(name)s” added.") % {"name": group.name})
            else:
                code = code_create(
                    consultation=consultation,
                    name_en=post.get("name_en", ""),
                    name_fr=post.get("name_fr", ""),
                    definition_en=post.get("definition_en", ""),
                    definition_fr=post.get("definition_fr", ""),
                    group=CodeGroup.objects.filter(consultation=consultation, pk=_pk(post.get("group"))).first(),
                    color=post.get("color", ""),
                    user=request.user,
                    request=request,
                )
                messages.success(request, _("Code “%(name)s” added.") % {"name": code.name})
        except MonitoringError as error:
            messages.error(request, str(error))
        return redirect("monitoring:codebook", slug=slug)
    return render(
        request,
        "monitoring/codebook.html",
        {
            "consultation": consultation,
            "codebook": codebook_of(consultation=consultation),
            "groups": CodeGroup.objects.filter(consultation=consultation),
            "can_edit": can_edit,
            "can_import": access.can_import_codebook(request.user),
        },
    )


@login_required
@require_GET
def codebook_export(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    language = "fr" if request.GET.get("lang") == "fr" else "en"
    response = HttpResponse(
        codebook_qdc_export(consultation=consultation, language=language), content_type="application/xml"
    )
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-codebook-{language}.qdc"'
    return response


@login_required
@require_POST
def codebook_import(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    access.require(request, access.can_import_codebook(request.user), reason="import codebook", leak_safe=False)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise MonitoringError(_("Choose a .qdc file to import."))
        counts = codebook_qdc_import(
            consultation=consultation,
            data=upload.read(2_000_001),
            language="fr" if request.POST.get("language") == "fr" else "en",
            user=request.user,
            request=request,
        )
        messages.success(
            request,
            _("Codebook imported: %(created)s codes added, %(updated)s updated.")
            % {"created": counts["codes_created"], "updated": counts["codes_updated"]},
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect("monitoring:codebook", slug=slug)


@login_required
@require_GET
def codings_export(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    response = HttpResponse(codings_xlsx(consultation=consultation), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{consultation.slug}-codings.xlsx"'
    return response
