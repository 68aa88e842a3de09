"""Observations for reading: Markdown rendered then sanitised with nh3, coded quotes cited by reference, and
the differences between two versions."""

from __future__ import annotations

import difflib
import re

import markdown
import nh3
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from consultation.models import Item

from ..models import Coding, ItemAnalysis, ObservationRevision

# "[C12]" in the Markdown cites coding 12: it renders as the quote, the Party and a link to the item's quotes.
CITATION = re.compile(r"\[C(\d+)\]")
ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4", "a", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip


def item_analysis_of(*, item: Item) -> ItemAnalysis:
    """The item's analysis, or an unsaved empty one: reading a page never creates it (GET writes nothing)."""
    return ItemAnalysis.objects.filter(item=item).first() or ItemAnalysis(item=item)


def observations_render(*, text: str, item: Item) -> SafeString:
    """Markdown to HTML, sanitised (no scripts, styles, event handlers or images), then citations of codings of
    this item's consultation replaced by their quotes; an unknown citation stays as typed."""
    html = markdown.markdown(text or "", extensions=["tables"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https"})
    ids = {int(match) for match in CITATION.findall(clean)}
    codings = {
        coding.pk: coding
        for coding in Coding.objects.filter(pk__in=ids, consultation_id=item.consultation_id).select_related(
            "party", "item", "code"
        )
    }

    def cite(match: re.Match[str]) -> str:
        coding = codings.get(int(match.group(1)))
        if coding is None:
            return match.group(0)
        url = reverse("monitoring:quotes", kwargs={"slug": item.consultation.slug})
        return format_html(
            '<q class="cited-quote">{}</q> (<a href="{}?scope=item:{}&amp;code={}&amp;party={}">{}, {}, C{}</a>)',
            coding.quote or coding.code.name,
            url,
            coding.item_id,
            coding.code_id,
            coding.party_id,
            coding.party.name,
            coding.item.code,
            coding.pk,
        )

    return mark_safe(CITATION.sub(cite, clean))


def observation_diff(*, analysis: ItemAnalysis, old: int, new: int) -> list[tuple[str, str]]:
    """Line by line: ('same'|'added'|'removed', line) between two saved versions (0 is the empty start)."""
    texts = dict(
        ObservationRevision.objects.filter(analysis=analysis, version__in=[old, new]).values_list("version", "text")
    )
    before = (texts.get(old, "") if old else "").splitlines()
    after = texts.get(new, "").splitlines()
    lines = []
    for line in difflib.ndiff(before, after):
        tag, content = line[:2], line[2:]
        if tag == "  ":
            lines.append(("same", content))
        elif tag == "+ ":
            lines.append(("added", content))
        elif tag == "- ":
            lines.append(("removed", content))
    return lines
