"""Recommendations: numbered records with strength, addressees and evidence, drafted, proposed and adopted."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from consultation.models import Article, Consultation, Item, Party

from ..errors import MonitoringError
from ..models import (
    Coding,
    Recommendation,
    Strength,
)
from ..selectors.assignments import (
    is_rapporteur_in_consultation,
)
from ..services.recommendations import recommendation_create, recommendation_transition, recommendation_update
from .common import _consultation, _ids, _int


def _recommendation_form_context(consultation: Consultation, recommendation: Recommendation | None) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "recommendation": recommendation,
        "strengths": Strength.choices,
        "all_parties": Party.objects.order_by("name_en"),
        "all_items": Item.objects.filter(consultation=consultation).order_by("order"),
        "all_articles": Article.objects.filter(items__consultation=consultation).distinct(),
        "all_codings": Coding.objects.current()
        .filter(consultation=consultation)
        .select_related("party", "item", "code"),
    }


def _recommendation_fields(request: HttpRequest, consultation: Consultation) -> dict[str, Any]:
    post = request.POST
    return {
        "strength": post.get("strength", ""),
        "text_en": post.get("text_en", ""),
        "text_fr": post.get("text_fr", ""),
        "addressees": Party.objects.filter(pk__in=_ids(post.getlist("addressees"))),
        "items": Item.objects.filter(consultation=consultation, pk__in=_ids(post.getlist("items"))),
        "articles": Article.objects.filter(pk__in=_ids(post.getlist("articles"))),
        "evidence": Coding.objects.filter(consultation=consultation, pk__in=_ids(post.getlist("evidence"))),
    }


def _can_draft(request: HttpRequest, consultation: Consultation) -> bool:
    return access.can_draft_recommendation(
        request.user, is_rapporteur=is_rapporteur_in_consultation(user=request.user, consultation=consultation)
    )


@login_required
@require_GET
def recommendations(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    found = (
        Recommendation.objects.filter(consultation=consultation)
        .prefetch_related("addressees", "items", "articles", "evidence")
        .order_by("chapter", "number")
    )
    return render(
        request,
        "monitoring/recommendations.html",
        {"consultation": consultation, "recommendations": found, "can_draft": _can_draft(request, consultation)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_new(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    access.require(request, _can_draft(request, consultation), reason="draft recommendation", leak_safe=False)
    if request.method == "POST":
        try:
            recommendation = recommendation_create(
                consultation=consultation,
                chapter=_int(request.POST.get("chapter")) if request.POST.get("chapter") else None,
                user=request.user,
                request=request,
                **_recommendation_fields(request, consultation),
            )
            messages.success(request, _("%(label)s created as a draft.") % {"label": recommendation.label})
            return redirect("monitoring:recommendation", pk=recommendation.pk)
        except MonitoringError as error:
            messages.error(request, str(error))
    return render(request, "monitoring/recommendation_form.html", _recommendation_form_context(consultation, None))


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    recommendation = get_object_or_404(Recommendation.objects.select_related("consultation"), pk=pk)
    consultation = _consultation(request, recommendation.consultation.slug)
    can_draft = _can_draft(request, consultation)
    if request.method == "POST":
        access.require(request, can_draft, reason="edit recommendation", obj=recommendation, leak_safe=False)
        try:
            recommendation_update(
                recommendation=recommendation,
                user=request.user,
                request=request,
                **_recommendation_fields(request, consultation),
            )
            messages.success(request, _("%(label)s saved.") % {"label": recommendation.label})
            return redirect("monitoring:recommendation", pk=recommendation.pk)
        except MonitoringError as error:
            messages.error(request, str(error))
    context = _recommendation_form_context(consultation, recommendation)
    context.update(
        {
            "can_draft": can_draft and not recommendation.is_locked,
            "can_decide": access.can_decide_recommendation(request.user),
            "today": timezone.localdate(),
        }
    )
    return render(request, "monitoring/recommendation_form.html", context)


@login_required
@require_POST
def recommendation_status(request: HttpRequest, pk: int) -> HttpResponse:
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    recommendation = get_object_or_404(Recommendation.objects.select_related("consultation"), pk=pk)
    consultation = _consultation(request, recommendation.consultation.slug)
    action = request.POST.get("action", "")
    if action in ("adopt", "withdraw"):
        allowed = access.can_decide_recommendation(request.user)
    else:
        allowed = _can_draft(request, consultation)
    access.require(request, allowed, reason=f"recommendation {action}", obj=recommendation, leak_safe=False)
    adopted_on = None
    if request.POST.get("adopted_on"):
        try:
            adopted_on = datetime.date.fromisoformat(request.POST["adopted_on"])
        except ValueError:
            messages.error(request, _("The date of adoption is written YYYY-MM-DD."))
            return redirect("monitoring:recommendation", pk=pk)
    try:
        recommendation = recommendation_transition(
            recommendation=recommendation,
            action=action,
            meeting=request.POST.get("meeting", ""),
            adopted_on=adopted_on,
            user=request.user,
            request=request,
        )
        messages.success(
            request,
            _("%(label)s is now %(status)s.")
            % {"label": recommendation.label, "status": recommendation.get_status_display().lower()},
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect("monitoring:recommendation", pk=pk)
