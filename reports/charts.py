"""Bar charts for reports: matplotlib (Agg, no pyplot state), SVG for HTML and PDF, PNG for DOCX.

Outputs are byte-stable for the same figures (fixed ``svg.hashsalt``, no date or software metadata), so
two builds of unchanged data produce identical charts. The SVG is made safe to inline under the
platform's strict Content Security Policy: ``style`` attributes become SVG presentation attributes,
the embedded ``<style>``, metadata and DOCTYPE are dropped, and element ids get a per-chart prefix so
several charts can share one page.
"""

from __future__ import annotations

import io
import re
import textwrap
from functools import lru_cache
from html import escape

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

BAR_COLOUR = "#0b3d91"
RC = {
    "svg.hashsalt": "lanzarote-reports",
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
LABEL_WIDTH = 38
_STYLE = re.compile(r'style="([^"]*)"')
_ID = re.compile(r'\bid="([^"]+)"')


def _figure(labels: tuple[str, ...], values: tuple[float, ...], xlabel: str) -> Figure:
    wrapped = ["\n".join(textwrap.wrap(label, LABEL_WIDTH)) or "–" for label in labels]
    lines = sum(max(1, label.count("\n") + 1) for label in wrapped)
    figure = Figure(figsize=(6.4, 0.6 + 0.28 * lines + 0.2 * len(labels)), layout="constrained")
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    bars = axes.barh(positions, values, color=BAR_COLOUR)
    axes.set_yticks(positions, wrapped)
    axes.invert_yaxis()
    axes.set_xlabel(xlabel)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    top = max(values, default=0) or 1
    axes.set_xlim(0, top * 1.18)
    axes.bar_label(bars, labels=[f"{v:g}" for v in values], padding=3)
    return figure


def _presentation_attributes(match: re.Match) -> str:
    attributes = []
    for declaration in match.group(1).split(";"):
        name, _sep, value = declaration.partition(":")
        if name.strip() and value.strip():
            attributes.append(f'{name.strip()}="{value.strip()}"')
    return " ".join(attributes)


def _inline_safe(svg: str, *, prefix: str, title: str) -> str:
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    svg = re.sub(r"<style[^>]*>.*?</style>\s*", "", svg, flags=re.S)
    svg = _STYLE.sub(_presentation_attributes, svg)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', lambda m: f'xlink:href="#{prefix}-{m.group(1)}"', svg)
    return svg.replace(
        "<svg ",
        f'<svg class="chart" role="img" aria-labelledby="{prefix}-title" ',
        1,
    ).replace(">", f'><title id="{prefix}-title">{escape(title)}</title>', 1)


@lru_cache(maxsize=512)
def bar_chart_svg(*, labels: tuple[str, ...], values: tuple[float, ...], xlabel: str, prefix: str, title: str) -> str:
    """An inline-safe SVG bar chart (cached: the same field appears in many article and theme reports)."""
    with matplotlib.rc_context(RC):
        buffer = io.StringIO()
        _figure(labels, values, xlabel).savefig(buffer, format="svg", metadata={"Date": None})
    return _inline_safe(buffer.getvalue(), prefix=prefix, title=title)


@lru_cache(maxsize=512)
def bar_chart_png(*, labels: tuple[str, ...], values: tuple[float, ...], xlabel: str) -> bytes:
    """The same chart as a PNG for Word, which cannot embed SVG."""
    with matplotlib.rc_context(RC):
        buffer = io.BytesIO()
        _figure(labels, values, xlabel).savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    return buffer.getvalue()
