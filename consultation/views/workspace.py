"""The delegation workspace: home, reply page with per-item autosave, history, review and sign-off.

Every URL here works on the signed-in person's own Party's reply (no URL names a Party). Views
parse input, ask ``accounts.access``, call one service or selector and render. Autosave answers
with small htmx fragments: the status line (200), the conflict (409), field errors (422) or the
lock reason (423); the same URLs work without JavaScript (redirects and full pages).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..answer_values import AnswerInvalid
from ..forms import (
    AttachmentUploadForm,
    SubmitConfirmForm,
    answer_data_from_post,
    answer_language_from_post,
    base_version_from_post,
)
from ..models import Answer, Attachment, Consultation, FieldType, Item, Response
from ..selectors import workspace as selectors
from ..services.answers import AnswerConflict, ReplyLocked, answer_restore, answer_save_draft, reply_lock_reason
from ..services.attachments import AttachmentRefused, attachment_add, attachment_remove
from ..services.responses import InvalidTransition, SubmissionIncomplete, response_mark_ready, response_submit

CONTROL_FIELDS = frozenset({"csrfmiddlewaretoken", "base_version", "_resolve"})


def workspace_login_required(view):
    """Like ``login_required``, but an expired session during autosave gets a clear fragment (401), not
    the log-in page swapped into the status line."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if getattr(request, "htmx", False):
            message = _("Your session has ended: sign in again in another tab, then change a field to save.")
            return render(request, "consultation/_status_error.html", {"message": message}, status=401)
        return redirect_to_login(request.get_full_path())

    return wrapped


def _ui_language() -> str:
    return (get_language() or "en")[:2]


def _own_reply(request: HttpRequest, slug: str) -> tuple[Consultation, Response]:
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_open_reply(request.user, consultation), reason="reply.open", obj=consultation)
    party_id = access.roles_of(request.user).party_id
    return consultation, selectors.reply_for_party(consultation=consultation, party_id=party_id)


def _own_item(consultation: Consultation, code: str) -> Item:
    item = selectors.item_for_reply(consultation=consultation, code=code)
    if item is None:
        raise Http404("No such item.")
    return item


def _reply_url(consultation: Consultation, item: Item | None = None, theme_code: str = "") -> str:
    url = reverse("consultation:reply", args=[consultation.slug])
    if theme_code:
        url += f"?theme={theme_code}"
    if item is not None:
        url += f"#item-{item.pk}"
    return url


def _lock_context(response: Response) -> dict[str, Any]:
    return {"lock_reason": reply_lock_reason(response=response)}


# --- Home --------------------------------------------------------------------------------------


@workspace_login_required
@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    access.require(request, roles.has_delegation, reason="workspace.home", leak_safe=False)
    party = request.user.membership.party
    rows = selectors.delegation_home(party=party)
    return render(request, "consultation/home.html", {"party": party, "rows": rows})


# --- Reply page and item fragments -------------------------------------------------------------


@workspace_login_required
@require_GET
@never_cache
def reply(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    try:
        page = int(request.GET.get("page", "1"))
    except ValueError:
        page = 1
    context = selectors.reply_page(
        consultation=consultation, response=response, theme_code=request.GET.get("theme", ""), page=page
    )
    can_edit = access.can_edit_response(request.user, response)
    return render(
        request,
        "consultation/reply.html",
        {
            "page": context,
            "consultation": consultation,
            "reply": response,
            "can_edit": can_edit,
            "ui_language": _ui_language(),
            "attachment_limit": settings.ATTACHMENT_MAX_BYTES,
            **_lock_context(response),
        },
    )


def _item_context(request: HttpRequest, consultation: Consultation, response: Response, view) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "reply": response,
        "iv": view,
        "can_edit": access.can_edit_response(request.user, response),
        "ui_language": _ui_language(),
        "attachment_limit": settings.ATTACHMENT_MAX_BYTES,
    }


@workspace_login_required
@require_http_methods(["GET", "POST"])
@never_cache
def item(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """GET: the item's form fragment (for "take theirs"); POST: save the item's answer."""
    if request.method == "POST":
        return answer_save(request, slug, code)
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code)
    view = selectors.item_view_for(item=item_obj, response=response)
    context = _item_context(request, consultation, response, view)
    if getattr(request, "htmx", False):
        return render(request, "consultation/_item_body.html", context)
    return render(request, "consultation/item_page.html", context)


