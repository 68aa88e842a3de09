"""What a public edition of a report says about itself: a section registered with ``reports.sections``."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from reports.sections import Paragraph, Section, SectionContext

from ..models import Publication


def public_edition_section(context: SectionContext) -> list[Section]:
    """In a public edition only: which Parties' published replies it counts, and what it leaves out (one query)."""
    if context.audience != "public":
        return []
    names = sorted(
        (name_fr or name_en) if context.language == "fr" else name_en
        for name_en, name_fr in Publication.objects.current()
        .filter(consultation_id=context.consultation_id)
        .values_list("party__name_en", "party__name_fr")
    )
    with translation.override(context.language):
        text = _(
            "This public edition counts only the replies published on the public site (those of: %(names)s), as "
            "published, without the answers and documents the Parties marked not for publication, and only the "
            "comments of other stakeholders that were published."
        ) % {"names": ", ".join(names) or "–"}
        return [Section(key="public-edition", title=_("About this public edition"), blocks=(Paragraph(text),))]
