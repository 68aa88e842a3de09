"""The compliance reports as ``reports.sections.Document``: per recommendation (every Party it addresses) and per
Party (every recommendation addressed to it), in one edition's language, typeset by the reports' writers.

Each entry gives the Party's reported implementation status, the measures and legal references of its submitted
follow-up reply, the evidence it attached and the Committee's assessment with its reasons.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultation.models import Attachment, Consultation, Party
from consultation.selectors.rounds import submitted_data
from monitoring.models import Recommendation, Strength
from reports.sections import BulletList, Document, DocumentMeta, Paragraph, Section, Table

from ..models import Assessment, ComplianceAssessment, FollowUpItem, ImplementationStatus
from .compliance import adopted_recommendations


def _in(language: str, english: str, french: str) -> str:
    return french if language == "fr" and french else english


def _replies(recommendations: list[Recommendation], party_ids: list[int] | None) -> dict[tuple[int, int], dict]:
    """(recommendation pk, Party pk) -> the Party's submitted follow-up data (two queries)."""
    item_of = dict(
        FollowUpItem.objects.filter(recommendation__in=recommendations).values_list("item_id", "recommendation_id")
    )
    found: dict[tuple[int, int], dict] = {}
    for party_id in party_ids or [None]:
        for (item_id, pid), row in submitted_data(item_ids=list(item_of), party_id=party_id).items():
            found[(item_of[item_id], pid)] = row
    return found


def _entry(
    *, title: str, key: str, reply: dict | None, assessment: ComplianceAssessment | None, files, language, lead=""
) -> Section:
    blocks: list[Any] = [Paragraph(lead, "quote")] if lead else []
    data = (reply or {}).get("data", {})
    status = data.get("status")
    rows = [
        (
            _("Implementation status (reported)"),
            str(ImplementationStatus(status).label)
            if status in ImplementationStatus.values
            else _("No reply submitted"),
        ),
        (
            _("Compliance (Committee's assessment)"),
            str(Assessment(assessment.assessment).label if assessment else Assessment.NOT_ASSESSED.label),
        ),
    ]
    blocks.append(Table(caption=_("Status and assessment"), header=(_("Aspect"), _("Finding")), rows=tuple(rows)))
    if data.get("measures"):
        blocks.append(Paragraph(_("Measures taken, as reported:"), "note"))
        blocks.append(Paragraph(str(data["measures"]), "quote"))
    references = [
        " ".join(p for p in (r.get("instrument", ""), r.get("provision", "")) if p)
        for r in data.get("legal_references") or []
    ]
    if references:
        blocks.append(Paragraph(_("Legal references:"), "note"))
        blocks.append(BulletList(items=tuple(references)))
    names = [files[pk] for pk in data.get("evidence") or [] if pk in files]
    if names:
        blocks.append(Paragraph(_("Evidence documents:"), "note"))
        blocks.append(BulletList(items=tuple(names)))
    if assessment and assessment.reasons:
        blocks.append(Paragraph(_("Reasons for the assessment:"), "note"))
        blocks.append(Paragraph(assessment.reasons))
    return Section(key=key, title=title, blocks=tuple(blocks))


def _files(replies: dict) -> dict[int, str]:
    ids = {pk for row in replies.values() for pk in (row["data"].get("evidence") or []) if isinstance(pk, int)}
    return dict(Attachment.objects.filter(pk__in=ids).values_list("pk", "original_name")) if ids else {}


def _summary(assessments: list[str], language: str) -> Table:
    counts = {key: assessments.count(key) for key in Assessment.values}
    return Table(
        caption=_("Assessments"),
        header=(_("Assessment"), _("Parties")),
        rows=tuple((str(Assessment(key).label), str(counts[key])) for key in Assessment.values),
    )


