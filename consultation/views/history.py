"""An answer's history: its versions, restoring one, and "no change since the previous round"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from ..answer_values import AnswerInvalid
from ..forms import (
    base_version_from_post,
)
from ..models import Answer, Consultation, Item, Response
from ..selectors import workspace as selectors
from ..services.answers import (
    AnswerConflict,
    ReplyLocked,
    answer_restore,
    reply_lock_reason,
)
from ..services.attachments import AttachmentRefused
from ..services.rounds import NothingToConfirm, answer_confirm_unchanged
from .workspace_common import (
    _item_reply_url,
    _own_item,
    _own_reply,
    workspace_login_required,
)


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
    return _history_page(request, consultation, response, _own_item(consultation, code, response))


def _history_page(
    request: HttpRequest, consultation: Consultation, response: Response, item_obj: Item, status: int = 200
) -> HttpResponse:
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
            "reply_url": _item_reply_url(consultation, item_obj, response.party_id),
        },
        status=status,
    )


@workspace_login_required
@require_POST
def answer_restore_view(request: HttpRequest, slug: str, code: str, version: int) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code, response)
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
    except AnswerInvalid as exc:  # a version the checks of today refuse (a control character saved before them)
        reason = " ".join(exc.errors.values())
        messages.error(request, _("Not restored: %(reason)s") % {"reason": reason})
        return _history_page(request, consultation, response, item_obj, status=422)
    except ReplyLocked as exc:
        messages.error(request, _("Not restored: %(reason)s") % {"reason": str(exc)})
        return redirect(history_url)
    messages.success(
        request,
        _("Version %(old)d restored as version %(new)d.") % {"old": version, "new": restored.version},
    )
    return redirect(history_url)


@workspace_login_required
@require_POST
def answer_no_change(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """ "No change since <round>": the Party's submitted answer of the previous round, confirmed as a new version."""
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code, response)
    back = _item_reply_url(consultation, item_obj, response.party_id)
    reason = reply_lock_reason(response=response)
    if reason:
        messages.error(request, _("Not confirmed: %(reason)s") % {"reason": reason})
        return redirect(back)
    access.require(request, access.can_edit_response(request.user, response), reason="answer.no_change", obj=response)
    try:
        answer = answer_confirm_unchanged(
            response=response,
            item=item_obj,
            base_version=base_version_from_post(request.POST) or 0,
            user=request.user,
            request=request,
        )
    except NothingToConfirm as exc:
        messages.error(request, str(exc))
        return redirect(back)
    except AttachmentRefused as exc:  # a document of the earlier answer is gone from storage, or one too many
        messages.error(request, _("Not confirmed: %(reason)s") % {"reason": str(exc)})
        return redirect(back)
    except AnswerConflict:
        messages.error(
            request,
            _(
                "Not confirmed: a colleague saved this answer since you opened the page. Look at it, then confirm again."
            ),
        )
        return redirect(back)
    except AnswerInvalid as exc:
        messages.error(
            request,
            _("Not confirmed: the earlier answer no longer fits this question (%(reason)s). Answer it below.")
            % {"reason": " ".join(exc.errors.values())},
        )
        return redirect(back)
    except ReplyLocked as exc:
        messages.error(request, _("Not confirmed: %(reason)s") % {"reason": str(exc)})
        return redirect(back)
    messages.success(
        request,
        _("%(code)s: the previous round's answer is confirmed unchanged (version %(version)d).")
        % {"code": item_obj.code, "version": answer.version},
    )
    return redirect(back)


# --- Review and sign-off -----------------------------------------------------------------------
