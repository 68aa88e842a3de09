"""The public site (no log-in, under ``/public/``): thin views over ``selectors.public``.

Pages are rendered once per content and language: the page body is cached under a key made of the page, its
arguments, the language and ``public_fingerprint()`` (one aggregate query that any publication or withdrawal
changes), so an unchanged site costs one query per page and a new publication shows on the next request. The
layout around the body (language switch, CSRF token) is rendered per request. Anything not published answers 404.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from accounts import access
from consultation.models import Consultation

from .selectors import public as selectors
from .selectors.editions import DOWNLOAD_CONTENT_TYPES, public_edition_document_get

CACHE_SECONDS = 600


def _cached_body(request: HttpRequest, key: str, build: Callable[[], tuple[str, dict[str, Any]] | None]) -> str:
    """The page body for ``key`` in the current language, rendered by ``build`` (template, context) when not
    cached; ``build`` returning None means the page does not exist (404, never cached)."""
    language = selectors.ui_language()
    fingerprint = selectors.public_fingerprint()
    digest = hashlib.sha256(f"{key}|{language}|{fingerprint}".encode()).hexdigest()[:32]
    cache_key = f"public:{digest}"
    body = cache.get(cache_key)
    if body is None:
        built = build()
        if built is None:
            cache.set(cache_key, "", CACHE_SECONDS)
            raise Http404
        template, context = built
        body = render_to_string(template, context, request=None)
        cache.set(cache_key, body, CACHE_SECONDS)
    if body == "":
        raise Http404
    return str(body)


def _page(request: HttpRequest, body: str, *, title: str, crumbs: list[tuple[str, str]]) -> HttpResponse:
    access.require(request, access.can_view_public_site(request.user), reason="public")
    return render(request, "public/page.html", {"body": mark_safe(body), "page_title": title, "crumbs": crumbs})


def _consultation(slug: str) -> Consultation:
    consultation = selectors.public_consultation_get(slug=slug)
    if consultation is None:
        raise Http404
    return consultation


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    body = _cached_body(
        request,
        "index",
        lambda: ("public/_index.html", {"consultations": selectors.public_consultations()}),
    )
    return _page(request, body, title="", crumbs=[])


@require_GET
def consultation(request: HttpRequest, slug: str) -> HttpResponse:
    found = _consultation(slug)
    body = _cached_body(
        request,
        f"consultation:{found.pk}",
        lambda: ("public/_consultation.html", selectors.public_consultation_page(consultation=found)),
    )
    return _page(request, body, title=found.title, crumbs=[])


@require_GET
def state_reply(request: HttpRequest, slug: str, iso2: str, number: int | None = None) -> HttpResponse:
    found = _consultation(slug)

    def build() -> tuple[str, dict[str, Any]] | None:
        reply = selectors.public_reply(consultation=found, iso2=iso2, number=number)
        if reply is None:
            return None
        publication = reply["publication"]
        if not access.can_view_published_reply(None, published=True, withdrawn=publication.is_withdrawn):
            return None
        return "public/_reply.html", {"consultation": found, **reply}

    body = _cached_body(request, f"reply:{found.pk}:{iso2.upper()}:{number}", build)
    return _page(request, body, title=found.title, crumbs=[(found.title, found.slug)])


@require_GET
def item_replies(request: HttpRequest, slug: str, code: str) -> HttpResponse:
    found = _consultation(slug)

    def build() -> tuple[str, dict[str, Any]] | None:
        replies = selectors.public_item_replies(consultation=found, code=code)
        if replies is None or not access.can_view_published_item(None, published_answers=len(replies["rows"])):
            return None
        return "public/_item.html", {"consultation": found, **replies}

    body = _cached_body(request, f"item:{found.pk}:{code}", build)
    return _page(request, body, title=found.title, crumbs=[(found.title, found.slug)])


@require_GET
def stakeholder(request: HttpRequest, slug: str, organisation_id: int) -> HttpResponse:
    found = _consultation(slug)

    def build() -> tuple[str, dict[str, Any]] | None:
        contributions = selectors.public_stakeholder(consultation=found, organisation_id=organisation_id)
        if contributions is None:
            return None
        return "public/_stakeholder.html", {"consultation": found, **contributions}

    body = _cached_body(request, f"stakeholder:{found.pk}:{organisation_id}", build)
    return _page(request, body, title=found.title, crumbs=[(found.title, found.slug)])


@require_GET
def search(request: HttpRequest, slug: str) -> HttpResponse:
    found = _consultation(slug)
    query = (request.GET.get("q") or "").strip()[:200]
    results = selectors.public_search(consultation=found, query=query) if query else []
    access.require(request, access.can_view_public_site(request.user), reason="public")
    return render(
        request,
        "public/search.html",
        {
            "consultation": found,
            "query": query,
            "results": results,
            "results_max": selectors.SEARCH_RESULTS_MAX,
            "crumbs": [(found.title, found.slug)],
        },
    )


@require_GET
def document(request: HttpRequest, pk: int) -> FileResponse:
    found = selectors.public_document_get(pk=pk)
    if found is None or not access.can_view_published_reply(None, published=True, withdrawn=False):
        raise Http404
    try:
        handle = found.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def report_document(request: HttpRequest, slug: str, version_id: int, language: str, fmt: str) -> FileResponse:
    """One file of a public edition of a report: only a public build, published and not withdrawn (404 for
    anything else, to everyone: the Secretariat reads its drafts on its own pages)."""
    found = _consultation(slug)
    document = public_edition_document_get(consultation=found, version_id=version_id, language=language, fmt=fmt)
    if document is None:
        raise Http404
    version = document.version
    access.require(
        request,
        access.can_download_public_report(
            request.user,
            published=version.published_at is not None,
            withdrawn=version.withdrawn_at is not None,
            audience=version.audience,
            classification=version.classification,
        ),
        reason="public report",
        obj=version,
    )
    try:
        handle = document.file.open("rb")
    except OSError as exc:
        raise Http404 from exc
    name = f"{found.slug}-{version.report.scope.replace(':', '-')}-v{version.number}-{language}.{fmt}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=DOWNLOAD_CONTENT_TYPES[fmt])
    response["X-Content-Type-Options"] = "nosniff"
    return response
