"""Review and sign-off: the review page, "ready for sign-off", and the head's submission with its marks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..forms import (
    SubmitConfirmForm,
)
from ..models import Consultation, Response
from ..selectors import teamwork as team_selectors
from ..selectors import workspace as selectors
from ..services.answers import (
    ReplyLocked,
)
from ..services.confidentiality import Mark, MarksInvalid, ReplyMarks
from ..services.responses import InvalidTransition, SubmissionIncomplete, response_mark_ready, response_submit
from .workspace_common import (
    _lock_context,
    _own_reply,
    workspace_login_required,
)


def _review_context(request: HttpRequest, consultation: Consultation, response: Response) -> dict[str, Any]:
    readonly = selectors.reply_readonly_context(response=response)
    if access.can_view_teamwork(request.user, response):
        readonly.update(
            team_selectors.review_teamwork(
                reply_themes=readonly["reply_themes"],
                response=response,
                user=request.user,
                mine=request.GET.get("mine") == "1",
            )
        )
    return {
        "consultation": consultation,
        "reply": response,
        **readonly,
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
    marks_rows = selectors.reply_marks_rows(response=response)
    if request.method == "POST":
        _marks_rows_posted(marks_rows, request.POST)
    if request.method == "POST" and form.is_valid():
        if response.pk is None:
            from ..services.answers import response_get_or_create

            response = response_get_or_create(consultation=consultation, party=request.user.membership.party)
        try:
            response_submit(response=response, user=request.user, request=request, marks=_marks_posted(request.POST))
        except MarksInvalid as exc:
            messages.error(request, _("Not submitted: %(reason)s") % {"reason": str(exc)})
            status = 422
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
            return redirect("consultation:receipt", slug=consultation.slug)
    elif request.method == "POST":
        status = 422
    context = {**_review_context(request, consultation, response), "form": form, "marks_rows": marks_rows}
    return render(request, "consultation/submit.html", context, status=status)


def _marks_posted(post: Any) -> ReplyMarks | None:
    """The sign-off page's "not for publication" boxes (``conf-i<item>``, ``conf-d<document>`` and their
    ``-reason``); ``None`` when the page posted no marks (the form of an older page), so nothing changes."""
    if post.get("marks") != "1":
        return None
    answers: dict[int, Mark] = {}
    documents: dict[int, Mark] = {}
    for name in post.getlist("marked"):
        kind, _sep, raw = name.partition("-")
        if not raw.isdigit() or kind not in ("i", "d"):
            continue
        mark = Mark(confidential=post.get(f"conf-{name}") == "1", reason=post.get(f"conf-{name}-reason", ""))
        (answers if kind == "i" else documents)[int(raw)] = mark
    return ReplyMarks(answers=answers, attachments=documents)


def _marks_rows_posted(rows: list[dict[str, Any]], post: Any) -> None:
    """Show a refused page with the boxes as the head left them, not as they were recorded."""
    if post.get("marks") != "1":
        return
    for row in rows:
        name = f"i-{row['item'].pk}"
        row["confidential"] = post.get(f"conf-{name}") == "1"
        row["reason"] = post.get(f"conf-{name}-reason", "")
        for doc in row["documents"]:
            name = f"d-{doc['document'].pk}"
            doc["confidential"] = post.get(f"conf-{name}") == "1"
            doc["reason"] = post.get(f"conf-{name}-reason", "")


# --- Attachments -------------------------------------------------------------------------------
