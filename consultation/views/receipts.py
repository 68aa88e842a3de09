"""The receipt of the reply's official submission, for the Party's delegation (head and members) only.

Like every delegation URL these name no Party: the receipt is always of the signed-in person's own Party's reply.
``?sequence=N`` names an earlier submission of a reply that was reopened and submitted again.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access

from .. import documents
from ..selectors.receipts import Receipt, receipt_get
from .workspace_common import _own_reply


def _sequence(request: HttpRequest) -> int | None:
    raw = request.GET.get("sequence", "")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 6:
        raise Http404(_("No such submission."))
    return int(raw)


def _own_receipt(request: HttpRequest, slug: str) -> Receipt:
    _consultation, response = _own_reply(request, slug)
    access.require(request, access.can_view_receipt(request.user, response), reason="reply.receipt", obj=response)
    receipt = receipt_get(response=response, sequence=_sequence(request))
    if receipt is None:
        raise Http404(_("Your delegation has not submitted this reply yet: there is no receipt."))
    return receipt


@login_required
@require_GET
@never_cache
def receipt(request: HttpRequest, slug: str) -> HttpResponse:
    found = _own_receipt(request, slug)
    return render(
        request,
        "consultation/receipt.html",
        {
            "consultation": found.response.consultation,
            "reply": found.response,
            "receipt": found,
            "submitted_on": documents.receipt_time(found.submitted_at),
            "earlier": range(found.latest_sequence, 0, -1),
        },
    )


@login_required
@require_GET
@never_cache
def receipt_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    found = _own_receipt(request, slug)
    response = HttpResponse(documents.receipt_pdf(found), content_type=documents.PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{documents.receipt_filename(found)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
