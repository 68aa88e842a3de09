"""The delegation's teamwork on its reply: an item's assignment and internal comments, and who is editing.

Every URL works on the signed-in person's own Party's reply; ``accounts.access.can_view_teamwork`` keeps it to
the delegation (the Secretariat, the Committee and other delegations get 404). With htmx, the forms answer with
the item's team panel (and its header line, out of band); without JavaScript, they redirect to the item's team
page. Presence is one heartbeat per page every few seconds, answered with each item's "who is editing" line.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import access

from ..forms_teamwork import AssignmentForm, CommentForm
from ..models import Consultation, Item, ItemComment, Response
from ..selectors import teamwork as team_selectors
from ..services.answers import response_get_or_create
from ..services.teamwork import (
    TeamworkRefused,
    item_assignment_set,
    item_comment_add,
    item_comment_resolve,
    mention_handle,
    mention_handles,
    presence_beat,
)
from .workspace_common import _item_reply_url, _own_item, _own_reply, workspace_login_required

PRESENCE_MAX_ITEMS = 200


def _team_reply(request: HttpRequest, slug: str) -> tuple[Consultation, Response]:
    consultation, response = _own_reply(request, slug)
    access.require(request, access.can_view_teamwork(request.user, response), reason="team.view", obj=response)
    return consultation, response


def _auto_id(item: Item) -> str:
    """Field ids unique on a reply page that shows many items' panels."""
    return f"team{item.pk}-%s"


def _saved_reply(request: HttpRequest, consultation: Consultation, response: Response) -> Response:
    """The reply row, created on the first teamwork write (GET never writes)."""
    if response.pk is not None:
        return response
    return response_get_or_create(consultation=consultation, party=request.user.membership.party)


def _panel_context(
    request: HttpRequest,
    consultation: Consultation,
    response: Response,
    item: Item,
    *,
    assignment_form: AssignmentForm | None = None,
    comment_form: CommentForm | None = None,
) -> dict[str, Any]:
    colleagues = team_selectors.delegation_colleagues(party_id=response.party_id)
    assignment = team_selectors.item_assignment(response=response, item=item)
    if assignment_form is None:
        initial = {"assignee": None, "due_on": None, "status": "todo"}
        if assignment is not None:
            initial = {"assignee": assignment.assignee_id, "due_on": assignment.due_on, "status": assignment.status}
        assignment_form = AssignmentForm(initial=initial, colleagues=colleagues, auto_id=_auto_id(item))
    handles = mention_handles(colleagues=colleagues)
    comments = team_selectors.item_comments(response=response, item=item)
    team = team_selectors.ItemTeam(
        assignment=assignment,
        comments_total=len(comments),
        comments_open=sum(1 for c in comments if c.resolved_at is None),
    )
    return {
        "consultation": consultation,
        "reply": response,
        "item": item,
        "team": team,
        "assignment": assignment,
        "assignment_form": assignment_form,
        "comment_form": comment_form or CommentForm(auto_id=_auto_id(item)),
        "comments": comments,
        "mention_examples": [mention_handle(person=p, handles=handles) for p in colleagues if p.pk != request.user.pk][
            :6
        ],
        "can_assign": access.can_assign_items(request.user, response),
        "can_comment": access.can_comment_item(request.user, response),
        "team_url": reverse("consultation:item_team", args=[consultation.slug, item.code]),
        "reply_item_url": _item_reply_url(consultation, item),
    }


