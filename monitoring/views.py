"""The rapporteurs' pages (Analysis) and the Secretariat's follow-up. Thin: parse, ask ``accounts.access`` with
the rapporteur facts read by ``selectors.assignments``, call one service or selector, render."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access
from accounts.models import GlobalRole, User
from consultation.models import Article, Consultation, Field, Item, Option, Party, Response, SubmittedAnswer

from .errors import MonitoringError
from .exports import codings_xlsx
from .models import (
    BuildStatus,
    Code,
    CodeGroup,
    Coding,
    ImplementationReport,
    ImplementationReportFile,
    ItemAnalysis,
    ObservationStatus,
    RapporteurAssignment,
    Recommendation,
    Strength,
)
from .selectors.analysis import code_matrix, codebook_of, item_progress, item_replies, quotes_of, scope_item_ids
from .selectors.assignments import (
    is_rapporteur_in_consultation,
    is_rapporteur_of_item,
    rapporteur_item_ids,
    rapporteurs_by_item,
)
from .selectors.observations import item_analysis_of, observation_diff, observations_render
from .services.assignments import rapporteur_assign, rapporteur_unassign
from .services.codebook import code_create, code_group_create, codebook_qdc_export, codebook_qdc_import
from .services.codings import coding_apply, coding_delete, coding_reanchor
from .services.implementation import CONTENT_TYPES as IMPLEMENTATION_CONTENT_TYPES
from .services.implementation import implementation_report_request, implementation_report_summary
from .services.observations import (
    item_coding_final_set,
    observation_comment_add,
    observations_adoption_set,
    observations_save,
)
from .services.recommendations import recommendation_create, recommendation_transition, recommendation_update

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _consultation(request: HttpRequest, slug: str) -> Consultation:
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_view_consultation(request.user, consultation), reason="analysis consultation")
    return consultation


def _item(request: HttpRequest, slug: str, item_id: int) -> tuple[Consultation, Item]:
    consultation = _consultation(request, slug)
    item: Item = get_object_or_404(Item.objects.select_related("theme"), pk=item_id, consultation=consultation)
    return consultation, item


def _require_coder(request: HttpRequest, item: Item) -> None:
    allowed = access.can_code_item(request.user, is_rapporteur=is_rapporteur_of_item(user=request.user, item=item))
    access.require(request, allowed, reason="code item", obj=item, leak_safe=False)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _pk(value: Any) -> int:
    """An id read from the request for a lookup: 0, which no row has, when it is not a number."""
    return _int(value) or 0


def _ids(values: list[str]) -> list[int]:
    return [number for number in (_int(v) for v in values) if number is not None]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A rapporteur's items with their progress; the Secretariat's way to each consultation's follow-up."""
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    consultations = [
        c for c in Consultation.objects.exclude(status="draft") if access.can_view_consultation(request.user, c)
    ]
    sections = []
    for consultation in consultations:
        item_ids = sorted(rapporteur_item_ids(user=request.user, consultation=consultation))
        items = list(Item.objects.filter(pk__in=item_ids).select_related("theme").order_by("order"))
        progress = item_progress(item_ids=item_ids)
        sections.append(
            {
                "consultation": consultation,
                "items": [(item, *progress[item.pk]) for item in items],
            }
        )
    return render(
        request,
        "monitoring/home.html",
        {"sections": sections, "can_manage": access.can_manage_rapporteurs(request.user)},
    )


def _filters(request: HttpRequest) -> dict[str, Any]:
    return {
        "party_ids": _ids(request.GET.getlist("party")),
        "option_id": _int(request.GET.get("option")),
        "language": request.GET.get("language", "") if request.GET.get("language") in ("en", "fr") else "",
        "query": request.GET.get("q", "")[:200],
    }


def _item_context(request: HttpRequest, consultation: Consultation, item: Item) -> dict[str, Any]:
    filters = _filters(request)
    replies = item_replies(item=item, **filters)
    is_rapporteur = is_rapporteur_of_item(user=request.user, item=item)
    analysis = ItemAnalysis.objects.filter(item=item).select_related("coding_final_by").first()
    final = analysis is not None and analysis.coding_final_at is not None
    return {
        "consultation": consultation,
        "item": item,
        "replies": replies,
        "filters": filters,
        "parties": Party.objects.filter(
            pk__in=SubmittedAnswer.objects.filter(item=item, is_answered=True).values("party_id")
        ).order_by("name_en"),
        "options": Option.objects.filter(field__item=item).select_related("field"),
        "codebook": codebook_of(consultation=consultation),
        # While the coding is final the page shows no coding controls (the services refuse changes anyway).
        "can_code": access.can_code_item(request.user, is_rapporteur=is_rapporteur) and not final,
        "can_reopen_coding": access.can_set_coding_final(request.user, is_rapporteur=is_rapporteur, final=False),
        "progress": item_progress(item_ids=[item.pk])[item.pk],
        "analysis": analysis,
        "items": Item.objects.filter(consultation=consultation).order_by("order"),
    }


