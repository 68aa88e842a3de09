"""The delegation workspace: home, reply page with per-item autosave, history, review and sign-off.

Every URL here works on the signed-in person's own Party's reply (no URL names a Party). Views
parse input, ask ``accounts.access``, call one service or selector and render. Autosave answers
with small htmx fragments: the status line (200), the conflict (409), field errors (422) or the
lock reason (423); the same URLs work without JavaScript (redirects and full pages).

The reply page is also one section form: "Save all answers on this page" posts every item of the
page at once (``section_save``), all or nothing, and is how the page saves without JavaScript.
"""

from __future__ import annotations

import contextlib
import functools
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import access

from ..answer_values import LEGAL_REFERENCE_MAX_ROWS, AnswerInvalid
from ..forms import (
    AttachmentUploadForm,
    PostedItem,
    SubmitConfirmForm,
    answer_data_from_post,
    answer_language_from_post,
    base_version_from_post,
    data_is_blank,
    item_prefix_posted,
    posted_item_ids,
    posted_pairs,
    section_from_post,
)
from ..models import Answer, Attachment, Consultation, FieldType, Item, Response
from ..selectors import teamwork as team_selectors
from ..selectors import workspace as selectors
from ..services.answers import (
    AnswerConflict,
    ReplyLocked,
    SectionChange,
    SectionConflict,
    answer_restore,
    answer_save_draft,
    answers_save_section,
    reply_lock_reason,
    response_get_or_create,
)
from ..services.attachments import AttachmentRefused, attachment_add, attachment_remove
from ..services.confidentiality import Mark, MarksInvalid, ReplyMarks
from ..services.responses import InvalidTransition, SubmissionIncomplete, response_mark_ready, response_submit
from ..services.rounds import NothingToConfirm, answer_confirm_unchanged

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


def _own_reply(request: HttpRequest, slug: str) -> tuple[Consultation, Response]:
    consultation = get_object_or_404(Consultation, slug=slug)
    access.require(request, access.can_open_reply(request.user, consultation), reason="reply.open", obj=consultation)
    party_id = access.roles_of(request.user).party_id
    return consultation, selectors.reply_for_party(consultation=consultation, party_id=party_id)


def _own_item(consultation: Consultation, code: str, response: Response) -> Item:
    """The item, if the consultation has it and puts it to the reply's Party (else 404, as for no such item)."""
    item = selectors.item_for_reply(consultation=consultation, code=code, party_id=response.party_id)
    if item is None:
        raise Http404("No such item.")
    return item


def _page_query(theme_code: str, page: int) -> str:
    """``?theme=…&page=…`` naming one page of the reply (empty for the first page of no theme)."""
    query = urlencode(
        {key: value for key, value in (("theme", theme_code), ("page", page if page > 1 else "")) if value}
    )
    return f"?{query}" if query else ""


def _reply_url(consultation: Consultation, item: Item | None = None, theme_code: str = "", page: int = 1) -> str:
    url = reverse("consultation:reply", args=[consultation.slug]) + _page_query(theme_code, page)
    if item is not None:
        url += f"#item-{item.pk}"
    return url


def _item_reply_url(consultation: Consultation, item: Item, party_id: int | None = None) -> str:
    """The reply page that shows the item (its theme and page), scrolled to it."""
    theme_code, page = selectors.item_reply_page(consultation=consultation, item=item, party_id=party_id)
    return _reply_url(consultation, item, theme_code, page)


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page", "1"))
    except ValueError:
        return 1


def _item_urls(consultation: Consultation) -> str:
    """The prefix of the consultation's item URLs: ``<prefix><code>/`` is the item (``consultation:item``,
    ``answer_save``), ``<prefix><code>/history/`` its history. A page of 100 items builds them from it instead
    of reversing two URLs per item (about 10 ms)."""
    url = reverse("consultation:item", args=[consultation.slug, "0"])
    return url[: -len("0/")]


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


@workspace_login_required
@require_GET
def article(request: HttpRequest, number: int) -> HttpResponse:
    access.require(request, access.can_view_article(request.user), reason="article", leak_safe=False)
    context = selectors.article_page(number=number)
    if context is None:
        raise Http404("No such article.")
    return render(request, "consultation/article.html", context)