def recommendation_compliance_document(*, recommendation: Recommendation, language: str) -> Document:
    """Compliance with one recommendation, Party by Party (the Parties it addresses, by name)."""
    with translation.override(language):
        named = list(recommendation.addressees.all())
        parties = named or list(Party.objects.filter(is_active=True))
        parties.sort(key=lambda p: _in(language, p.name_en, p.name_fr))
        replies = _replies([recommendation], None)
        files = _files(replies)
        assessments = {a.party_id: a for a in ComplianceAssessment.objects.filter(recommendation=recommendation)}
        text = _in(language, recommendation.text_en, recommendation.text_fr)
        strength = str(Strength(recommendation.strength).label)
        intro = Section(
            key="recommendation",
            title=_("The recommendation"),
            blocks=(
                Paragraph(f"{recommendation.label} ({strength}) {text}", "quote"),
                Paragraph(
                    _("Adopted at %(meeting)s on %(date)s.")
                    % {"meeting": recommendation.meeting, "date": recommendation.adopted_on.strftime("%d/%m/%Y")},
                    "note",
                ),
                _summary(
                    [assessments[p.pk].assessment if p.pk in assessments else "not_assessed" for p in parties], language
                ),
            ),
        )
        entries = tuple(
            _entry(
                title=_in(language, p.name_en, p.name_fr),
                key=f"party-{p.iso2.lower()}",
                reply=replies.get((recommendation.pk, p.pk)),
                assessment=assessments.get(p.pk),
                files=files,
                language=language,
            )
            for p in parties
        )
        consultation = recommendation.consultation
        return Document(
            meta=DocumentMeta(
                title=_("Compliance report: recommendation %(label)s") % {"label": recommendation.label},
                subtitle=_in(language, consultation.title_en, consultation.title_fr),
                language=language,
                date=timezone.localdate(),
            ),
            sections=(intro, Section(key="parties", title=_("Party by Party"), subsections=entries)),
        )


def party_compliance_document(*, consultation: Consultation, party: Party, language: str) -> Document:
    """One Party's compliance with every adopted recommendation addressed to it, urges first."""
    with translation.override(language):
        recommendations = list(adopted_recommendations(consultation=consultation, party=party))
        replies = _replies(recommendations, [party.pk])
        files = _files(replies)
        assessments = {
            a.recommendation_id: a
            for a in ComplianceAssessment.objects.filter(recommendation__in=recommendations, party=party)
        }
        overview = Table(
            caption=_("Recommendations addressed to %(party)s")
            % {"party": _in(language, party.name_en, party.name_fr)},
            header=(_("Recommendation"), _("Strength"), _("Implementation status (reported)"), _("Assessment")),
            rows=tuple(
                (
                    r.label,
                    str(Strength(r.strength).label),
                    str(ImplementationStatus(s).label)
                    if (s := replies.get((r.pk, party.pk), {}).get("data", {}).get("status"))
                    in ImplementationStatus.values
                    else _("No reply submitted"),
                    str(
                        Assessment(assessments[r.pk].assessment).label
                        if r.pk in assessments
                        else Assessment.NOT_ASSESSED.label
                    ),
                )
                for r in recommendations
            ),
        )
        entries = tuple(
            _entry(
                title=f"{r.label} ({Strength(r.strength).label})",
                lead=_in(language, r.text_en, r.text_fr),
                key=f"recommendation-{r.label.lower()}",
                reply=replies.get((r.pk, party.pk)),
                assessment=assessments.get(r.pk),
                files=files,
                language=language,
            )
            for r in recommendations
        )
        name = _in(language, party.name_en, party.name_fr)
        return Document(
            meta=DocumentMeta(
                title=_("Compliance report: %(party)s") % {"party": name},
                subtitle=_in(language, consultation.title_en, consultation.title_fr),
                language=language,
                date=timezone.localdate(),
            ),
            sections=(
                Section(key="overview", title=_("Overview"), blocks=(overview,)),
                Section(key="recommendations", title=_("Recommendation by recommendation"), subsections=entries),
            ),
        )
