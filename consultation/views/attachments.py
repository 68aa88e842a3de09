"""Documents attached to answers: upload, removal and the access-checked download."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from ..answer_values import AnswerInvalid
from ..forms import (
    AttachmentUploadForm,
)
from ..models import Attachment
from ..services.answers import (
    ReplyLocked,
    reply_lock_reason,
)
from ..services.attachments import AttachmentRefused, attachment_add, attachment_remove
from .workspace_common import (
    _item_reply_url,
    _own_item,
    _own_reply,
    workspace_login_required,
)


@workspace_login_required
@require_POST
def attachment_upload(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code, response)
    reason = reply_lock_reason(response=response)
    back = _item_reply_url(consultation, item_obj, response.party_id)
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
    back = _item_reply_url(consultation, attachment.answer.item, response.party_id)
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
