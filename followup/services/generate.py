"""Generate the follow-up round: one question per adopted recommendation, put to the Parties it addresses.

The round is an ordinary consultation (draft until the Secretariat opens it with a deadline, then the same
workspace, reminders and sign-off as any other). Running the generator again adds only the recommendations
adopted since (while the round is still a draft) and never duplicates one: ``FollowUpItem`` is unique per
recommendation.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.services import audit_record
from consultation.models import (
    Consultation,
    ConsultationStatus,
    Field,
    FieldType,
    Item,
    ItemAddressee,
    Option,
    Theme,
)
from monitoring.models import Recommendation, RecommendationStatus, Strength

from ..errors import FollowUpError
from ..models import FollowUpItem, FollowUpRound, ImplementationStatus

THEME_CODE = "follow-up"
THEME_NAME = gettext_lazy("Follow-up to the Committee's recommendations")

STATUS_KEY, MEASURES_KEY, REFERENCES_KEY, EVIDENCE_KEY = "status", "measures", "legal_references", "evidence"
FIELDS = (
    (STATUS_KEY, FieldType.SINGLE_CHOICE, gettext_lazy("Implementation status"), True),
    (MEASURES_KEY, FieldType.TEXT, gettext_lazy("Measures taken"), True),
    (REFERENCES_KEY, FieldType.LEGAL_REFERENCES, gettext_lazy("Legal references"), False),
    (EVIDENCE_KEY, FieldType.ATTACHMENT, gettext_lazy("Evidence documents"), False),
)
FIELD_HELP = {
    STATUS_KEY: gettext_lazy("Where the recommendation stands in your country today."),
    MEASURES_KEY: gettext_lazy(
        "The laws, policies, programmes or practical measures adopted or planned since the recommendation, "
        "with their dates."
    ),
    REFERENCES_KEY: gettext_lazy("The provisions that implement the recommendation."),
    EVIDENCE_KEY: gettext_lazy("Texts, reports or statistics that show the measures (PDF, Word, spreadsheets)."),
}


def _both(text: Any) -> tuple[str, str]:
    """A fixed text in English and in French (the catalogue's translation), for the two columns of a row."""
    with translation.override("en"):
        english = str(text)
    with translation.override("fr"):
        french = str(text)
    return english, french


def _strength_both(strength: str) -> tuple[str, str]:
    return _both(Strength(strength).label)


def _item_texts(recommendation: Recommendation) -> dict[str, str]:
    strength_en, strength_fr = _strength_both(recommendation.strength)
    guidance = {}
    for language in ("en", "fr"):
        with translation.override(language):
            guidance[language] = _(
                "Recommendation %(label)s, adopted at %(meeting)s on %(date)s. Say what your country has done to "
                "implement it, and attach the evidence."
            ) % {
                "label": recommendation.label,
                "meeting": recommendation.meeting,
                "date": date_format(recommendation.adopted_on, "j F Y"),
            }
    guidance_en, guidance_fr = guidance["en"], guidance["fr"]
    return {
        "text_en": f"{recommendation.label} ({strength_en}) {recommendation.text_en}",
        "text_fr": f"{recommendation.label} ({strength_fr}) {recommendation.text_fr or recommendation.text_en}",
        "guidance_en": guidance_en,
        "guidance_fr": guidance_fr,
    }


def _theme() -> Theme:
    name_en, name_fr = _both(THEME_NAME)
    theme, _created = Theme.objects.get_or_create(
        code=THEME_CODE, defaults={"name_en": name_en, "name_fr": name_fr, "order": 900}
    )
    return theme


def _free_slug(base: str) -> str:
    slug, n = base[:80], 2
    while Consultation.objects.filter(slug=slug).exists():
        slug = f"{base[:76]}-{n}"
        n += 1
    return slug


def _round_for(source: Consultation, user: Any, closes_on: datetime.date | None) -> tuple[FollowUpRound, bool]:
    existing = FollowUpRound.objects.select_related("consultation").filter(source=source).first()
    if existing is not None:
        return existing, False
    title_en, title_fr = (
        f"{prefix}: {title}"
        for prefix, title in zip(
            _both(gettext_lazy("Follow-up to the recommendations")),
            (source.title_en, source.title_fr or source.title_en),
            strict=True,
        )
    )
    consultation = Consultation.objects.create(
        slug=_free_slug(f"{source.slug[:66]}-follow-up"),
        title_en=title_en[:300],
        title_fr=title_fr[:300],
        source_reference=source.source_reference,
        closes_on=closes_on,
        status=ConsultationStatus.DRAFT,
        previous=source,
    )
    return FollowUpRound.objects.create(source=source, consultation=consultation, created_by=user), True


def _add_item(*, round_: FollowUpRound, recommendation: Recommendation, theme: Theme, order: int) -> Item:
    item = Item.objects.create(
        consultation=round_.consultation,
        code=recommendation.label,
        theme=theme,
        order=order,
        **_item_texts(recommendation),
    )
    item.articles.set(recommendation.articles.all())
    for position, (key, type_, label, required) in enumerate(FIELDS, 1):
        label_en, label_fr = _both(label)
        help_en, help_fr = _both(FIELD_HELP[key])
        field = Field.objects.create(
            item=item,
            key=key,
            type=type_,
            label_en=label_en,
            label_fr=label_fr,
            help_en=help_en,
            help_fr=help_fr,
            required=required,
            order=position,
        )
        if key == STATUS_KEY:
            for rank, status in enumerate(ImplementationStatus, 1):
                option_en, option_fr = _both(status.label)
                Option.objects.create(field=field, key=status.value, label_en=option_en, label_fr=option_fr, order=rank)
    ItemAddressee.objects.bulk_create(
        [
            ItemAddressee(item=item, party_id=party_id)
            for party_id in recommendation.addressees.values_list("pk", flat=True)
        ]
    )
    FollowUpItem.objects.create(round=round_, recommendation=recommendation, item=item)
    return item


@transaction.atomic
def follow_up_generate(
    *, source: Consultation, user: Any, closes_on: datetime.date | None = None, request: Any = None
) -> tuple[FollowUpRound, int]:
    """The follow-up round of ``source`` with one item per adopted recommendation; returns it and how many items
    this run added (0 when run again with nothing newly adopted)."""
    Consultation.objects.select_for_update().filter(pk=source.pk).exists()  # two clicks at once: one round
    adopted = list(
        Recommendation.objects.filter(consultation=source, status=RecommendationStatus.ADOPTED)
        .exclude(follow_up_item__isnull=False)
        .order_by("chapter", "number")
    )
    round_, created = _round_for(source, user, closes_on)
    if not adopted and created:
        raise FollowUpError(_("No recommendation of this consultation has been adopted yet: nothing to follow up."))
    if adopted and round_.consultation.status != ConsultationStatus.DRAFT:
        raise FollowUpError(
            _(
                "The follow-up round is already %(status)s: %(count)s recommendation(s) adopted since cannot be "
                "added to it."
            )
            % {"status": round_.consultation.get_status_display().lower(), "count": len(adopted)}
        )
    theme = _theme()
    order = (Item.objects.filter(consultation=round_.consultation).aggregate(last=Max("order"))["last"] or 0) + 1
    for offset, recommendation in enumerate(adopted):
        _add_item(round_=round_, recommendation=recommendation, theme=theme, order=order + offset)
    audit_record(
        event_type="followup.generated",
        actor=user,
        consultation=round_.consultation,
        object_repr=f"consultation:{round_.consultation.slug}",
        request=request,
        extra={"source": source.slug, "created_round": created, "items_added": [r.label for r in adopted]},
    )
    return round_, len(adopted)
