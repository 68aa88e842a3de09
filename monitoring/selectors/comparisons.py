"""The code-based comparisons as document sections: what the comparative reports and the implementation report
print once a rapporteur has marked an item's coding final.

Per final item, a Party × code table and one sentence per code ("14 Parties: <code>"); per article and per
technology theme with two or more final items in the document's scope, the same sentences rolled up (a Party
counts once per code however many of the article's items coded it). Only codings that still match the Party's
submitted reply count (``Coding.objects.current()``). Everything is aggregated in the database, in one grouped
query, and written in the edition's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from consultation.models import Article, Consultation, Item, Party, Theme
from reports.sections import Block, BulletList, Paragraph, Section, SectionContext, Table

from ..models import Code, Coding, ItemAnalysis

SECTION_KEY = "monitoring-coded-comparisons"


@dataclass(frozen=True)
class CodeCount:
    code: Code
    parties: tuple[Party, ...]

    @property
    def count(self) -> int:
        return len(self.parties)


def final_item_ids(*, item_ids: Sequence[int]) -> list[int]:
    """The given items whose coding a rapporteur marked final, in the given order."""
    final = set(
        ItemAnalysis.objects.filter(item_id__in=list(item_ids), coding_final_at__isnull=False).values_list(
            "item_id", flat=True
        )
    )
    return [pk for pk in item_ids if pk in final]


def _name(obj: object, field: str, language: str) -> str:
    return getattr(obj, f"{field}_{language}", "") or getattr(obj, f"{field}_en", "") or ""


Cells = dict[int, dict[tuple[int, int], int]]  # item id -> (party id, code id) -> codings


def code_counts(
    cells: Cells, item_ids: Sequence[int], codes: dict[int, Code], parties: dict[int, Party]
) -> list[CodeCount]:
    """Per code, the Parties coded with it on any of these items; most Parties first, then codebook order."""
    by_code: dict[int, set[int]] = defaultdict(set)
    for item_id in item_ids:
        for (party_id, code_id), _n in cells.get(item_id, {}).items():
            by_code[code_id].add(party_id)
    counts = [
        CodeCount(code=codes[code_id], parties=tuple(sorted((parties[p] for p in ids), key=lambda p: p.name)))
        for code_id, ids in by_code.items()
    ]
    return sorted(counts, key=lambda c: (-c.count, c.code.order, c.code.name_en))


def count_sentence(count: CodeCount, language: str) -> str:
    return ngettext("%(count)d Party: %(code)s", "%(count)d Parties: %(code)s", count.count) % {
        "count": count.count,
        "code": _name(count.code, "name", language),
    }


def comparison_sections(
    *, consultation_id: int, item_ids: Sequence[int], language: str, links: bool = True
) -> list[Section]:
    """The comparisons of the final items among ``item_ids`` (in that order), or [] when none is final."""
    final_ids = final_item_ids(item_ids=item_ids)
    if not final_ids:
        return []
    with translation.override(language):
        return [_section(consultation_id, final_ids, language, links)]


def _section(consultation_id: int, final_ids: list[int], language: str, links: bool) -> Section:
    consultation = Consultation.objects.only("slug").get(pk=consultation_id)
    rows = (
        Coding.objects.current()
        .filter(consultation_id=consultation_id, item_id__in=final_ids)
        .values("item_id", "party_id", "code_id")
        .annotate(n=Count("pk"))
        .values_list("item_id", "party_id", "code_id", "n")
    )
    cells: dict[int, dict[tuple[int, int], int]] = defaultdict(dict)
    for item_id, party_id, code_id, n in rows:
        cells[item_id][(party_id, code_id)] = n
    codes = {code.pk: code for code in Code.objects.filter(consultation_id=consultation_id)}
    party_ids = {party_id for item_cells in cells.values() for party_id, _c in item_cells}
    parties = {party.pk: party for party in Party.objects.filter(pk__in=party_ids)}
    items = {item.pk: item for item in Item.objects.filter(pk__in=final_ids).select_related("theme")}
    articles: dict[int, list[int]] = defaultdict(list)
    article_of: dict[int, Article] = {}
    for through in Item.articles.through.objects.filter(item_id__in=final_ids).select_related("article"):
        articles[through.article_id].append(through.item_id)
        article_of[through.article_id] = through.article
    quotes_url = reverse("monitoring:quotes", kwargs={"slug": consultation.slug}) if links else ""

    subsections = [_item_section(items[pk], cells, codes, parties, language, quotes_url) for pk in final_ids]
    for article_id in sorted(articles, key=lambda a: article_of[a].number):
        ids = [pk for pk in final_ids if pk in articles[article_id]]
        if len(ids) < 2:
            continue
        article = article_of[article_id]
        title = _("Article %(number)s, %(count)d items together") % {"number": article.number, "count": len(ids)}
        subsections.append(
            _rollup_section(f"article-{article.number}", title, ids, items, cells, codes, parties, language)
        )
    themes: dict[int, list[int]] = defaultdict(list)
    for pk in final_ids:
        themes[items[pk].theme_id].append(pk)
    theme_of: dict[int, Theme] = {items[ids[0]].theme_id: items[ids[0]].theme for ids in themes.values()}
    for theme_id in sorted(themes, key=lambda t: (theme_of[t].order, theme_of[t].code)):
        ids = themes[theme_id]
        if len(ids) < 2:
            continue
        theme = theme_of[theme_id]
        title = _("%(theme)s, %(count)d items together") % {"theme": _name(theme, "name", language), "count": len(ids)}
        subsections.append(_rollup_section(f"theme-{theme.code}", title, ids, items, cells, codes, parties, language))
    note = _(
        "The rapporteurs coded the passages of the submitted replies against the codebook; only the items whose "
        "coding a rapporteur marked final are compared. A figure is the number of Parties whose reply was coded "
        "with the code; codings of text a Party has since resubmitted differently are left out until reviewed."
    )
    return Section(
        key=SECTION_KEY,
        title=_("Comparisons from the rapporteurs' coding"),
        blocks=(Paragraph(text=note, style="note"),),
        subsections=tuple(subsections),
    )


def _item_section(
    item: Item, cells: Cells, codes: dict[int, Code], parties: dict[int, Party], language: str, quotes_url: str
) -> Section:
    item_cells = cells.get(item.pk, {})
    counts = code_counts(cells, [item.pk], codes, parties)
    used = [c.code for c in counts]
    row_parties = sorted({parties[p] for p, _c in item_cells}, key=lambda p: p.name)
    rows = tuple(
        (party.name, *(str(item_cells.get((party.pk, code.pk), "")) for code in used)) for party in row_parties
    )
    table_links: tuple[tuple[str, ...], ...] = ()
    if quotes_url:
        table_links = tuple(
            (
                "",
                *(
                    f"{quotes_url}?scope=item:{item.pk}&code={code.pk}&party={party.pk}"
                    if (party.pk, code.pk) in item_cells
                    else ""
                    for code in used
                ),
            )
            for party in row_parties
        )
    blocks: list[Block] = []
    if counts:
        blocks.append(BulletList(items=tuple(count_sentence(c, language) for c in counts)))
        blocks.append(
            Table(
                caption=_("%(item)s: codings per Party and code") % {"item": item.code},
                header=(_("Party"), *(_name(code, "name", language) for code in used)),
                rows=rows,
                links=table_links,
            )
        )
    else:
        blocks.append(Paragraph(text=_("No reply to this item is coded with a current coding.")))
    text = _name(item, "text", language)
    short = text if len(text) <= 120 else text[:117].rstrip() + "…"
    return Section(key=f"monitoring-item-{item.code}", title=f"{item.code} – {short}", blocks=tuple(blocks))


def _rollup_section(
    key: str,
    title: str,
    ids: list[int],
    items: dict[int, Item],
    cells: Cells,
    codes: dict[int, Code],
    parties: dict[int, Party],
    language: str,
) -> Section:
    counts = code_counts(cells, ids, codes, parties)
    covered = ", ".join(items[pk].code for pk in ids)
    blocks: list[Block] = [Paragraph(text=_("Items: %(items)s.") % {"items": covered}, style="note")]
    if counts:
        blocks.append(BulletList(items=tuple(count_sentence(c, language) for c in counts)))
        blocks.append(
            Table(
                caption=title,
                header=(_("Code"), _("Parties"), _("Which Parties")),
                rows=tuple(
                    (_name(c.code, "name", language), str(c.count), ", ".join(p.name for p in c.parties))
                    for c in counts
                ),
            )
        )
    return Section(key=f"monitoring-{key}", title=title, blocks=tuple(blocks))


def report_sections(context: SectionContext) -> list[Section]:
    """The provider registered with ``reports.sections``: a public edition gets nothing (the rapporteurs'
    coding is the Committee's working material until the Committee adopts its report)."""
    if context.audience == "public":
        return []
    return comparison_sections(
        consultation_id=context.consultation_id, item_ids=context.item_ids, language=context.language
    )
