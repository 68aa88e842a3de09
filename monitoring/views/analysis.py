"""The rapporteur's Analysis pages: the home, one item's replies with their codings, and the code matrix and
its quotes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access
from consultation.models import Article, Consultation, Field, Item, Option, Party, Response, SubmittedAnswer

from ..errors import MonitoringError
from ..models import (
    Code,
    Coding,
    ItemAnalysis,
)
from ..selectors.analysis import code_matrix, codebook_of, item_progress, item_replies, quotes_of, scope_item_ids
from ..selectors.assignments import (
    is_rapporteur_of_item,
    rapporteur_item_ids,
)
from ..services.codings import coding_apply, coding_delete, coding_reanchor
from ..services.observations import (
    item_coding_final_set,
)
from .common import _consultation, _ids, _int, _item, _pk, _require_coder


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
