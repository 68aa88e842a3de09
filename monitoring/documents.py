"""The implementation report as a ``reports.sections.Document``: the Committee's findings on one consultation.

One edition per language, assembled from what the Committee has settled: the adopted recommendations
(numbered, with their strength, addressees and the items and articles they rest on), the rapporteurs'
observations the Committee adopted, item by item, the comparisons drawn from the items whose coding is
final, and, as an annex, the compilation of the submitted replies. Drafts, proposed or withdrawn
recommendations and observations still in draft never appear. The reports' writers typeset it (PDF, DOCX,
HTML), so it looks like the comparative reports.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Callable

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultation.models import Consultation, Item
from reports.sections import Block, BulletList, Document, DocumentMeta, Paragraph, Section

from .models import Coding, ItemAnalysis, ObservationStatus, Recommendation, RecommendationStatus
from .selectors.analysis import item_replies
from .selectors.comparisons import comparison_sections
from .selectors.observations import CITATION

LIST_ITEM = re.compile(r"^\s*(?:[-*+]|(\d+)[.)])\s+(.*)$")
HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
INLINE = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # links and images: their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<![\w*])[*_](?!\s)(.+?)(?<!\s)[*_](?![\w*])"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
)


def _inline(text: str) -> str:
    for pattern, replacement in INLINE:
        text = pattern.sub(replacement, text)
    return text.strip()


def markdown_blocks(text: str, cite: Callable[[re.Match[str]], str]) -> list[Paragraph | BulletList]:
    """The observations' Markdown as plain blocks (the writers print plain text, never markup): paragraphs,
    quotes ("> ") and lists; emphasis and links reduced to their words, "[C12]" to the cited quote."""
    blocks: list[Paragraph | BulletList] = []
    for chunk in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")):
        lines = [line for line in chunk.split("\n") if line.strip()]
        if not lines:
            continue
        matches = [LIST_ITEM.match(line) for line in lines]
        if all(matches):
            marks = [m for m in matches if m is not None]
            items = tuple(_inline(CITATION.sub(cite, m.group(2))) for m in marks)
            blocks.append(BulletList(items=items, numbered=bool(marks[0].group(1))))
            continue
        if all(line.lstrip().startswith(">") for line in lines):
            quoted = " ".join(line.lstrip()[1:].strip() for line in lines)
            blocks.append(Paragraph(text=_inline(CITATION.sub(cite, quoted)), style="quote"))
            continue
        joined = " ".join(HEADING.sub(r"\1", line).strip() for line in lines)
        if set(joined) <= set("-|: "):  # a table rule or a horizontal rule alone
            continue
        blocks.append(Paragraph(text=_inline(CITATION.sub(cite, joined))))
    return blocks


def _name(obj: object, field: str, language: str) -> str:
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_en", "") or ""


def _date(value: datetime.date | None) -> str:
    return date_format(value, "j F Y") if value else ""


def _recommendation_blocks(recommendation: Recommendation, language: str) -> list[Paragraph]:
    text = _name(recommendation, "text", language)
    addressees = list(recommendation.addressees.all())
    who = (
        ", ".join(sorted(party.name for party in addressees)) if addressees else _("all Parties")
    )  # party.name is in the edition's language (translation.override)
    rests = [item.code for item in recommendation.items.all()] + [
        _("Art. %(number)s") % {"number": article.number} for article in recommendation.articles.all()
    ]
    facts = [_("Addressed to: %(who)s") % {"who": who}]
    if rests:
        facts.append(_("Rests on: %(what)s") % {"what": ", ".join(rests)})
    evidence = recommendation.evidence.count()
    if evidence:
        facts.append(ngettext("%(count)d coded quote", "%(count)d coded quotes", evidence) % {"count": evidence})
    facts.append(
        _("Adopted at %(meeting)s on %(date)s")
        % {"meeting": recommendation.meeting, "date": _date(recommendation.adopted_on)}
        if recommendation.meeting
        else _("Adopted on %(date)s") % {"date": _date(recommendation.adopted_on)}
    )
    return [
        # The verb is the strength ("Urges", "Exhorte"); the text goes on from it ("Parties to ...").
        Paragraph(text=f"{recommendation.label}. {recommendation.get_strength_display()} {text}"),
        Paragraph(text=" · ".join(facts), style="note"),
    ]


def adopted_recommendations(*, consultation: Consultation) -> list[Recommendation]:
    return list(
        Recommendation.objects.filter(consultation=consultation, status=RecommendationStatus.ADOPTED)
        .prefetch_related("addressees", "items", "articles")
        .order_by("chapter", "number")
    )


def _recommendations_section(recommendations: list[Recommendation], language: str) -> Section:
    from .models import ROMAN

    intro = Paragraph(
        text=_(
            "The Committee adopted the following recommendations. Their verb states their strength: the Committee "
            "“urges” where action is required, “considers” or “requests” where it expects a measure, and “invites” "
            "where it encourages one."
        ),
        style="note",
    )
    if not any(r.chapter for r in recommendations):
        blocks = [intro]
        for recommendation in recommendations:
            blocks.extend(_recommendation_blocks(recommendation, language))
        return Section(key="recommendations", title=_("Recommendations"), blocks=tuple(blocks))
    by_chapter: dict[int | None, list[Recommendation]] = defaultdict(list)
    for recommendation in recommendations:
        by_chapter[recommendation.chapter].append(recommendation)
    subsections = []
    for chapter in sorted(by_chapter, key=lambda c: (c is not None, c or 0)):
        title = (
            _("Chapter %(chapter)s") % {"chapter": ROMAN[chapter] if chapter < len(ROMAN) else chapter}
            if chapter
            else _("General recommendations")
        )
        blocks = []
        for recommendation in by_chapter[chapter]:
            blocks.extend(_recommendation_blocks(recommendation, language))
        subsections.append(Section(key=f"recommendations-{chapter or 0}", title=title, blocks=tuple(blocks)))
    return Section(key="recommendations", title=_("Recommendations"), blocks=(intro,), subsections=tuple(subsections))


def _observations_section(
    items: list[Item], analyses: dict[int, ItemAnalysis], by_item: dict[int, list[str]], language: str
) -> Section | None:
    ready = [item for item in items if item.pk in analyses]
    if not ready:
        return None
    cited_ids = {int(m) for a in analyses.values() for m in CITATION.findall(a.observations)}
    codings = {
        c.pk: c
        for c in Coding.objects.filter(pk__in=cited_ids, item__consultation_id=items[0].consultation_id).select_related(
            "party", "item", "code"
        )
    }

    def cite(match: re.Match[str]) -> str:
        coding = codings.get(int(match.group(1)))
        if coding is None:
            return str(match.group(0))
        return f"“{coding.quote or coding.code.name}” ({coding.party.name}, {coding.item.code})"

    subsections = []
    for item in ready:
        blocks: list[Block] = list(markdown_blocks(analyses[item.pk].observations, cite))
        if by_item.get(item.pk):
            blocks.append(
                Paragraph(
                    text=_("Recommendations resting on this item: %(labels)s.")
                    % {"labels": ", ".join(by_item[item.pk])},
                    style="note",
                )
            )
        text = _name(item, "text", language)
        short = text if len(text) <= 120 else text[:117].rstrip() + "…"
        subsections.append(
            Section(key=f"observations-{item.code}", title=f"{item.code} – {short}", blocks=tuple(blocks))
        )
    return Section(
        key="observations",
        title=_("Observations by item"),
        blocks=(
            Paragraph(
                text=_("The rapporteurs' observations on the replies to each item, as submitted to the Committee."),
                style="note",
            ),
        ),
        subsections=tuple(subsections),
    )


def _compilation_annex(items: list[Item], language: str) -> Section:
    subsections = []
    for item in items:
        blocks: list[Block] = [Paragraph(text=_name(item, "text", language), style="note")]
        replies = item_replies(item=item)
        if not replies:
            blocks.append(Paragraph(text=_("No Party has submitted an answer to this item.")))
        for reply in replies:
            blocks.append(Paragraph(text=reply.party.name))
            if reply.figures:
                grouped: dict[str, list[str]] = {}
                for label, value in reply.figures:  # a ranking's places under one label
                    grouped.setdefault(label, []).append(value)
                blocks.append(
                    BulletList(
                        items=tuple(
                            _("%(label)s: %(value)s") % {"label": label, "value": "; ".join(values)}
                            for label, values in grouped.items()
                        )
                    )
                )
            for answer in reply.texts:
                blocks.append(Paragraph(text=answer.text, style="quote"))
        subsections.append(Section(key=f"annex-{item.code}", title=item.code, blocks=tuple(blocks)))
    return Section(
        key="annex-compilation",
        title=_("Compilation of the replies"),
        blocks=(
            Paragraph(
                text=_("Every Party's submitted answer to each item, as submitted, in the language it was written in."),
                style="note",
            ),
        ),
        subsections=tuple(subsections),
    )


def implementation_report_document(*, consultation: Consultation, language: str) -> Document:
    """One edition ("en" or "fr") of the consultation's implementation report."""
    with translation.override(language):
        items = list(Item.objects.filter(consultation=consultation).order_by("order"))
        recommendations = adopted_recommendations(consultation=consultation)
        analyses = {
            a.item_id: a
            for a in ItemAnalysis.objects.filter(
                item__consultation=consultation, status=ObservationStatus.ADOPTED
            ).exclude(observations="")
        }
        by_item: dict[int, list[str]] = defaultdict(list)
        for recommendation in recommendations:
            for item in recommendation.items.all():
                by_item[item.pk].append(recommendation.label)
        comparisons = comparison_sections(
            consultation_id=consultation.pk, item_ids=[item.pk for item in items], language=language, links=False
        )
        meetings = sorted({r.meeting for r in recommendations if r.meeting})
        title = _name(consultation, "title", language)
        intro_text = _(
            "This report sets out the Lanzarote Committee's findings on the replies to “%(title)s”: "
            "%(recommendations)s, the rapporteurs' observations on %(observations)s and the comparisons drawn "
            "from coding the replies. The compilation of the replies is annexed."
        ) % {
            "title": title,
            "recommendations": ngettext(
                "%(count)d adopted recommendation", "%(count)d adopted recommendations", len(recommendations)
            )
            % {"count": len(recommendations)},
            "observations": ngettext("%(count)d item", "%(count)d items", len(analyses)) % {"count": len(analyses)},
        }
        sections: list[Section] = [
            Section(key="introduction", title=_("Introduction"), blocks=(Paragraph(text=intro_text),))
        ]
        if recommendations:
            sections.append(_recommendations_section(recommendations, language))
        observations = _observations_section(items, analyses, by_item, language)
        if observations is not None:
            sections.append(observations)
        sections.extend(comparisons)
        meta = DocumentMeta(
            title=_("Implementation report"),
            subtitle=title,
            language=language,
            date=timezone.localdate(),
            meeting=", ".join(meetings),
            classification="restricted",
        )
        return Document(meta=meta, sections=tuple(sections), annexes=(_compilation_annex(items, language),))
