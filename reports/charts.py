"""Horizontal bar charts for reports: one layout, drawn as SVG (HTML and PDF) and as PNG (Word).

Both drawings come from the same computed geometry, so the page, the PDF and the Word document show the
same chart. The SVG is plain shapes and text with presentation attributes (no ``style`` attribute, no
``<style>`` element, so it inlines under the platform's strict Content Security Policy), carries a
``<title>`` for assistive technology, and is byte-stable for the same figures. The PNG is drawn with
Pillow (matplotlib's dependency) using matplotlib's bundled DejaVu Sans font, without metadata.

Why not matplotlib's own SVG and PNG writers: on the 48 × 23 benchmark (docs/benchmarks.md) a matplotlib
chart cost about 0.14 s to draw and another 0.25 s for WeasyPrint to lay out its SVG, which alone made the
article and theme reports miss the 30-second target; these drawings cost about a millisecond each.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from html import escape

BAR_COLOUR = "#0b3d91"
AXIS_COLOUR = "#4a5568"
INK = "#1d2430"
FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"
FONT_SIZE = 12
LINE_HEIGHT = 15
WIDTH = 640
LABEL_WIDTH = 250
LABEL_CHARS = 34
MAX_LABEL_LINES = 3
BAR_HEIGHT = 18
ROW_PADDING = 8
TOP = 8
AXIS_HEIGHT = 44
RIGHT = 40


@dataclass(frozen=True)
class Row:
    lines: tuple[str, ...]
    value: float
    top: float
    height: float
    bar_width: float


@dataclass(frozen=True)
class Layout:
    rows: tuple[Row, ...]
    ticks: tuple[tuple[float, str], ...]
    plot_left: float
    plot_bottom: float
    height: float
    xlabel: str


def _label_lines(label: str) -> tuple[str, ...]:
    lines = textwrap.wrap(label, LABEL_CHARS) or ["–"]
    if len(lines) > MAX_LABEL_LINES:
        lines = [*lines[: MAX_LABEL_LINES - 1], textwrap.shorten(" ".join(lines[MAX_LABEL_LINES - 1 :]), LABEL_CHARS)]
    return tuple(lines)


def _step(top: float) -> int:
    """An integer tick step giving at most about eight ticks (counts of Parties are whole numbers)."""
    raw = max(top / 8, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * magnitude >= raw:
            return int(multiple * magnitude)
    return int(10 * magnitude)


def layout(labels: tuple[str, ...], values: tuple[float, ...], xlabel: str) -> Layout:
    top_value = max(values, default=0) or 1
    step = _step(top_value)
    axis_max = math.ceil(top_value / step) * step
    plot_left = LABEL_WIDTH + 10
    plot_width = WIDTH - plot_left - RIGHT
    rows, y = [], TOP
    for label, value in zip(labels, values, strict=True):
        lines = _label_lines(label)
        height = max(BAR_HEIGHT, len(lines) * LINE_HEIGHT) + ROW_PADDING
        rows.append(Row(lines, value, y, height, plot_width * value / axis_max))
        y += height
    ticks = tuple((plot_left + plot_width * tick / axis_max, str(tick)) for tick in range(0, axis_max + 1, step))
    return Layout(tuple(rows), ticks, plot_left, y, y + AXIS_HEIGHT, xlabel)


def _value_text(value: float) -> str:
    return f"{value:g}"


@lru_cache(maxsize=1024)
def bar_chart_svg(*, labels: tuple[str, ...], values: tuple[float, ...], xlabel: str, prefix: str, title: str) -> str:
    """An inline-safe SVG bar chart with a ``<title>`` (``prefix`` keeps ids unique on a page)."""
    geometry = layout(labels, values, xlabel)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {geometry.height:g}" '
        f'width="{WIDTH}" height="{geometry.height:g}" role="img" aria-labelledby="{prefix}-title" '
        f'font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
    ]
    for row in geometry.rows:
        middle = row.top + (row.height - ROW_PADDING) / 2
        first = middle - (len(row.lines) - 1) * LINE_HEIGHT / 2
        for index, line in enumerate(row.lines):
            parts.append(
                f'<text x="{LABEL_WIDTH}" y="{first + index * LINE_HEIGHT + 4:g}" text-anchor="end">{escape(line)}</text>'
            )
        bar_top = middle - BAR_HEIGHT / 2
        parts.append(
            f'<rect x="{geometry.plot_left:g}" y="{bar_top:g}" width="{row.bar_width:.2f}" height="{BAR_HEIGHT}" '
            f'fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{geometry.plot_left + row.bar_width + 4:.2f}" y="{middle + 4:g}">{_value_text(row.value)}</text>'
        )
    axis_y = geometry.plot_bottom
    parts.append(
        f'<line x1="{geometry.plot_left:g}" y1="{TOP:g}" x2="{geometry.plot_left:g}" y2="{axis_y:g}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{geometry.plot_left:g}" y1="{axis_y:g}" x2="{WIDTH - RIGHT:g}" y2="{axis_y:g}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )
    for x, text in geometry.ticks:
        parts.append(f'<line x1="{x:.2f}" y1="{axis_y:g}" x2="{x:.2f}" y2="{axis_y + 4:g}" stroke="{AXIS_COLOUR}"/>')
        parts.append(f'<text x="{x:.2f}" y="{axis_y + 17:g}" text-anchor="middle" font-size="11">{text}</text>')
    centre = geometry.plot_left + (WIDTH - RIGHT - geometry.plot_left) / 2
    parts.append(
        f'<text x="{centre:g}" y="{axis_y + 36:g}" text-anchor="middle" font-size="11" fill="{AXIS_COLOUR}">'
        f"{escape(xlabel)}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=4)
def _font(size: int):
    from matplotlib import font_manager
    from PIL import ImageFont

    return ImageFont.truetype(font_manager.findfont("DejaVu Sans"), size)


@lru_cache(maxsize=1024)
def bar_chart_png(*, labels: tuple[str, ...], values: tuple[float, ...], xlabel: str, scale: int = 2) -> bytes:
    """The same chart as a PNG for Word (which cannot embed SVG), drawn at ``scale`` for print sharpness."""
    from PIL import Image, ImageDraw

    geometry = layout(labels, values, xlabel)
    image = Image.new("RGB", (WIDTH * scale, math.ceil(geometry.height * scale)), "white")
    draw = ImageDraw.Draw(image)
    font, small = _font(FONT_SIZE * scale), _font(11 * scale)

    def s(value: float) -> float:
        return value * scale

    for row in geometry.rows:
        middle = row.top + (row.height - ROW_PADDING) / 2
        first = middle - (len(row.lines) - 1) * LINE_HEIGHT / 2
        for index, line in enumerate(row.lines):
            draw.text((s(LABEL_WIDTH), s(first + index * LINE_HEIGHT)), line, fill=INK, font=font, anchor="rm")
        bar_top = middle - BAR_HEIGHT / 2
        if row.bar_width > 0:
            draw.rectangle(
                (s(geometry.plot_left), s(bar_top), s(geometry.plot_left + row.bar_width), s(bar_top + BAR_HEIGHT)),
                fill=BAR_COLOUR,
            )
        draw.text(
            (s(geometry.plot_left + row.bar_width + 4), s(middle)),
            _value_text(row.value),
            fill=INK,
            font=font,
            anchor="lm",
        )
    axis_y = geometry.plot_bottom
    draw.line((s(geometry.plot_left), s(TOP), s(geometry.plot_left), s(axis_y)), fill=AXIS_COLOUR, width=scale)
    draw.line((s(geometry.plot_left), s(axis_y), s(WIDTH - RIGHT), s(axis_y)), fill=AXIS_COLOUR, width=scale)
    for x, text in geometry.ticks:
        draw.line((s(x), s(axis_y), s(x), s(axis_y + 4)), fill=AXIS_COLOUR, width=scale)
        draw.text((s(x), s(axis_y + 13)), text, fill=INK, font=small, anchor="mm")
    centre = geometry.plot_left + (WIDTH - RIGHT - geometry.plot_left) / 2
    draw.text((s(centre), s(axis_y + 32)), xlabel, fill=AXIS_COLOUR, font=small, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