def _posted_pairs(request: HttpRequest, *, exclude: set[str] | frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [
        (name, value)
        for name, values in request.POST.lists()
        if name not in CONTROL_FIELDS and name not in exclude
        for value in values
    ]


def _refused(request, consultation, response, item_obj, *, status, data=None, errors=None, extra=None, language=None):
    """A refused save: the typed values stay on the page (htmx: only the status and messages change)."""
    view = selectors.item_view_for(item=item_obj, response=response, data=data, errors=errors, language=language)
    context = {**_item_context(request, consultation, response, view), **(extra or {}), "status_code": status}
    if getattr(request, "htmx", False):
        html = render(request, "consultation/_save_refused.html", context, status=status)
        html["HX-Retarget"] = f"#status-{item_obj.pk}"
        html["HX-Reswap"] = "innerHTML"
        return html
    return render(request, "consultation/item_page.html", context, status=status)


@workspace_login_required
@require_POST
def answer_save(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code)
    fields = list(item_obj.fields.all())
    data, errors = answer_data_from_post(fields=fields, post=request.POST)
    language = answer_language_from_post(request.POST, default=_ui_language())
    base_version = base_version_from_post(request.POST)
    refused = functools.partial(_refused, request, consultation, response, item_obj, data=data, language=language)
    reason = reply_lock_reason(response=response)
    if reason and access.is_own_party(request.user, response.party_id):
        return refused(status=423, extra={"message": reason})
    access.require(request, access.can_edit_response(request.user, response), reason="answer.save", obj=response)
    if base_version is None:
        return refused(status=400, extra={"message": _("The form is incomplete (no version): reload the page.")})
    if errors:
        return refused(status=422, errors=errors)
    try:
        answer = answer_save_draft(
            response=response, item=item_obj, data=data, base_version=base_version, user=request.user, language=language
        )
    except AnswerInvalid as exc:
        return refused(status=422, errors=exc.errors)
    except ReplyLocked as exc:
        return refused(status=423, extra={"message": str(exc)})
    except AnswerConflict as exc:
        text_keys = {f"f-{f.key}" for f in fields if f.type == FieldType.TEXT}
        return refused(
            status=409,
            extra={
                "theirs": exc.current,
                "conflict_rows": selectors.conflict_view(item=item_obj, mine=data, theirs=exc.current),
                "mine_pairs": _posted_pairs(request),
                "merge_pairs": _posted_pairs(request, exclude=text_keys),
            },
        )
    if not getattr(request, "htmx", False):
        messages.success(
            request, _("%(code)s saved (version %(version)d).") % {"code": item_obj.code, "version": answer.version}
        )
        return redirect(_reply_url(consultation, item_obj, request.GET.get("theme", "")))
    view = selectors.item_view(item=item_obj, answer=answer, attachments={}, language=answer.language)
    context = _item_context(request, consultation, response, view)
    if request.POST.get("_resolve"):
        view = selectors.item_view_for(item=item_obj, response=answer.response)
        context = {**_item_context(request, consultation, answer.response, view), "just_saved": True}
        return render(request, "consultation/_item_body.html", context)
    return render(request, "consultation/_save_status.html", {**context, "just_saved": True})


# --- History -----------------------------------------------------------------------------------


def _own_answer(response: Response, item_obj: Item) -> Answer:
    if response.pk is None:
        raise Http404("Nothing saved yet.")
    answer = Answer.objects.filter(response=response, item=item_obj).select_related("updated_by").first()
    if answer is None:
        raise Http404("Nothing saved yet.")
    return answer


@workspace_login_required
@require_GET
@never_cache
def answer_history(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    access.require(request, access.can_view_response(request.user, response), reason="answer.history", obj=response)
    item_obj = _own_item(consultation, code)
    answer = Answer.objects.filter(response_id=response.pk, item=item_obj).select_related("updated_by").first()
    entries = selectors.answer_history(answer=answer) if answer else []
    return render(
        request,
        "consultation/history.html",
        {
            "consultation": consultation,
            "reply": response,
            "item": item_obj,
            "answer": answer,
            "entries": entries,
            "can_edit": access.can_edit_response(request.user, response),
        },
    )


@workspace_login_required
@require_POST
def answer_restore_view(request: HttpRequest, slug: str, code: str, version: int) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code)
    answer = _own_answer(response, item_obj)
    history_url = reverse("consultation:answer_history", args=[consultation.slug, item_obj.code])
    reason = reply_lock_reason(response=response)
    if reason:
        messages.error(request, reason)
        return redirect(history_url)
    access.require(request, access.can_edit_response(request.user, response), reason="answer.restore", obj=response)
    base_version = base_version_from_post(request.POST)
    if not answer.revisions.filter(version=version).exists():
        raise Http404("No such version.")
    try:
        restored = answer_restore(answer=answer, version=version, base_version=base_version or 0, user=request.user)
    except AnswerConflict as exc:
        messages.error(
            request,
            _("Not restored: %(reason)s Look at the latest version below, then restore again if you still want to.")
            % {"reason": str(exc)},
        )
        return redirect(history_url)
    except (AnswerInvalid, ReplyLocked) as exc:
        messages.error(request, _("Not restored: %(reason)s") % {"reason": str(exc)})
        return redirect(history_url)
    messages.success(
        request,
        _("Version %(old)d restored as version %(new)d.") % {"old": version, "new": restored.version},
    )
    return redirect(history_url)


# --- Review and sign-off -----------------------------------------------------------------------


def _review_context(request: HttpRequest, consultation: Consultation, response: Response) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "reply": response,
        **selectors.reply_readonly_context(response=response),
        "heads": selectors.party_heads(party_id=response.party_id),
        "can_edit": access.can_edit_response(request.user, response),
        "can_mark_ready": access.can_mark_ready(request.user, response),
        "can_submit": access.can_submit_response(request.user, response),
        **_lock_context(response),
    }