def _panel(request: HttpRequest, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    if getattr(request, "htmx", False):
        return render(request, "consultation/_team_panel.html", {**context, "oob": True}, status=status)
    return render(request, "consultation/team_item.html", context, status=status)


@workspace_login_required
@require_GET
@never_cache
def item_team(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """The item's assignment and internal comments (the panel with htmx, a page of its own without)."""
    consultation, response = _team_reply(request, slug)
    item = _own_item(consultation, code, response)
    return _panel(request, _panel_context(request, consultation, response, item))


@workspace_login_required
@require_POST
def item_assign(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _team_reply(request, slug)
    item = _own_item(consultation, code, response)
    access.require(
        request, access.can_assign_items(request.user, response), reason="team.assign", obj=response, leak_safe=False
    )
    colleagues = team_selectors.delegation_colleagues(party_id=response.party_id)
    form = AssignmentForm(request.POST, colleagues=colleagues, auto_id=_auto_id(item))
    if form.is_valid():
        try:
            item_assignment_set(
                response=_saved_reply(request, consultation, response),
                item=item,
                assignee=form.assignee_user(),
                due_on=form.cleaned_data["due_on"],
                status=form.cleaned_data["status"],
                user=request.user,
                request=request,
            )
        except TeamworkRefused as exc:
            for name, message in exc.errors.items():
                form.add_error(name if name in form.fields else None, message)
    if not form.is_valid():
        context = _panel_context(request, consultation, response, item, assignment_form=form)
        return _panel(request, context, status=422)
    response = _team_reply(request, slug)[1]
    if not getattr(request, "htmx", False):
        messages.success(request, _("Assignment of %(code)s saved.") % {"code": item.code})
        return redirect("consultation:item_team", slug=consultation.slug, code=item.code)
    context = _panel_context(request, consultation, response, item)
    return _panel(request, {**context, "notice": _("Assignment saved.")})


@workspace_login_required
@require_POST
def item_comment(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    consultation, response = _team_reply(request, slug)
    item = _own_item(consultation, code, response)
    access.require(
        request, access.can_comment_item(request.user, response), reason="team.comment", obj=response, leak_safe=False
    )
    form = CommentForm(request.POST, auto_id=_auto_id(item))
    if form.is_valid():
        try:
            item_comment_add(
                response=_saved_reply(request, consultation, response),
                item=item,
                author=request.user,
                body=form.cleaned_data["body"],
                request=request,
            )
        except TeamworkRefused as exc:
            form.add_error("body", " ".join(exc.errors.values()))
    if not form.is_valid():
        context = _panel_context(request, consultation, response, item, comment_form=form)
        return _panel(request, context, status=422)
    response = _team_reply(request, slug)[1]
    if not getattr(request, "htmx", False):
        messages.success(request, _("Comment added to %(code)s.") % {"code": item.code})
        return redirect("consultation:item_team", slug=consultation.slug, code=item.code)
    context = _panel_context(request, consultation, response, item)
    return _panel(request, {**context, "notice": _("Comment added.")})


@workspace_login_required
@require_POST
def comment_resolve(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Resolve a comment (``reopen=1``: open it again)."""
    consultation, response = _team_reply(request, slug)
    comment = ItemComment.objects.select_related("item", "response").filter(pk=pk, response_id=response.pk).first()
    # Another delegation's comment (or none): refused as not found, and recorded like every denial.
    access.require(request, comment is not None and response.pk is not None, reason="team.resolve")
    access.require(request, access.can_resolve_comment(request.user, comment), reason="team.resolve", obj=comment)
    reopen = request.POST.get("reopen") == "1"
    item_comment_resolve(comment=comment, user=request.user, resolved=not reopen, request=request)
    if not getattr(request, "htmx", False):
        messages.success(request, _("Comment reopened.") if reopen else _("Comment resolved."))
        return redirect("consultation:item_team", slug=consultation.slug, code=comment.item.code)
    context = _panel_context(request, consultation, response, comment.item)
    return _panel(request, {**context, "notice": _("Comment reopened.") if reopen else _("Comment resolved.")})


def _posted_item_ids(request: HttpRequest) -> list[int]:
    ids = []
    for part in request.POST.get("items", "").split(",")[:PRESENCE_MAX_ITEMS]:
        if part.strip().isdigit():
            ids.append(int(part))
    return ids


@workspace_login_required
@require_POST
def presence(request: HttpRequest, slug: str) -> HttpResponse:
    """The page's heartbeat: records the item the person has open (``editing``: its code, or empty) and answers
    with the "who is editing" line of every item on the page (``items``: their ids), swapped in out of band."""
    consultation, response = _team_reply(request, slug)
    access.require(
        request,
        access.can_signal_presence(request.user, response),
        reason="team.presence",
        obj=response,
        leak_safe=False,
    )
    code = request.POST.get("editing", "").strip()
    item = _own_item(consultation, code, response) if code else None
    if item is not None:
        response = _saved_reply(request, consultation, response)
    if response.pk is not None:
        presence_beat(response=response, user=request.user, item=item)
    editing = team_selectors.editing_now(response=response, user=request.user)
    rows = [{"pk": pk, "names": editing.get(pk, [])} for pk in _posted_item_ids(request)]
    return render(request, "consultation/_presence.html", {"rows": rows})
