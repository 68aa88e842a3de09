"""PDF with Typst, safely: the one place the platform typesets a document.

Why Typst: it is a compiled typesetter (the ``typst`` package bundles it), about 10x cheaper in CPU than
laying out HTML with WeasyPrint on the comparative reports (figures in README, "Dependencies").

Rules for callers (the reply export, the submission receipt, the comparative reports):

- The layout is a ``.typ`` template under ``templates/``; the document's contents travel separately, as
  one JSON value that the template reads with ``json(bytes(sys.inputs.data))``. Texts are never spliced
  into markup, so whatever a Party wrote (``#``, ``*``, ``$``, ``<script>``, ``=`` formulas, backslashes)
  is printed as it is. Control characters other than tab and line feed are dropped beforehand.
- The compile's root is an empty temporary directory: the template cannot read any file (``read``,
  ``image``, ``json`` of a path all fail). Images travel in the data (e.g. an SVG as a string).
- No packages: the binding would download an ``@preview`` import from the network, so a template that
  imports or includes a package is refused before compiling (data can never import anything).
- Fonts: those Typst embeds, and the DejaVu family that matplotlib ships (Latin with accents, Greek,
  Cyrillic, typographic quotes); system fonts are ignored so every machine prints the same PDF.
- Each document is compiled in a short-lived child process (``typeset_child.py``): Typst keeps its
  caches for the life of a process and the binding cannot evict them, so compiling in a long-lived
  worker would grow its memory with every report. Starting the child costs about 0.1 s.

Usage::

    from consultation.typesetting import typeset_pdf

    pdf_bytes = typeset_pdf(template="reports/report.typ", data={"title": ..., ...})
"""

from __future__ import annotations

import functools
import json
import logging
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"
CHILD = Path(__file__).with_name("typeset_child.py")
TIMEOUT_SECONDS = 600
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PACKAGE_IMPORT = re.compile(rb"(?:import|include)\s*\(?\s*\"@")


class TypesettingError(RuntimeError):
    """The template could not be compiled (a bug in a template, never in the data)."""


@functools.cache
def font_dir() -> str:
    """matplotlib's bundled font folder (DejaVu Sans, with Greek and Cyrillic)."""
    from matplotlib import get_data_path

    return str(Path(get_data_path()) / "fonts" / "ttf")


def template_path(name: str) -> Path:
    """The template ``name`` (relative to ``templates/``): a ``.typ`` file inside that folder, importing no package."""
    path = (TEMPLATES_DIR / name).resolve()
    if path.suffix != ".typ" or not path.is_relative_to(TEMPLATES_DIR.resolve()) or not path.is_file():
        raise TypesettingError(f"Not a Typst template of the platform: {name}")
    if _PACKAGE_IMPORT.search(path.read_bytes()):
        raise TypesettingError(f"{name} imports a Typst package; templates must be self-contained")
    return path


def clean(value: Any) -> Any:
    """``value`` with the control characters (except tab and line feed) removed from every string."""
    if isinstance(value, str):
        return _CONTROL_CHARS.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    return value


def typeset_pdf(*, template: str, data: dict[str, Any], preludes: tuple[str, ...] = ()) -> bytes:
    """The PDF of ``template`` filled with ``data`` (JSON-serialisable; other values are printed with ``str``).

    ``preludes`` are templates whose source is placed before ``template``'s (shared definitions: the reports'
    cover, contents and generic sections), since a template cannot import a file."""
    paths = [template_path(name) for name in (*preludes, template)]
    payload = json.dumps(clean(data), ensure_ascii=False, default=str).encode("utf-8")
    done = subprocess.run(  # noqa: S603 -- our own interpreter and script; the data goes to stdin as JSON
        [sys.executable, "-I", str(CHILD), ",".join(str(path) for path in paths), font_dir()],
        input=payload,
        capture_output=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    messages = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0 or not done.stdout.startswith(b"%PDF-"):
        raise TypesettingError(f"{template}: {messages or f'exit status {done.returncode}'}")
    for line in messages.splitlines():
        logger.warning("Typst, %s: %s", template, line)
    return done.stdout
