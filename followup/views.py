"""Follow-up of recommendations, compliance and the comparison of rounds. Thin: parse, ask ``accounts.access``,
call one service or selector, render."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from consultation.models import Consultation, Party, SubmittedAnswer
from consultation.selectors.rounds import submitted_data
from monitoring.models import Recommendation, RecommendationStatus, Strength
from monitoring.selectors.assignments import is_rapporteur_in_consultation

from .errors import FollowUpError
from .models import Assessment, ComplianceAssessment, FollowUpItem, FollowUpRound
from .rendering import available_formats, document_response
from .selectors.compliance import adopted_recommendations, compliance_grid
from .selectors.compliance_report import party_compliance_document, recommendation_compliance_document
from .selectors.rounds import party_round_comparison
from .services.compliance import compliance_assess
from .services.generate import follow_up_generate


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    access.require(request, access.can_view_follow_up(request.user), reason="follow-up", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_view_consultation(request.user, consultation), reason="follow-up consultation")
    return consultation


def _can_assess(request: HttpRequest, consultation: Consultation) -> bool:
    rapporteur = is_rapporteur_in_consultation(user=request.user, consultation=consultation)
    return access.can_assess_compliance(request.user, is_rapporteur=rapporteur)


@login_required
@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    recommendations = list(adopted_recommendations(consultation=consultation).prefetch_related("addressees"))
    follow_up = FollowUpRound.objects.filter(source=consultation).select_related("consultation").first()
    asked = set(
        FollowUpItem.objects.filter(recommendation__in=recommendations).values_list("recommendation_id", flat=True)
    )
    return render(
        request,
        "followup/overview.html",
        {
            "consultation": consultation,
            "recommendations": recommendations,
            "asked": asked,
            "pending": [r for r in recommendations if r.pk not in asked],
            "follow_up": follow_up,
            "can_generate": access.can_generate_follow_up(request.user),
            "later_rounds": Consultation.objects.filter(previous=consultation).exclude(follow_up_of__isnull=False),
            "formats": available_formats(),
        },
    )


@login_required
@require_POST
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    access.require(request, access.can_generate_follow_up(request.user), reason="generate follow-up", leak_safe=False)
    closes_on = None
    if request.POST.get("closes_on"):
        try:
            closes_on = datetime.date.fromisoformat(request.POST["closes_on"])
        except ValueError:
            messages.error(request, _("Give the closing date as a date (YYYY-MM-DD)."))
            return redirect("followup:overview", slug=slug)
    try:
        round_, added = follow_up_generate(source=consultation, user=request.user, closes_on=closes_on, request=request)
    except FollowUpError as error:
        messages.error(request, str(error))
        return redirect("followup:overview", slug=slug)
    if added:
        messages.success(
            request,
            _("%(count)s follow-up question(s) added to %(round)s, a draft: open it from the Secretariat's page.")
            % {"count": added, "round": round_.consultation.title},
        )
    else:
        messages.info(request, _("Every adopted recommendation already has its follow-up question: nothing added."))
    return redirect("followup:overview", slug=slug)


@login_required
@require_GET
def compliance(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    strength = request.GET.get("strength", "")
    if strength not in Strength.values:
        strength = ""
    party = None
    if request.GET.get("party"):
        party = Party.objects.filter(iso2=request.GET["party"].upper()).first()
    grid = compliance_grid(consultation=consultation, strength=strength, party=party)
    return render(
        request,
        "followup/compliance.html",
        {
            "consultation": consultation,
            "grid": grid,
            "strengths": Strength.choices,
            "strength": strength,
            "party": party,
            "all_parties": Party.objects.filter(is_active=True).order_by("name_en"),
            "assessments": Assessment.choices,
            "can_assess": _can_assess(request, consultation),
            "formats": available_formats(),
        },
    )


def _recommendation(consultation: Consultation, pk: int) -> Recommendation:
    return get_object_or_404(Recommendation, pk=pk, consultation=consultation, status=RecommendationStatus.ADOPTED)


@login_required
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, slug: str, pk: int, iso2: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    recommendation = _recommendation(consultation, pk)
    party = get_object_or_404(Party, iso2=iso2.upper())
    named = recommendation.addressees.all()
    if named.exists() and not named.filter(pk=party.pk).exists():
        raise Http404("The recommendation is not addressed to this Party.")
    can_assess = _can_assess(request, consultation)
    status = 200
    if request.method == "POST":
        access.require(request, can_assess, reason="assess compliance", leak_safe=False)
        try:
            compliance_assess(
                recommendation=recommendation,
                party=party,
                assessment=request.POST.get("assessment", ""),
                reasons=request.POST.get("reasons", ""),
                user=request.user,
                request=request,
            )
            messages.success(
                request,
                _("Assessment of %(party)s on %(label)s saved.") % {"party": party.name, "label": recommendation.label},
            )
            return redirect(reverse("followup:compliance", args=[slug]) + f"#rec-{recommendation.pk}")
        except FollowUpError as error:
            messages.error(request, str(error))
            status = 422
    item = FollowUpItem.objects.filter(recommendation=recommendation).select_related("item__consultation").first()
    reply = submitted_data(item_ids=[item.item_id], party_id=party.pk).get((item.item_id, party.pk)) if item else None
    submitted = (
        SubmittedAnswer.objects.filter(item_id=item.item_id, party=party).select_related("submission").first()
        if item
        else None
    )
    fields = []
    if item is not None and reply is not None:
        from consultation.models import Attachment
        from consultation.selectors.workspace.formatting import value_display

        attachments = Attachment.objects.filter(answer__item_id=item.item_id, answer__response__party=party).in_bulk()
        for fld in item.item.fields.prefetch_related("options").order_by("order", "id"):
            fields.append(
                {"label": fld.label, "display": value_display(fld, reply["data"].get(fld.key), attachments=attachments)}
            )
    current = (
        ComplianceAssessment.objects.filter(recommendation=recommendation, party=party)
        .select_related("assessed_by")
        .first()
    )
    return render(
        request,
        "followup/assess.html",
        {
            "consultation": consultation,
            "recommendation": recommendation,
            "party": party,
            "follow_up_item": item,
            "reply": reply,
            "submitted": submitted,
            "fields": fields,
            "current": current,
            "posted": request.POST if request.method == "POST" else None,
            "assessments": Assessment.choices,
            "can_assess": can_assess,
        },
        status=status,
    )


def _language(request: HttpRequest) -> str:
    return "fr" if request.GET.get("lang") == "fr" else "en"


@login_required
@require_GET
def recommendation_report(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    recommendation = _recommendation(consultation, pk)
    language = _language(request)
    document = recommendation_compliance_document(recommendation=recommendation, language=language)
    return document_response(document, fmt=fmt, filename=f"compliance-{recommendation.label}-{language}")


@login_required
@require_GET
def party_report(request: HttpRequest, slug: str, iso2: str, fmt: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    party = get_object_or_404(Party, iso2=iso2.upper())
    language = _language(request)
    document = party_compliance_document(consultation=consultation, party=party, language=language)
    return document_response(document, fmt=fmt, filename=f"compliance-{party.iso2}-{language}")


@login_required
@require_GET
def changes(request: HttpRequest, slug: str) -> HttpResponse:
    """A round against the one its items continue, for one Party: every item, or only those that changed."""
    consultation = _consultation(request, slug)
    parties = list(
        Party.objects.filter(
            pk__in=SubmittedAnswer.objects.filter(consultation=consultation).values("party_id")
        ).order_by("name_en")
    )
    party = None
    if request.GET.get("party"):
        party = get_object_or_404(Party, iso2=request.GET["party"].upper())
    elif parties:
        party = parties[0]
    only_changed = request.GET.get("only") == "changed"
    comparisons = party_round_comparison(consultation=consultation, party=party) if party else []
    shown = [c for c in comparisons if c.changed] if only_changed else comparisons
    return render(
        request,
        "followup/changes.html",
        {
            "consultation": consultation,
            "parties": parties,
            "party": party,
            "comparisons": shown,
            "changed_count": sum(1 for c in comparisons if c.changed),
            "compared_count": len(comparisons),
            "only_changed": only_changed,
            "earlier": comparisons[0].earlier.consultation if comparisons else consultation.previous,
        },
    )
