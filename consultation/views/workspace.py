"""The delegation workspace: home, reply page with per-item autosave, the "save all" section form, article pages.

Every URL here works on the signed-in person's own Party's reply (no URL names a Party). Views
parse input, ask ``accounts.access``, call one service or selector and render. Autosave answers
with small htmx fragments: the status line (200), the conflict (409), field errors (422) or the
lock reason (423); the same URLs work without JavaScript (redirects and full pages).

The reply page is also one section form: "Save all answers on this page" posts every item of the
page at once (``section_save``), all or nothing, and is how the page saves without JavaScript.
History, sign-off and attachments have modules of their own; what they share is in ``workspace_common``.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..answer_values import LEGAL_REFERENCE_MAX_ROWS, AnswerInvalid
from ..forms import (
    PostedItem,
    answer_data_from_post,
    answer_language_from_post,
    base_version_from_post,
    data_is_blank,
    item_prefix_posted,
    posted_item_ids,
    posted_pairs,
    section_from_post,
)
from ..models import Answer, Consultation, FieldType, Response
from ..selectors import teamwork as team_selectors
from ..selectors import workspace as selectors
from ..services.answers import (
    AnswerConflict,
    ReplyLocked,
    SectionChange,
    SectionConflict,
    answer_save_draft,
    answers_save_section,
    reply_lock_reason,
    response_get_or_create,
)
from .workspace_common import (
    CONTROL_FIELDS,
    _item_reply_url,
    _item_urls,
    _lock_context,
    _own_item,
    _own_reply,
    _page_number,
    _page_query,
    _reply_url,
    workspace_login_required,
)


@workspace_login_required
@require_GET
@never_cache
def home(request: HttpRequest) -> HttpResponse:
    roles = access.roles_of(request.user)
    access.require(request, roles.has_delegation, reason="workspace.home", leak_safe=False)
    party = request.user.membership.party
    rows = selectors.delegation_home(party=party)
    teams = team_selectors.my_items_home(
        party=party, user=request.user, consultation_ids=[row["consultation"].pk for row in rows]
    )
    for row in rows:
        row["team"] = teams[row["consultation"].pk]
    return render(request, "consultation/home.html", {"party": party, "rows": rows})


# --- Reply page and item fragments -------------------------------------------------------------


def _reply_context(request: HttpRequest, consultation: Consultation, response: Response, page) -> dict[str, Any]:
    """The reply page's context; its section form posts back to this same theme and page."""
    section_url = reverse("consultation:section_save", args=[consultation.slug]) + _page_query(
        page.current_theme.code if page.current_theme else "", page.page
    )
    item_ids: list[int] = []
    if access.can_view_teamwork(request.user, response):
        item_ids = team_selectors.reply_page_teams(page=page, response=response, user=request.user)
    return {
        "can_signal_presence": bool(item_ids) and access.can_signal_presence(request.user, response),
        "page_item_ids": ",".join(str(pk) for pk in item_ids),
        "presence_beat_seconds": team_selectors.PRESENCE_BEAT_SECONDS,
        "page": page,
        "consultation": consultation,
        "reply": response,
        "can_edit": access.can_edit_response(request.user, response),
        "ui_language": selectors.ui_language(),
        "attachment_limit": settings.ATTACHMENT_MAX_BYTES,
        "legal_reference_max_rows": LEGAL_REFERENCE_MAX_ROWS,
        "item_urls": _item_urls(consultation),
        "section_url": section_url,
        **_lock_context(response),
    }


@workspace_login_required
@require_GET
@never_cache
def reply(request: HttpRequest, slug: str) -> HttpResponse:
    consultation, response = _own_reply(request, slug)
    page = selectors.reply_page(
        consultation=consultation,
        response=response,
        theme_code=request.GET.get("theme", ""),
        page=_page_number(request),
    )
    return render(request, "consultation/reply.html", _reply_context(request, consultation, response, page))


def _item_context(request: HttpRequest, consultation: Consultation, response: Response, view) -> dict[str, Any]:
    return {
        "consultation": consultation,
        "reply": response,
        "iv": view,
        "can_edit": access.can_edit_response(request.user, response),
        "ui_language": selectors.ui_language(),
        "attachment_limit": settings.ATTACHMENT_MAX_BYTES,
        "legal_reference_max_rows": LEGAL_REFERENCE_MAX_ROWS,
        "item_urls": _item_urls(consultation),
    }


