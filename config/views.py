"""The public landing page, the signed-in home, which sends each role where its work is, and the 400 page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_GET

from accounts import access


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


def home_url_for(user) -> str | None:
    roles = access.roles_of(user)
    candidates = []
    if roles.is_secretariat:
        candidates.append("secretariat:dashboard")
    if roles.has_delegation:
        candidates.append("consultation:home")
    if roles.is_committee:
        candidates.append("reports:index")
    if roles.is_stakeholder:
        candidates.append("stakeholders:home")
    if roles.is_facilitator:
        candidates.append("stakeholders:children_home")
    for name in candidates:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    target = home_url_for(request.user)
    if target:
        return redirect(target)
    return render(request, "no_role.html")


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """400, said plainly (``handler400``). The case a person meets is a form sending more values or text than
    Django accepts at once (``DATA_UPLOAD_MAX_NUMBER_FIELDS``, ``DATA_UPLOAD_MAX_MEMORY_SIZE``): nothing was saved,
    and going back keeps the typed text. An autosave (htmx) gets the message as its status line."""
    if isinstance(exception, (TooManyFieldsSent, RequestDataTooBig)):
        message = _(
            "Nothing was saved: the page sent more at once than the server accepts (too many fields or too much "
            "text). Go back with your browser’s Back button: your text should still be there. Then save in "
            "smaller parts, for example question by question."
        )
    else:
        message = _("The request could not be understood. Go back, reload the page and try again.")
    try:
        if request.headers.get("HX-Request"):
            return render(request, "consultation/_status_error.html", {"message": message}, status=400)
        return render(request, "400.html", {"message": message}, status=400)
    except Exception:  # a request too broken to render the page (bad host...) still gets its 400
        return defaults.bad_request(request, exception)
