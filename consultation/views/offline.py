"""Offline round trip and exports of one's own reply: XLSX and Word-form downloads, their upload with a
preview and a confirmation, reply as DOCX and PDF, the blank questionnaire as PDF and Word form (EN/FR).

Like every delegation URL, these never name a Party: the reply is always the signed-in person's
own Party's. Reading needs ``can_view_response``, importing ``can_edit_response``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from .. import documents
from ..forms_offline import WorkbookUploadForm, conflict_choices
from ..models import Response
from ..selectors.offline import ReplyDocument, reply_document_get
from ..services import offline as service
from ..services.answers import reply_lock_reason
from .workspace_common import _own_reply

BLANK_LANGUAGES = ("en", "fr")


def _own_response(request: HttpRequest, slug: str) -> Response:
    """The signed-in person's own Party's reply (unsaved if none exists yet), under the reply pages' rule."""
    _consultation, response = _own_reply(request, slug)
    return response


def _document(response: Response) -> ReplyDocument:
    return reply_document_get(
        consultation=response.consultation,
        party=response.party,
        response=response if response.pk else None,
        submitted_at=response.submitted_at if response.status == "submitted" else None,
    )


def _download(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _require_edit(request: HttpRequest, response: Response) -> None:
    access.require(
        request,
        access.can_edit_response(request.user, response),
        reason="offline.import",
        obj=response,
        leak_safe=False,
    )


@login_required
@require_GET
@never_cache
def index(request: HttpRequest, slug: str) -> HttpResponse:
    response = _own_response(request, slug)
    return render(request, "consultation/offline/index.html", _index_context(request, response, WorkbookUploadForm()))


def _index_context(request: HttpRequest, response: Response, form: WorkbookUploadForm, refusal: str = "") -> dict:
    can_edit = access.can_edit_response(request.user, response)
    return {
        "consultation": response.consultation,
        "reply": response,
        "form": form,
        "can_edit": can_edit,
        "lock_reason": "" if can_edit else (reply_lock_reason(response=response) or ""),
        "refusal": refusal,
    }


@login_required
@require_GET
@never_cache
def xlsx_export(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(_own_response(request, slug))
    return _download(
        service.offline_workbook_export(document=document),
        filename=documents.reply_filename(document, extension="xlsx", reading_copy=True),
        content_type=documents.XLSX_CONTENT_TYPE,
    )


@login_required
@require_GET
@never_cache
def questionnaire_docx(request: HttpRequest, slug: str) -> HttpResponse:
    """The Word form pre-filled with the reply: filled in by the ministries, uploaded back below."""
    document = _document(_own_response(request, slug))
    return _download(
        service.questionnaire_form_docx(document),
        filename=documents.reply_filename(document, extension="docx", reading_copy=True),
        content_type=documents.DOCX_CONTENT_TYPE,
    )


def _blank_document(request: HttpRequest, slug: str, language: str) -> ReplyDocument:
    if language not in BLANK_LANGUAGES:
        raise Http404(_("The questionnaire exists in English (en) and French (fr)."))
    response = _own_response(request, slug)
    return reply_document_get(consultation=response.consultation, party=response.party, response=None)


@login_required
@require_GET
@never_cache
def blank_pdf(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The blank questionnaire as PDF, in English or French, for the ministries of the national consultation."""
    with translation.override(language):
        document = _blank_document(request, slug, language)
        content = documents.blank_questionnaire_pdf(document)
        filename = documents.blank_filename(document, extension="pdf")
    return _download(content, filename=filename, content_type=documents.PDF_CONTENT_TYPE)


@login_required
@require_GET
@never_cache
def blank_docx(request: HttpRequest, slug: str, language: str) -> HttpResponse:
    """The blank questionnaire as a Word form, in English or French; filled in, it can be uploaded like the reply's."""
    with translation.override(language):
        document = _blank_document(request, slug, language)
        content = service.questionnaire_form_docx(document, blank=True)
        filename = documents.blank_filename(document, extension="docx")
    return _download(content, filename=filename, content_type=documents.DOCX_CONTENT_TYPE)


@login_required
@require_GET
@never_cache
def reply_docx(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(_own_response(request, slug))
    return _download(
        documents.reply_docx(document),
        filename=documents.reply_filename(document, extension="docx"),
        content_type=documents.DOCX_CONTENT_TYPE,
    )


@login_required
@require_GET
@never_cache
def reply_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    document = _document(_own_response(request, slug))
    return _download(
        documents.reply_pdf(document),
        filename=documents.reply_filename(document, extension="pdf"),
        content_type=documents.PDF_CONTENT_TYPE,
    )


@login_required
@require_POST
def xlsx_import(request: HttpRequest, slug: str) -> HttpResponse:
    """Upload: check and read the workbook, keep the validated preview server-side, show it. Writes nothing: a
    Party with no reply yet gets its reply row when the import is confirmed, not when a file is refused."""
    response = _own_response(request, slug)
    _require_edit(request, response)
    form = WorkbookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "consultation/offline/index.html", _index_context(request, response, form), status=400)
    upload = form.cleaned_data["workbook"]
    try:
        preview = service.upload_import_preview(response=response, content=form.content(), filename=upload.name)
    except service.ImportRefused as refused:
        context = _index_context(request, response, WorkbookUploadForm(), refusal=str(refused))
        return render(request, "consultation/offline/index.html", context, status=400)
    token = service.import_preview_store(session=request.session, preview=preview, user=request.user, response=response)
    return redirect("offline:import_preview", slug=slug, token=token)


def _stored_preview(request: HttpRequest, response: Response, token: str) -> service.ImportPreview:
    preview = service.import_preview_load(session=request.session, token=token, user=request.user, response=response)
    if preview is None:
        raise Http404(_("This import preview has expired or does not exist; upload the file again."))
    return preview


@login_required
@require_GET
@never_cache
def import_preview(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    response = _own_response(request, slug)
    _require_edit(request, response)
    preview = _stored_preview(request, response, token)
    return render(
        request,
        "consultation/offline/preview.html",
        {"consultation": response.consultation, "reply": response, "preview": preview, "token": token},
        status=200,
    )


@login_required
@require_POST
def import_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """Confirm (or cancel): save every change and each conflict taken from the file, all or nothing."""
    response = _own_response(request, slug)
    _require_edit(request, response)
    preview = _stored_preview(request, response, token)
    index_url = reverse("offline:index", kwargs={"slug": slug})
    if request.POST.get("action") == "cancel":
        service.import_preview_discard(session=request.session, token=token)
        messages.info(request, _("The import was cancelled; nothing was saved."))
        return redirect(index_url)
    take_file = conflict_choices(request.POST, [change.item_code for change in preview.conflicts])
    try:
        result = service.offline_import_apply(
            response=response, preview=preview, take_file=take_file, user=request.user, request=request
        )
    except service.ImportNotApplied as refused:
        messages.error(request, str(refused))
        return redirect(index_url)
    service.import_preview_discard(session=request.session, token=token)
    if result.saved:
        messages.success(
            request,
            _("Import done: %(count)d answers saved (%(codes)s).")
            % {"count": len(result.saved), "codes": ", ".join(result.saved)},
        )
    else:
        messages.info(request, _("Import done: the file changed no answer."))
    if result.kept_online:
        messages.info(
            request,
            _("Kept as answered online: %(codes)s.") % {"codes": ", ".join(result.kept_online)},
        )
    return redirect(index_url)
