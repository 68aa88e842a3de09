"""The comparative reports' "What changed since the previous round" section (a ``reports.sections`` provider).

For each item of the report that continues an item of an earlier round: the Parties whose position changed (a
choice field's options differ), with what they chose then and now, and the Parties whose texts changed. Parties
that replied in only one of the two rounds are named apart. Everything is read in a fixed number of queries.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from consultation.models import CHOICE_FIELD_TYPES, Field, FieldType, Item, Option, Party
from consultation.selectors.rounds import submitted_data
from reports.sections import BulletList, Paragraph, Section, SectionContext, Table

SECTION_KEY = "changes-since-previous-round"


def _label(row, language: str) -> str:
    return (row.label_fr if language == "fr" and row.label_fr else row.label_en) or ""


def _choice_text(fld: Field, value, language: str) -> str:
    labels = {o.key: _label(o, language) for o in fld.option_list}
    if value in (None, "", [], {}):
        return "—"
    keys = value if isinstance(value, list) else [value]
    return "; ".join(labels.get(k, k) for k in keys)


def changes_section_provider(context: SectionContext) -> list[Section]:
    if context.audience == "public":
        return []  # each Party's answers compared across rounds: Committee documents only
    items = list(
        Item.objects.filter(pk__in=context.item_ids, continues__isnull=False)
        .select_related("continues__consultation")
        .prefetch_related(
            Prefetch("fields", queryset=Field.objects.order_by("order", "id"), to_attr="field_list"),
            Prefetch("field_list__options", queryset=Option.objects.order_by("order", "id"), to_attr="option_list"),
        )
        .order_by("order", "code")
    )
    if not items:
        return []
    with translation.override(context.language):
        return [_section(context, items)]


def _section(context: SectionContext, items: list[Item]) -> Section:
    language = context.language
    now = submitted_data(item_ids=[i.pk for i in items])
    then = submitted_data(item_ids=[i.continues_id for i in items])
    party_ids = {party for _item, party in now} | {party for _item, party in then}
    names = {
        p.pk: (p.name_fr if language == "fr" and p.name_fr else p.name_en)
        for p in Party.objects.filter(pk__in=party_ids).only("pk", "name_en", "name_fr")
    }
    earlier_round = items[0].continues.consultation
    round_title = earlier_round.title_fr if language == "fr" and earlier_round.title_fr else earlier_round.title_en
    subsections = []
    for item in items:
        before_parties = {p for (i, p) in then if i == item.continues_id}
        after_parties = {p for (i, p) in now if i == item.pk}
        rows, texts = [], []
        choice_fields = [f for f in item.field_list if f.type in CHOICE_FIELD_TYPES]
        text_fields = [f for f in item.field_list if f.type in (FieldType.TEXT, FieldType.NUMBER)]
        for party in sorted(before_parties & after_parties, key=lambda p: names.get(p, "")):
            old = then[(item.continues_id, party)]["data"]
            new = now[(item.pk, party)]["data"]
            for fld in choice_fields:
                if old.get(fld.key) != new.get(fld.key):
                    rows.append(
                        (
                            names[party],
                            _label(fld, language),
                            _choice_text(fld, old.get(fld.key), language),
                            _choice_text(fld, new.get(fld.key), language),
                        )
                    )
            if any(str(old.get(f.key) or "").strip() != str(new.get(f.key) or "").strip() for f in text_fields):
                texts.append(names[party])
        blocks: list = []
        if item.continues.code != item.code:
            blocks.append(
                Paragraph(_("Asked as %(code)s in the previous round.") % {"code": item.continues.code}, "note")
            )
        if rows:
            blocks.append(
                Table(
                    caption=_("Parties whose position changed on %(code)s") % {"code": item.code},
                    header=(_("Party"), _("Question"), _("Previous round"), _("This round")),
                    rows=tuple(rows),
                )
            )
        else:
            blocks.append(Paragraph(_("No Party that replied to both rounds changed its choices.")))
        if texts:
            blocks.append(Paragraph(_("Parties whose written answer changed:")))
            blocks.append(BulletList(items=tuple(texts)))
        only_now = sorted((names[p] for p in after_parties - before_parties), key=str)
        only_then = sorted((names[p] for p in before_parties - after_parties), key=str)
        if only_now:
            blocks.append(Paragraph(_("Replied in this round only: %(parties)s.") % {"parties": ", ".join(only_now)}))
        if only_then:
            blocks.append(
                Paragraph(_("Replied in the previous round only: %(parties)s.") % {"parties": ", ".join(only_then)})
            )
        subsections.append(Section(key=f"{SECTION_KEY}-{item.code}", title=item.code, blocks=tuple(blocks)))
    return Section(
        key=SECTION_KEY,
        title=_("What changed since the previous round"),
        blocks=(
            Paragraph(
                _(
                    "Compared with the replies submitted to %(round)s, item by item (an item asks again the item it "
                    "continues, even if renamed or renumbered)."
                )
                % {"round": round_title},
                "note",
            ),
        ),
        subsections=tuple(subsections),
    )
