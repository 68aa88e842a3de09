"""What every delegation workspace view shares: the log-in gate, the person's own reply and item, reply URLs and the
lock context. The views themselves are split by what the delegation is doing: writing (``workspace``), looking back
(``history``), signing off (``signoff``) and attaching documents (``attachments``)."""

from __future__ import annotations

import functools
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access

from ..models import Consultation, Item, Response
from ..selectors import workspace as selectors
from ..services.answers import (
    reply_lock_reason,
)

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
