"""The Secretariat's pages: dashboard, state of play, one Party's reply, lifecycle, reminders, exports.

Views parse input, ask ``accounts.access``, call one selector or service, and render.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..forms_secretariat import (
    ConsultationCreateForm,
    ConsultationDuplicateForm,
    ExportForm,
    ExtendDeadlineForm,
    ReminderForm,
    ReopenForm,
)
from ..models import Consultation, ExportJob, JobStatus, Party, Reminder, Response
from ..selectors.state_of_play import (
    CACHE_PREFIX,
    STATE_FILTERS,
    cached_for_version,
    clean_filters,
    consultations_overview,
    state_filter_label,
    state_of_play,
)
from ..selectors.timeline import (
    party_contacts,
    party_reply,
    party_timeline,
    reply_is_overdue,
)
from ..selectors.workspace import reply_readonly_context
from ..services import exports, lifecycle, reminders
from ..services.responses import InvalidTransition


def _consultation(slug: str) -> Consultation:
    return get_object_or_404(Consultation, slug=slug)


def _require_secretariat(request: HttpRequest) -> None:
    access.require(request, access.can_view_state_of_play(request.user), reason="secretariat only", leak_safe=False)


# --- Dashboard and state of play ----------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_secretariat(request)
    return render(
        request,
        "secretariat/dashboard.html",
        {"overview": consultations_overview(), "can_manage": access.can_manage_consultations(request.user)},
    )


def _query(filters: dict[str, str], **changes: str) -> str:
    """The state-of-play query string with some filters changed (empty values dropped)."""
    from django.utils.http import urlencode

    merged = {**filters, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v and not (k == "sort" and v == "name")})


def _fragment(*, consultation: Consultation, name: str, view: tuple, context: dict[str, Any]) -> str:
    """A part of the state of play (``_state_of_play_<name>.html``), rendered once per content.

    The fragment is rendered from ``context`` alone (no request, no context processors), so what it shows is
    ``context`` in the active language and time zone: the cache keeps the HTML with a digest of exactly that
    and reuses it only while the digest is the same. One entry per consultation, fragment and ``view`` (the
    filters it was rendered for; the latest rendering overwrites it), expiring after ``CACHE_SECONDS`` like the
    counts it shows.
    """
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    slot = hashlib.sha1(repr((language, zone, view)).encode(), usedforsecurity=False).hexdigest()
    key = f"{CACHE_PREFIX}:{consultation.pk}:{name}:{slot}"
    digest = hashlib.sha1(repr((language, zone, sorted(context.items()))).encode(), usedforsecurity=False).digest()
    return cached_for_version(
        key=key, version=digest, compute=lambda: render_to_string(f"secretariat/_state_of_play_{name}.html", context)
    )


@login_required
@require_GET
def state_of_play_view(request: HttpRequest, slug: str) -> HttpResponse:
    _require_secretariat(request)
    consultation = _consultation(slug)
    filters = clean_filters(request.GET)
    play = state_of_play(consultation=consultation, filters=filters)
    sort_links = {}
    for key in ("name", "state", "progress", "deadline", "activity"):
        descending = filters["sort"] == key
        sort_links[key] = {
            "url": _query(filters, sort=f"-{key}" if descending else key),
            "aria": "ascending" if filters["sort"] == key else "descending" if filters["sort"] == f"-{key}" else "",
        }
    can_remind = access.can_send_reminders(request.user) and consultation.status == "open"
    # The summary and filters, then the matrix: the page's heavy parts, each cached by content (see _fragment).
    view = (filters["state"], filters["member"], filters["sort"], can_remind)
    view += (play.drill_theme.code, play.drill_page) if play.drill_theme else ("", 0)
    overview = {
        "summary": play.summary,
        "fewest": play.fewest_answered,
        "filters": filters,
        "state_filters": [(key, state_filter_label(key)) for key in STATE_FILTERS],
        "themes": play.themes,
        "addressed_items": play.addressed_items,
    }
    matrix = {
        "rows": play.rows,
        "parties": play.summary.parties,
        "drill_theme": play.drill_theme,
        "drill_items": play.drill_items,
        "drill_page": play.drill_page,
        "drill_pages": play.drill_pages,
        "all_themes_url": _query(filters, theme="", page=""),
        "drill_prev_url": _query(filters, page=str(play.drill_page - 1)) if play.drill_page > 1 else "",
        "drill_next_url": _query(filters, page=str(play.drill_page + 1)) if play.drill_page < play.drill_pages else "",
        "theme_headers": [(t, _query(filters, theme=t.code, page="")) for t in play.themes],
        "sort_links": sort_links,
        "can_remind": can_remind,
        "party_base": reverse("secretariat:state_of_play", kwargs={"slug": consultation.slug}) + "parties/",
    }
    return render(
        request,
        "secretariat/state_of_play.html",
        {
            "consultation": consultation,
            "play": play,
            "can_manage": access.can_manage_consultations(request.user),
            "can_remind": can_remind,
            "can_export": access.can_export_answers(request.user),
            "overview_html": _fragment(consultation=consultation, name="overview", view=view, context=overview),
            "matrix_html": _fragment(consultation=consultation, name="matrix", view=view, context=matrix),
            "here": request.get_full_path(),
        },
    )


# --- One Party ----------------------------------------------------------------------------------


def _readonly_reply(response: Response | None) -> tuple[str, dict]:
    """The reply, read-only, as the delegation workspace shows it (a Party that has not started has none)."""
    if response is None:
        return "secretariat/_reply_not_started.html", {}
    return "consultation/_reply_readonly.html", reply_readonly_context(response=response)


@login_required
@require_GET
def party_view(request: HttpRequest, slug: str, iso2: str) -> HttpResponse:
    _require_secretariat(request)
    consultation = _consultation(slug)
    party = get_object_or_404(Party, iso2=iso2.upper())
    response = party_reply(consultation=consultation, party=party)
    probe = response or Response(consultation=consultation, party=party)
    readonly_template, readonly_context = _readonly_reply(response)
    return render(
        request,
        "secretariat/party.html",
        {
            "consultation": consultation,
            "party": party,
            "response": response,
            "deadline": (response.extended_until if response else None) or consultation.closes_on,
            "is_overdue": reply_is_overdue(response=response, consultation=consultation, today=timezone.localdate()),
            "timeline": party_timeline(consultation=consultation, party=party, response=response),
            "contacts": party_contacts(party=party),
            "readonly_template": readonly_template,
            **readonly_context,
            "extend_form": ExtendDeadlineForm(),
            "reopen_form": ReopenForm(),
            "can_extend": access.can_extend_deadline(request.user, probe) and consultation.status == "open",
            "can_reopen": response is not None and access.can_reopen_response(request.user, response),
            "can_remind": access.can_send_reminders(request.user)
            and consultation.status == "open"
            and (response is None or response.status != "submitted"),
        },
    )


def _party_url(consultation: Consultation, party: Party) -> str:
    return reverse("secretariat:party", kwargs={"slug": consultation.slug, "iso2": party.iso2})


@login_required
@require_POST
def extend_deadline(request: HttpRequest, slug: str, iso2: str) -> HttpResponse:
    consultation = _consultation(slug)
    party = get_object_or_404(Party, iso2=iso2.upper())
    probe = party_reply(consultation=consultation, party=party) or Response(consultation=consultation, party=party)
    access.require(request, access.can_extend_deadline(request.user, probe), reason="extend deadline", leak_safe=False)
    form = ExtendDeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the new deadline as a date."))
        return redirect(_party_url(consultation, party))
    try:
        lifecycle.response_extend_deadline(
            consultation=consultation, party=party, until=form.cleaned_data["until"], user=request.user, request=request
        )
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(party)s now has until %(date)s to reply.")
            % {"party": party.name, "date": form.cleaned_data["until"].isoformat()},
        )
    return redirect(_party_url(consultation, party))


@login_required
@require_POST
def reopen_reply(request: HttpRequest, slug: str, iso2: str) -> HttpResponse:
    consultation = _consultation(slug)
    party = get_object_or_404(Party, iso2=iso2.upper())
    response = party_reply(consultation=consultation, party=party)
    probe = response or Response(consultation=consultation, party=party)
    access.require(request, access.can_reopen_response(request.user, probe), reason="reopen reply", leak_safe=False)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for reopening the reply."))
        return redirect(_party_url(consultation, party))
    try:
        lifecycle.response_reopen_and_notify(
            response=response, user=request.user, reason=form.cleaned_data["reason"], request=request
        )
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("The reply of %(party)s is reopened; the delegation is told why.") % {"party": party.name}
        )
    return redirect(_party_url(consultation, party))


# --- Reminders ----------------------------------------------------------------------------------


@login_required
@require_POST
def send_reminders(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(request, access.can_send_reminders(request.user), reason="send reminders", leak_safe=False)
    consultation = _consultation(slug)
    form = ReminderForm(request.POST)
    back = request.POST.get("next", "")
    if not back.startswith(f"/secretariat/{consultation.slug}/"):
        back = reverse("secretariat:state_of_play", kwargs={"slug": consultation.slug})
    if not form.is_valid():
        messages.error(request, _("Select at least one Party to remind."))
        return redirect(back)
    try:
        result = reminders.reminders_send_manual(
            consultation=consultation, parties=list(form.cleaned_data["parties"]), user=request.user, request=request
        )
    except reminders.ReminderRefused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    sent = Reminder.objects.filter(pk__in=[r.pk for r in result.reminders], status="sent").select_related("party")
    names = [r.party.name for r in sent]
    parts = [
        ngettext(
            "Reminder sent to %(count)d Party: %(list)s.", "Reminder sent to %(count)d Parties: %(list)s.", len(names)
        )
        % {"count": len(names), "list": ", ".join(names)}
    ]
    if result.submitted:
        parts.append(
            _("Left out, already submitted: %(list)s.") % {"list": ", ".join(p.name for p in result.submitted)}
        )
    if result.not_asked:
        parts.append(
            _("Left out, asked none of the questions: %(list)s.")
            % {"list": ", ".join(p.name for p in result.not_asked)}
        )
    if result.no_contact:
        parts.append(
            _("Left out, no delegation contact yet: %(list)s.") % {"list": ", ".join(p.name for p in result.no_contact)}
        )
    failed = len(result.reminders) - len(names)
    if failed:
        parts.append(_("%(count)d could not be sent now and will be retried.") % {"count": failed})
    (messages.warning if failed else messages.success)(request, " ".join(parts))
    return redirect(back)


# --- Lifecycle ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    access.require(request, access.can_manage_consultations(request.user), reason="manage", leak_safe=False)
    form = ConsultationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = lifecycle.consultation_create(user=request.user, request=request, **form.cleaned_data)
        except lifecycle.LifecycleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The consultation is created as a draft; add its items in the administration."))
            return redirect("secretariat:state_of_play", slug=consultation.slug)
    return render(request, "secretariat/consultation_form.html", {"form": form, "source": None})


@login_required
@require_http_methods(["GET", "POST"])
def consultation_duplicate(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(request, access.can_manage_consultations(request.user), reason="manage", leak_safe=False)
    source = _consultation(slug)
    initial = {"slug": f"{source.slug}-next", "title_en": source.title_en, "title_fr": source.title_fr}
    form = ConsultationDuplicateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            new = lifecycle.consultation_duplicate(
                source=source, user=request.user, request=request, **form.cleaned_data
            )
        except lifecycle.LifecycleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The new round is created as a draft."))
            return redirect("secretariat:state_of_play", slug=new.slug)
    return render(request, "secretariat/consultation_form.html", {"form": form, "source": source})


# Lazy: the messages are read in the language of the request that shows them, not of the first import.
LIFECYCLE_ACTIONS = {
    "open": (lifecycle.consultation_open, gettext_lazy("The consultation is open to the Parties.")),
    "close": (lifecycle.consultation_close, gettext_lazy("The consultation is closed.")),
    "archive": (lifecycle.consultation_archive, gettext_lazy("The consultation is archived.")),
}


@login_required
@require_POST
def consultation_transition(request: HttpRequest, slug: str, action: str) -> HttpResponse:
    access.require(request, access.can_manage_consultations(request.user), reason="manage", leak_safe=False)
    consultation = _consultation(slug)
    service, done = LIFECYCLE_ACTIONS[action]
    try:
        service(consultation=consultation, user=request.user, request=request)
    except lifecycle.LifecycleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("secretariat:state_of_play", slug=consultation.slug)


# --- Exports ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def export_view(request: HttpRequest, slug: str) -> HttpResponse:
    access.require(request, access.can_export_answers(request.user), reason="export answers", leak_safe=False)
    consultation = _consultation(slug)
    form = ExportForm(request.POST or None, consultation=consultation, initial={"state": "submitted"})
    if request.method == "POST" and form.is_valid():
        fmt, filters = form.cleaned_data["format"], form.export_filters()
        try:
            clean = exports.export_filters_clean(filters)
            if exports.answers_export_count(consultation=consultation, filters=clean) <= exports.export_direct_limit():
                name, content = exports.answers_export(
                    consultation=consultation, format=fmt, filters=clean, user=request.user, request=request
                )
                response = HttpResponse(content, content_type=exports.FORMATS[fmt])
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
            job = exports.export_job_create(
                consultation=consultation, format=fmt, filters=clean, user=request.user, request=request
            )
        except exports.ExportRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.info(request, _("The export is large: it is being prepared; this page shows its progress."))
            return redirect("secretariat:export_job", slug=consultation.slug, pk=job.pk)
    jobs = ExportJob.objects.filter(consultation=consultation).select_related("requested_by")[:10]
    return render(
        request,
        "secretariat/export.html",
        {"consultation": consultation, "form": form, "jobs": jobs, "direct_limit": exports.export_direct_limit()},
    )


def _job(request: HttpRequest, slug: str, pk: int) -> ExportJob:
    access.require(request, access.can_export_answers(request.user), reason="export answers", leak_safe=False)
    return get_object_or_404(ExportJob.objects.select_related("consultation"), pk=pk, consultation__slug=slug)


@login_required
@require_GET
def export_job(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    job = _job(request, slug, pk)
    template = "secretariat/_export_job.html" if request.htmx else "secretariat/export_job.html"
    return render(
        request,
        template,
        {"consultation": job.consultation, "job": job, "running": job.status in (JobStatus.QUEUED, JobStatus.RUNNING)},
    )


@login_required
@require_GET
def export_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    job = _job(request, slug, pk)
    if job.status != JobStatus.DONE or not job.file:
        messages.error(request, _("This export is not ready."))
        return redirect("secretariat:export_job", slug=slug, pk=pk)
    name, handle = exports.export_job_file(job=job)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=exports.FORMATS[job.format])
