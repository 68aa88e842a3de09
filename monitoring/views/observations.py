"""Observations per item: the rapporteur's drafts with history and diff, members' comments, and their adoption
by the Committee (recorded by the Secretariat)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..errors import MonitoringError
from ..models import (
    ObservationStatus,
)
from ..selectors.assignments import (
    is_rapporteur_of_item,
)
from ..selectors.observations import item_analysis_of, observation_diff, observations_render
from ..services.observations import (
    observation_comment_add,
    observations_adoption_set,
    observations_save,
)
from .common import _int, _item


@login_required
@require_POST
def observations_adoption(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """The Secretariat records the Committee's adoption of an item's observations (meeting, date), or reopens them."""
    _consultation_obj, item = _item(request, slug, item_id)
    access.require(
        request, access.can_decide_recommendation(request.user), reason="adopt observations", leak_safe=False
    )
    adopt = request.POST.get("adopt") == "1"
    try:
        adopted_on = datetime.date.fromisoformat(request.POST.get("adopted_on", "")) if adopt else None
    except ValueError:
        adopted_on = None
    try:
        observations_adoption_set(
            item=item,
            adopt=adopt,
            user=request.user,
            meeting=request.POST.get("meeting", ""),
            adopted_on=adopted_on,
            request=request,
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Adoption recorded.") if adopt else _("Observations reopened for the rapporteurs."))
    return redirect("monitoring:observations", slug=slug, item_id=item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def observations(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    consultation, item = _item(request, slug, item_id)
    is_rapporteur = is_rapporteur_of_item(user=request.user, item=item)
    can_edit = access.can_code_item(request.user, is_rapporteur=is_rapporteur)
    text = None
    if request.method == "POST":
        access.require(request, can_edit, reason="edit observations", obj=item, leak_safe=False)
        text = request.POST.get("text", "")
        status = request.POST.get("status") if request.POST.get("status") in ObservationStatus.values else None
        try:
            saved = observations_save(
                item=item,
                text=text,
                base_version=_int(request.POST.get("version")) or 0,
                status=status,
                user=request.user,
                request=request,
            )
            messages.success(request, _("Observations saved (version %(v)s).") % {"v": saved.version})
            return redirect("monitoring:observations", slug=slug, item_id=item.pk)
        except MonitoringError as error:
            messages.error(request, str(error))
    analysis = item_analysis_of(item=item)
    return render(
        request,
        "monitoring/observations.html",
        {
            "consultation": consultation,
            "item": item,
            "analysis": analysis,
            "text": analysis.observations if text is None else text,
            "rendered": observations_render(text=analysis.observations, item=item),
            "comments": analysis.comments.select_related("author") if analysis.pk else [],
            "can_edit": can_edit,
            "can_comment": access.can_comment_observations(request.user),
            "statuses": [(v, label) for v, label in ObservationStatus.choices if v != ObservationStatus.ADOPTED],
            "can_adopt": access.can_decide_recommendation(request.user),
        },
    )


@login_required
@require_GET
def observations_history(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    consultation, item = _item(request, slug, item_id)
    analysis = item_analysis_of(item=item)
    revisions = list(analysis.revisions.select_related("created_by")) if analysis.pk else []
    new = _int(request.GET.get("to")) or analysis.version
    old = _int(request.GET.get("from"))
    if old is None:
        old = max(new - 1, 0)
    diff = observation_diff(analysis=analysis, old=old, new=new) if analysis.version else []
    return render(
        request,
        "monitoring/history.html",
        {"consultation": consultation, "item": item, "revisions": revisions, "diff": diff, "old": old, "new": new},
    )


@login_required
@require_POST
def observation_comment(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    item = _item(request, slug, item_id)[1]
    access.require(request, access.can_comment_observations(request.user), reason="comment", leak_safe=False)
    try:
        observation_comment_add(item=item, text=request.POST.get("text", ""), user=request.user, request=request)
        messages.success(request, _("Comment added."))
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect(reverse("monitoring:observations", kwargs={"slug": slug, "item_id": item.pk}) + "#comments")