@workspace_login_required
@require_GET
@never_cache
def review(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    return render(request, "consultation/review.html", _review_context(request, consultation, response))


@workspace_login_required
@require_POST
def mark_ready(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    access.require(
        request, access.can_mark_ready(request.user, response), reason="reply.mark_ready", obj=response, leak_safe=False
    )
    if response.pk is None:
        from ..services.answers import response_get_or_create

        response = response_get_or_create(consultation=consultation, party=request.user.membership.party)
    try:
        response_mark_ready(response=response, user=request.user, request=request)
    except (ReplyLocked, InvalidTransition) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The reply is marked ready for sign-off by the head of delegation."))
    return redirect("consultation:review", slug=consultation.slug)


@workspace_login_required
@require_http_methods(["GET", "POST"])
@never_cache
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    access.require(
        request,
        access.can_submit_response(request.user, response),
        reason="reply.submit",
        obj=response,
        leak_safe=False,
    )
    form = SubmitConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if response.pk is None:
            from ..services.answers import response_get_or_create

            response = response_get_or_create(consultation=consultation, party=request.user.membership.party)
        try:
            response_submit(response=response, user=request.user, request=request)
        except SubmissionIncomplete as exc:
            messages.error(
                request,
                _("Not submitted: %(count)d required answers are missing. They are listed below.")
                % {"count": len(exc.missing)},
            )
            status = 422
        except ReplyLocked as exc:
            messages.error(request, _("Not submitted: %(reason)s") % {"reason": str(exc)})
            status = 423
        else:
            messages.success(request, _("The reply has been submitted. It is now locked."))
            return redirect("consultation:review", slug=consultation.slug)
    elif request.method == "POST":
        status = 422
    context = {**_review_context(request, consultation, response), "form": form}
    return render(request, "consultation/submit.html", context, status=status)


# --- Attachments -------------------------------------------------------------------------------


@workspace_login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code)
    reason = reply_lock_reason(response=response)
    back = _reply_url(consultation, item_obj, request.POST.get("theme", ""))
    if reason:
        messages.error(request, reason)
        return redirect(back)
    access.require(request, access.can_edit_response(request.user, response), reason="attachment.upload", obj=response)
    form = AttachmentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect(back)
    if response.pk is None:
        response.party = request.user.membership.party
    try:
        attachment = attachment_add(
            response=response,
            item=item_obj,
            field_key=form.cleaned_data["field_key"],
            upload=form.cleaned_data["file"],
            user=request.user,
            request=request,
        )
    except (AttachmentRefused, ReplyLocked, AnswerInvalid) as exc:
        messages.error(request, _("Not attached: %(reason)s") % {"reason": str(exc)})
        return redirect(back)
    messages.success(
        request, _("“%(name)s” attached to %(code)s.") % {"name": attachment.original_name, "code": item_obj.code}
    )
    return redirect(back)


def _attachment_or_404(request: HttpRequest, pk: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("answer__response__consultation", "answer__item", "field")
        .filter(pk=pk)
        .first()
    )
    if attachment is None:
        raise Http404("No such attachment.")
    access.require(
        request, access.can_download_attachment(request.user, attachment), reason="attachment", obj=attachment
    )
    return attachment


@workspace_login_required
@require_POST
def attachment_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    attachment = _attachment_or_404(request, pk)
    if attachment.answer.response_id != response.pk:
        raise Http404("No such attachment.")
    back = _reply_url(consultation, attachment.answer.item)
    reason = reply_lock_reason(response=response)
    if reason:
        messages.error(request, reason)
        return redirect(back)
    access.require(request, access.can_edit_response(request.user, response), reason="attachment.delete", obj=response)
    name = attachment.original_name
    try:
        attachment_remove(attachment=attachment, user=request.user, request=request)
    except (ReplyLocked, AnswerInvalid) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("“%(name)s” removed.") % {"name": name})
    return redirect(back)


@workspace_login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment_or_404(request, pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("The stored file is missing.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- Articles ----------------------------------------------------------------------------------


@workspace_login_required
@require_GET
def article(request: HttpRequest, number: int) -> HttpResponse:
    access.require(request, access.can_view_article(request.user), reason="article", leak_safe=False)
    context = selectors.article_page(number=number)
    if context is None:
        raise Http404("No such article.")
    return render(request, "consultation/article.html", context)
