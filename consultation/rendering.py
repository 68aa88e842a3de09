"""HTML to PDF with WeasyPrint, safely: the one place the platform turns markup into a PDF.

Rules for callers (the reply export, the submission receipt, the comparative reports):

- Render the HTML from the platform's own Django templates, with autoescaping on, so answer texts
  (which may contain ``<script>``, markup or formulas) arrive as text, never as markup.
- Put the CSS in the template (a ``<style>`` element) and images as ``data:`` URIs (for example an
  SVG chart). Nothing else is fetched: the URL fetcher below allows only the ``data`` scheme and
  follows no redirect, so an ``<img src="http://169.254.169.254/...">`` or ``file:///etc/passwd``
  slipped into the markup is refused instead of being read (SSRF, local file disclosure;
  WeasyPrint advisory GHSA-983w-rhvv-gwmv).
- Rendering takes time (about a second for a long reply): build large documents in a Celery task.

Usage::

    from consultation.rendering import html_to_pdf

    html = render_to_string("reports/report_pdf.html", context)
    pdf_bytes = html_to_pdf(html=html)
"""

from __future__ import annotations

from weasyprint import HTML
from weasyprint.urls import URLFetcher

# The only scheme a platform document may embed: inline images and fonts.
ALLOWED_PROTOCOLS = frozenset({"data"})


def safe_url_fetcher() -> URLFetcher:
    """A fetcher that reads ``data:`` URIs only and never follows redirects."""
    return URLFetcher(allowed_protocols=set(ALLOWED_PROTOCOLS), allow_redirects=False, timeout=5)


def html_to_pdf(*, html: str, base_url: str | None = None) -> bytes:
    """The PDF of ``html`` (a complete document rendered from a platform template).

    ``base_url`` only matters for relative ``data:``-free links, which the fetcher refuses anyway;
    it defaults to None so that no relative URL resolves to the file system.
    """
    document = HTML(string=html, base_url=base_url, url_fetcher=safe_url_fetcher())
    return document.write_pdf()