@login_required
@require_GET
def item_analysis(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    consultation, item = _item(request, slug, item_id)
    context = _item_context(request, consultation, item)
    fragment = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    if fragment and request.GET.get("fragment") == "replies":
        return render(request, "monitoring/_replies.html", context)
    return render(request, "monitoring/item.html", context)


@login_required
@require_POST
def code_apply(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Apply codes to the selected passage (field key, start, end) or, without a field, to the whole answer."""
    consultation, item = _item(request, slug, item_id)
    _require_coder(request, item)
    response = Response.objects.filter(pk=_pk(request.POST.get("response")), consultation=consultation).first()
    whole = request.POST.get("scope") == "whole"
    field_key = "" if whole else request.POST.get("field", "")
    field = Field.objects.filter(item=item, key=field_key).first() if field_key else None
    codes = list(Code.objects.filter(consultation=consultation, pk__in=_ids(request.POST.getlist("codes"))))
    anchor = ""
    try:
        if response is None:
            raise MonitoringError(_("Choose a reply to code."))
        if field_key and field is None:
            raise MonitoringError(_("This item has no field “%(key)s”.") % {"key": field_key})
        anchor = f"#reply-{response.party.iso2}"
        codings = coding_apply(
            response=response,
            item=item,
            field=field,
            start=_int(request.POST.get("start")) if field else None,
            end=_int(request.POST.get("end")) if field else None,
            passage=request.POST.get("passage", "") if field else "",
            codes=codes,
            user=request.user,
            request=request,
        )
        messages.success(
            request,
            _("Coded “%(codes)s” for %(party)s.")
            % {"codes": ", ".join(c.code.name for c in codings), "party": response.party.name},
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect(reverse("monitoring:item", kwargs={"slug": slug, "item_id": item.pk}) + anchor)


def _coding(request: HttpRequest, coding_id: int) -> Coding:
    access.require(request, access.can_use_analysis(request.user), reason="analysis", leak_safe=False)
    coding: Coding = get_object_or_404(
        Coding.objects.select_related("item__consultation", "party", "code"), pk=coding_id
    )
    _require_coder(request, coding.item)
    return coding


def _back_to_item(coding: Coding) -> HttpResponse:
    url = reverse("monitoring:item", kwargs={"slug": coding.item.consultation.slug, "item_id": coding.item_id})
    return redirect(f"{url}#reply-{coding.party.iso2}")


@login_required
@require_POST
def coding_remove(request: HttpRequest, coding_id: int) -> HttpResponse:
    coding = _coding(request, coding_id)
    coding_delete(coding=coding, user=request.user, request=request)
    messages.success(request, _("Coding removed."))
    return _back_to_item(coding)


@login_required
@require_POST
def coding_review(request: HttpRequest, coding_id: int) -> HttpResponse:
    coding = _coding(request, coding_id)
    try:
        coding_reanchor(coding=coding, user=request.user, request=request)
        messages.success(request, _("The coding now points at the resubmitted text."))
    except MonitoringError as error:
        messages.error(request, str(error))
    return _back_to_item(coding)


@login_required
@require_POST
def coding_final(request: HttpRequest, slug: str, item_id: int) -> HttpResponse:
    """Mark the item's coding final (its rapporteurs) or reopen it (its rapporteurs or the Secretariat)."""
    item = _item(request, slug, item_id)[1]
    final = request.POST.get("final") == "1"
    is_rapporteur = is_rapporteur_of_item(user=request.user, item=item)
    allowed = access.can_set_coding_final(request.user, is_rapporteur=is_rapporteur, final=final)
    access.require(request, allowed, reason="coding final", obj=item, leak_safe=False)
    try:
        item_coding_final_set(item=item, final=final, user=request.user, request=request)
        messages.success(
            request,
            _("The coding of this item is final: its comparisons will appear in the reports' next build.")
            if final
            else _("The coding is open again; the reports' next build leaves its comparisons out."),
        )
    except MonitoringError as error:
        messages.error(request, str(error))
    return redirect("monitoring:item", slug=slug, item_id=item.pk)


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


def _scope(request: HttpRequest, consultation: Consultation) -> tuple[str, list[int], str]:
    scope = request.GET.get("scope", "")
    item_ids, title = scope_item_ids(consultation=consultation, scope=scope)
    if not item_ids:
        first = Item.objects.filter(consultation=consultation).order_by("order").first()
        if first is None:
            raise Http404("no items")
        scope = f"item:{first.pk}"
        item_ids, title = [first.pk], first.code
    return scope, item_ids, title


@login_required
@require_GET
def matrix(request: HttpRequest, slug: str) -> HttpResponse:
    """Parties × codes for one item, or rolled up over an article's or a theme's items."""
    consultation = _consultation(request, slug)
    scope, item_ids, title = _scope(request, consultation)
    items = list(Item.objects.filter(consultation=consultation).select_related("theme").order_by("order"))
    themes = {item.theme.code: item.theme.name for item in items}
    articles = Article.objects.filter(items__consultation=consultation).distinct().order_by("number")
    scope_options = [
        (_("Items"), [(f"item:{item.pk}", item.code) for item in items]),
        (_("Articles"), [(f"article:{a.number}", f"Art. {a.number} – {a.title}") for a in articles]),
        (_("Themes"), [(f"theme:{code}", name) for code, name in sorted(themes.items(), key=lambda t: t[1])]),
    ]
    return render(
        request,
        "monitoring/matrix.html",
        {
            "consultation": consultation,
            "matrix": code_matrix(consultation=consultation, item_ids=item_ids, title=title),
            "scope": scope,
            "scope_options": scope_options,
        },
    )


@login_required
@require_GET
def quotes(request: HttpRequest, slug: str) -> HttpResponse:
    consultation = _consultation(request, slug)
    scope, item_ids, title = _scope(request, consultation)
    code = Code.objects.filter(consultation=consultation, pk=_pk(request.GET.get("code"))).first()
    party = Party.objects.filter(pk=_pk(request.GET.get("party"))).first()
    found = quotes_of(
        consultation=consultation,
        item_ids=item_ids,
        code_id=code.pk if code else None,
        party_id=party.pk if party else None,
    )
    return render(
        request,
        "monitoring/quotes.html",
        {"consultation": consultation, "codings": found, "code": code, "party": party, "title": title, "scope": scope},
    )


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
