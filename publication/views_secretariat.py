"""The Secretariat's publication decisions (under ``/secretariat/publication/``): thin views over the services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from consultation.models import Consultation, Party
from consultation.services.lifecycle import consultation_set_confidential_default

from .errors import PublicationError
from .selectors.editions import public_edition_scopes, public_editions_for_secretariat
from .selectors.secretariat import publication_overview
from .services.editions import public_edition_publish, public_edition_request, public_edition_withdraw
from .services.publish import publication_publish_all, publication_publish_party, publication_withdraw


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    access.require(request, access.can_manage_publication(request.user), reason="publication", leak_safe=False)
    return get_object_or_404(Consultation, slug=slug)


def _party(request: HttpRequest) -> Party:
    iso2 = (request.POST.get("party") or "").strip().upper()
    party = Party.objects.filter(iso2=iso2).first() if iso2 else None
    if party is None:
        raise Http404
    return party


def _back(consultation: Consultation) -> HttpResponse:
    return redirect("publication:overview", slug=consultation.slug)


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    return render(
        request,
        "publication/overview.html",
        {
            "consultation": consultation,
            "tab": "publication",
            **publication_overview(consultation=consultation),
            "public_reports": public_editions_for_secretariat(consultation=consultation),
        },
    )


@login_required
@require_POST
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    try:
        if request.POST.get("all") == "1":
            done = publication_publish_all(consultation=consultation, user=request.user, request=request)
            messages.success(
                request,
                ngettext("%(count)d reply published.", "%(count)d replies published.", len(done))
                % {"count": len(done)},
            )
        else:
            publication = publication_publish_party(
                consultation=consultation, party=_party(request), user=request.user, request=request
            )
            messages.success(
                request,
                _("The reply of %(party)s is published (version %(number)d).")
                % {"party": publication.party.name, "number": publication.number},
            )
    except PublicationError as exc:
        messages.error(request, str(exc))
    return _back(consultation)


@login_required
@require_POST
def withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    party = _party(request)
    try:
        publication_withdraw(
            consultation=consultation,
            party=party,
            user=request.user,
            reason=request.POST.get("reason", ""),
            request=request,
        )
    except PublicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The reply of %(party)s is no longer published.") % {"party": party.name})
    return _back(consultation)


@login_required
@require_POST
def confidential_default(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    confidential = request.POST.get("confidential_by_default") == "1"
    consultation_set_confidential_default(
        consultation=consultation, confidential=confidential, user=request.user, request=request
    )
    messages.success(
        request,
        _("At sign-off, answers now start as not for publication.")
        if confidential
        else _("At sign-off, answers now start as publishable."),
    )
    return _back(consultation)


def _version_id(request: HttpRequest) -> int:
    raw = (request.POST.get("version") or "").strip()
    if not raw.isdigit():
        raise Http404
    return int(raw)


@login_required
@require_POST
def edition_request(request: HttpRequest, slug: str) -> HttpResponse:
    """Queue a public edition of a report (built on the worker; the page says it is under way)."""
    consultation = _consultation(request, slug)
    wanted = (request.POST.get("scope") or "").strip()
    scope = next((s for s in public_edition_scopes(consultation=consultation) if s.label == wanted), None)
    if scope is None:
        messages.error(request, _("Choose the overview, an article or a theme of this consultation."))
        return _back(consultation)
    try:
        run = public_edition_request(consultation=consultation, scope=scope, user=request.user, request=request)
    except PublicationError as exc:
        messages.error(request, str(exc))
    else:
        if run.status == "done":
            messages.success(request, _("The public edition of %(title)s is built.") % {"title": scope.title_local})
        else:
            messages.success(
                request,
                _("A public edition of %(title)s is being built; it will be listed here to publish.")
                % {"title": scope.title_local},
            )
    return _back(consultation)


@login_required
@require_POST
def edition_publish(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    try:
        version = public_edition_publish(
            consultation=consultation, version_id=_version_id(request), user=request.user, request=request
        )
    except PublicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Public edition %(number)d is on the public site.") % {"number": version.number})
    return _back(consultation)


@login_required
@require_POST
def edition_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    try:
        version = public_edition_withdraw(
            consultation=consultation, version_id=_version_id(request), user=request.user, request=request
        )
    except PublicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Public edition %(number)d is no longer on the public site.") % {"number": version.number}
        )
    return _back(consultation)
