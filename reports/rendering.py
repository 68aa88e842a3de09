"""HTML to PDF with WeasyPrint, fetching nothing: only ``data:`` URLs, no redirects, no network.

Only the platform's own templates (autoescaped, charts and CSS inlined) are rendered here; a URL fetcher
that refuses every protocol but ``data`` closes the SSRF route WeasyPrint had (GHSA-983w-rhvv-gwmv).
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher


def no_network_fetcher() -> URLFetcher:
    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=1)


def html_to_pdf(*, html: str) -> bytes:
    """Render one of the platform's own HTML documents to PDF bytes."""
    return HTML(string=html, base_url=None, url_fetcher=no_network_fetcher()).write_pdf()