@workspace_login_required
@require_http_methods(["GET", "POST"])
@never_cache
def item(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    """GET: the item's form fragment (for "take theirs"); POST: save the item's answer."""
    if request.method == "POST":
        return answer_save(request, slug, code)
    consultation, response = _own_reply(request, slug)
    item_obj = _own_item(consultation, code, response)
    view = selectors.item_view_for(item=item_obj, response=response)
    context = _item_context(request, consultation, response, view)
    if getattr(request, "htmx", False):
        return render(request, "consultation/_item_body.html", context)
    return render(request, "consultation/item_page.html", context)


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
    item_obj = _own_item(consultation, code, response)
    fields = list(item_obj.fields.all())
    # The reply page's inputs carry the item's prefix (they belong to the section form); other clients post bare names.
    prefix = item_prefix_posted(request.POST, item_pk=item_obj.pk)
    data, errors = answer_data_from_post(fields=fields, post=request.POST, prefix=prefix)
    language = answer_language_from_post(request.POST, selectors.ui_language(), prefix)
    base_version = base_version_from_post(request.POST, prefix)
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
                "mine_pairs": posted_pairs(request.POST, prefix=prefix, exclude=CONTROL_FIELDS),
                "merge_pairs": posted_pairs(request.POST, prefix=prefix, exclude=CONTROL_FIELDS | text_keys),
            },
        )
    if not getattr(request, "htmx", False):
        messages.success(
            request, _("%(code)s saved (version %(version)d).") % {"code": item_obj.code, "version": answer.version}
        )
        return redirect(_item_reply_url(consultation, item_obj, response.party_id))
    view = selectors.item_view(item=item_obj, answer=answer, attachments={}, language=answer.language)
    context = _item_context(request, consultation, response, view)
    if request.POST.get("_resolve"):
        view = selectors.item_view_for(item=item_obj, response=answer.response)
        context = {**_item_context(request, consultation, answer.response, view), "just_saved": True}
        return render(request, "consultation/_item_body.html", context)
    return render(request, "consultation/_save_status.html", {**context, "just_saved": True})


# --- Section save: the whole page at once --------------------------------------------------------


def _section_refused(
    request: HttpRequest,
    consultation: Consultation,
    response: Response,
    posted: list[PostedItem],
    *,
    status: int,
    message: str,
    errors: dict[int, dict[str, str]] | None = None,
    conflicts: dict[int, Answer] | None = None,
) -> HttpResponse:
    """Nothing was saved: the same page again, every field holding what was posted, with the reason on top and,
    at each item concerned, its field errors or the colleague's newer version. The items in conflict go on from
    that newer version, so pressing "Save all" again (after comparing) keeps the person's text deliberately."""
    errors, conflicts = errors or {}, conflicts or {}
    states = {
        p.item.pk: selectors.PostedState(
            data=p.data,
            errors={**p.errors, **errors.get(p.item.pk, {})},
            language=p.language,
            base_version=conflicts[p.item.pk].version if p.item.pk in conflicts else p.base_version,
            theirs=conflicts.get(p.item.pk),
        )
        for p in posted
    }
    page = selectors.reply_page(
        consultation=consultation,
        response=response,
        theme_code=request.GET.get("theme", ""),
        page=_page_number(request),
        posted=states,
    )
    marked = [p.item for p in posted if states[p.item.pk].errors or p.item.pk in conflicts]
    context = {
        **_reply_context(request, consultation, response, page),
        "section_notice": {"message": message, "items": marked, "status": status},
    }
    return render(request, "consultation/reply.html", context, status=status)


def _section_changes(response: Response, posted: list[PostedItem]) -> dict[str, list[SectionChange]]:
    """The items to save, grouped by the language chosen for each (one section save per language).

    Items never answered (version 0) and left blank are not saved: an empty form is not an answer. Documents are
    not in the form (they have their own forms): the saved list is carried over, as the item autosave does; if a
    document is added meanwhile, the version moves and the save is refused as a conflict.
    """
    with_documents = [
        p.item.pk for p in posted if any(f.type == FieldType.ATTACHMENT for f in selectors.fields_of(p.item))
    ]
    saved_values = selectors.attachment_values(response=response, item_ids=with_documents)
    groups: dict[str, list[SectionChange]] = {}
    for p in posted:
        if p.base_version == 0 and data_is_blank(p.data):
            continue
        data = p.data
        current = saved_values.get(p.item.pk) or {}
        keys = [f.key for f in selectors.fields_of(p.item) if f.type == FieldType.ATTACHMENT and f.key in current]
        if keys:
            data = {**data, **{key: current[key] for key in keys}}
        groups.setdefault(p.language, []).append(SectionChange(item=p.item, data=data, base_version=p.base_version))
    return groups


