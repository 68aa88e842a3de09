"""The report sections of other voices: organisations' comments and replies, and the children's views.

Registered with ``reports.sections`` in ``StakeholdersConfig.ready``; a report build calls them once per
edition. They are printed after the State replies, never mixed with them. A public edition holds only what the
Secretariat published; children's contributions, which have no publication decision of their own, are for the
Committee's editions only.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from consultation.models import Item
from reports.sections import Paragraph, Section, SectionContext, Table

from ..models import AgeBand, ChildrenContribution, ContributionStatus, Setting, StakeholderAnswer, StakeholderComment


def _items(context: SectionContext) -> list[Item]:
    return list(Item.objects.filter(pk__in=context.item_ids).select_related("theme").order_by("order", "code"))


def _party_name(party, language: str) -> str:
    return getattr(party, f"name_{language}", None) or party.name


def _language_note(language: str, edition: str) -> str:
    if language == edition:
        return ""
    names = {"en": _("in English"), "fr": _("in French")}
    return f" ({names.get(language, language)})"


def stakeholder_sections(context: SectionContext) -> list[Section]:
    """Comments on the Parties' replies, per question (and overall, in the overview), then the organisations' own
    replies per question."""
    items = _items(context)
    if not items:
        return []
    published_only = context.audience == "public"
    item_ids = [i.pk for i in items]
    scope = Q(item_id__in=item_ids)
    if context.scope_kind == "overview":
        scope |= Q(item__isnull=True)
    comments = StakeholderComment.objects.filter(
        scope, consultation_id=context.consultation_id, status=ContributionStatus.SUBMITTED
    )
    if published_only:
        comments = comments.filter(published_at__isnull=False)
    comments = list(comments.select_related("organisation", "party").order_by("party__name_en", "submitted_at", "id"))
    answers = StakeholderAnswer.objects.filter(
        reply__consultation_id=context.consultation_id,
        reply__status=ContributionStatus.SUBMITTED,
        item_id__in=item_ids,
    )
    if published_only:
        answers = answers.filter(reply__published_at__isnull=False)
    answers = list(answers.select_related("reply__organisation").order_by("reply__organisation__name"))

    with translation.override(context.language):
        sections: list[Section] = []
        if comments:
            by_item: dict[int | None, list[StakeholderComment]] = defaultdict(list)
            for comment in comments:
                by_item[comment.item_id].append(comment)
            subsections = []
            for key, label in [(None, _("On the replies as a whole"))] + [(i.pk, f"{i.code}") for i in items]:
                rows = by_item.get(key)
                if not rows:
                    continue
                blocks: list = []
                for comment in rows:
                    blocks.append(
                        Paragraph(
                            text=_("%(organisation)s on the reply of %(party)s%(language)s:")
                            % {
                                "organisation": comment.organisation.name,
                                "party": _party_name(comment.party, context.language),
                                "language": _language_note(comment.language, context.language),
                            },
                            style="note",
                        )
                    )
                    blocks.append(Paragraph(text=comment.text, style="quote"))
                subsections.append(
                    Section(key=f"stakeholder-comments-{key or 'overall'}", title=label, blocks=tuple(blocks))
                )
            organisations = len({c.organisation_id for c in comments})
            parties = len({c.party_id for c in comments})
            sections.append(
                Section(
                    key="stakeholder-comments",
                    title=_("Comments from other stakeholders"),
                    blocks=(
                        Paragraph(
                            text=_(
                                "%(comments)s comments from %(organisations)s organisations on the replies of %(parties)s Parties. They are the organisations' views, not the Parties'."
                            )
                            % {"comments": len(comments), "organisations": organisations, "parties": parties},
                            style="note",
                        ),
                    ),
                    subsections=tuple(subsections),
                )
            )
        if answers:
            by_item_answers: dict[int, list[StakeholderAnswer]] = defaultdict(list)
            for answer in answers:
                by_item_answers[answer.item_id].append(answer)
            subsections = []
            for item in items:
                rows = by_item_answers.get(item.pk)
                if not rows:
                    continue
                blocks = []
                for answer in rows:
                    blocks.append(
                        Paragraph(
                            text=f"{answer.reply.organisation.name}{_language_note(answer.language, context.language)}:",
                            style="note",
                        )
                    )
                    blocks.append(Paragraph(text=answer.text, style="quote"))
                subsections.append(
                    Section(key=f"stakeholder-replies-{item.code}", title=item.code, blocks=tuple(blocks))
                )
            sections.append(
                Section(
                    key="stakeholder-replies",
                    title=_("Replies from other stakeholders"),
                    subsections=tuple(subsections),
                )
            )
        return sections


def children_section(context: SectionContext) -> list[Section]:
    """The children's views on the themes the report covers: figures per theme, then each group's views."""
    if context.audience == "public":
        return []
    items = _items(context)
    themes = {}
    for item in items:
        themes.setdefault(item.theme_id, item.theme)
    if not themes:
        return []
    contributions = list(
        ChildrenContribution.objects.filter(consultation_id=context.consultation_id, theme_id__in=list(themes))
        .select_related("theme", "party")
        .order_by("theme__order", "gathered_on", "id")
    )
    if not contributions:
        return []
    with translation.override(context.language):
        ages = dict(AgeBand.choices)
        settings_ = dict(Setting.choices)
        rows = []
        subsections = []
        for theme_id, theme in themes.items():
            groups = [c for c in contributions if c.theme_id == theme_id]
            if not groups:
                continue
            name = getattr(theme, f"name_{context.language}", None) or theme.name
            bands = Counter(c.age_band for c in groups)
            rows.append(
                (
                    name,
                    str(len(groups)),
                    str(sum(c.children_count for c in groups)),
                    ", ".join(
                        f"{ages[b]}: {n}" for b, n in sorted(bands.items(), key=lambda kv: list(ages).index(kv[0]))
                    ),
                )
            )
            blocks = []
            for group in groups:
                where = _party_name(group.party, context.language) if group.party_id else _("several countries")
                blocks.append(
                    Paragraph(
                        text=_("%(age)s · %(setting)s · %(count)s children · %(where)s%(language)s:")
                        % {
                            "age": ages[group.age_band],
                            "setting": settings_[group.setting],
                            "count": group.children_count,
                            "where": where,
                            "language": _language_note(group.language, context.language),
                        },
                        style="note",
                    )
                )
                blocks.append(Paragraph(text=group.views, style="quote"))
            subsections.append(Section(key=f"children-{theme.code}", title=name, blocks=tuple(blocks)))
        table = Table(
            caption=_("Children's contributions per theme"),
            header=(_("Theme"), _("Groups"), _("Children"), _("Age bands (groups)")),
            rows=tuple(rows),
        )
        return [
            Section(
                key="children",
                title=_("Children's views"),
                blocks=(
                    Paragraph(
                        text=_(
                            "Gathered in groups by facilitators following the guidelines on child participation; no personal data is recorded."
                        ),
                        style="note",
                    ),
                    table,
                ),
                subsections=tuple(subsections),
            )
        ]
