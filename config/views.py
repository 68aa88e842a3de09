"""The public landing page and the signed-in home, which sends each role where its work is."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
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