def _save_by_language(
    *, consultation: Consultation, response: Response, groups: dict[str, list[SectionChange]], user: Any
) -> tuple[int, dict[str, str], list[Answer]]:
    """Save every group in one transaction, all or nothing: (answers changed, errors, conflicts).

    ``answers_save_section`` takes one language for all its changes, and answers on one page may be written in
    different languages: each language is a section save of its own, inside one transaction that is rolled back
    if any of them is refused (each one's refusal is collected first, so the page shows them all).
    """
    changed, errors, conflicts = 0, {}, []
    if not groups:
        return changed, errors, conflicts
    if response.pk is None:
        response = response_get_or_create(consultation=consultation, party=user.membership.party)
    # One language (the usual page): the section save is its own transaction.
    with transaction.atomic() if len(groups) > 1 else contextlib.nullcontext():
        for language, changes in groups.items():
            try:
                answers = answers_save_section(response=response, changes=changes, user=user, language=language)
            except AnswerInvalid as exc:
                errors.update(exc.errors)
            except SectionConflict as exc:
                conflicts.extend(exc.conflicts)
            else:
                changed += sum(1 for a, c in zip(answers, changes, strict=True) if a.version != c.base_version)
        if len(groups) > 1 and (errors or conflicts):
            transaction.set_rollback(True)
    return changed, errors, conflicts


@workspace_login_required
@require_POST
def section_save(request: HttpRequest, slug: str) -> HttpResponse:
    """Save every item of one reply page (its section form) at once, all or nothing.

    Inputs are named per item (``i<pk>-f-<key>``, ``i<pk>-base_version``, ``i<pk>-_language``). Success
    redirects back to the same page with the number of answers changed; a refusal shows the page again with
    everything that was posted: 400 (items of no such consultation, incomplete form), 409 (a colleague saved
    some answers meanwhile), 422 (values to correct) or 423 (the reply is locked).
    """
    consultation, response = _own_reply(request, slug)
    item_ids = posted_item_ids(request.POST)
    items = selectors.section_items(consultation=consultation, item_ids=item_ids, party_id=response.party_id)
    posted = section_from_post(items=items, post=request.POST, default_language=selectors.ui_language())
    refused = functools.partial(_section_refused, request, consultation, response, posted)
    reason = reply_lock_reason(response=response)
    if reason and access.is_own_party(request.user, response.party_id):
        return refused(status=423, message=_("Nothing was saved: %(reason)s") % {"reason": reason})
    access.require(request, access.can_edit_response(request.user, response), reason="section.save", obj=response)
    if len(items) != len(item_ids):
        return refused(
            status=400,
            message=_(
                "Nothing was saved: the form holds answers to questions that are not part of this consultation. "
                "Reload the page and try again."
            ),
        )
    if not items or any(p.base_version is None for p in posted):
        return refused(
            status=400, message=_("Nothing was saved: the form is incomplete (no version). Reload the page.")
        )
    if any(p.errors for p in posted):
        count = sum(len(p.errors) for p in posted)
        return refused(status=422, message=_section_errors_message(count))
    try:
        changed, service_errors, conflicts = _save_by_language(
            consultation=consultation, response=response, groups=_section_changes(response, posted), user=request.user
        )
    except ReplyLocked as exc:
        return refused(status=423, message=_("Nothing was saved: %(reason)s") % {"reason": str(exc)})
    if service_errors:
        by_code = {p.item.code: p.item.pk for p in posted}
        errors: dict[int, dict[str, str]] = {}
        for name, text in service_errors.items():
            code, _dot, key = name.rpartition(".")
            errors.setdefault(by_code.get(code, 0), {})[key] = text
        return refused(
            status=422,
            message=_section_errors_message(len(service_errors)),
            errors=errors,
            conflicts={a.item_id: a for a in conflicts},
        )
    if conflicts:
        return refused(
            status=409,
            message=ngettext(
                "Nothing was saved: %(count)d answer on this page was saved by someone else since you opened it "
                "(%(codes)s). Everything you typed is still here. Compare with their version, shown at that "
                "question, then press “Save all answers on this page” again to replace it with yours.",
                "Nothing was saved: %(count)d answers on this page were saved by someone else since you opened it "
                "(%(codes)s). Everything you typed is still here. Compare with their versions, shown at those "
                "questions, then press “Save all answers on this page” again to replace them with yours.",
                len(conflicts),
            )
            % {"count": len(conflicts), "codes": ", ".join(a.item.code for a in conflicts)},
            conflicts={a.item_id: a for a in conflicts},
        )
    if changed:
        messages.success(
            request, ngettext("%(count)d answer saved.", "%(count)d answers saved.", changed) % {"count": changed}
        )
    else:
        messages.info(request, _("Nothing to save: no answer on this page has changed."))
    return redirect(_reply_url(consultation, theme_code=request.GET.get("theme", ""), page=_page_number(request)))


def _section_errors_message(count: int) -> str:
    return ngettext(
        "Nothing was saved: %(count)d field needs correcting (marked below). Everything you typed is still here.",
        "Nothing was saved: %(count)d fields need correcting (marked below). Everything you typed is still here.",
        count,
    ) % {"count": count}


# --- History -----------------------------------------------------------------------------------


@workspace_login_required
@require_GET
def article(request: HttpRequest, number: int) -> HttpResponse:
    access.require(request, access.can_view_article(request.user), reason="article", leak_safe=False)
    context = selectors.article_page(number=number)
    if context is None:
        raise Http404("No such article.")
    return render(request, "consultation/article.html", context)
