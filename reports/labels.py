"""The fixed texts of the report documents, translated through the catalogue for each edition.

Every report is written twice, an English and a French edition (the Committee's practice: two documents, not
one bilingual file). ``labels(language)`` gives the texts of one edition; the words themselves live in the
French catalogue like every other interface string.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

TEXTS = {
    "committee": _("Lanzarote Committee"),
    "committee_long": _(
        "Committee of the Parties to the Council of Europe Convention on the Protection of Children against"
        " Sexual Exploitation and Sexual Abuse"
    ),
    "participation": _("Participation"),
    "replied": _("Parties that replied"),
    "not_replied": _("Parties that did not reply"),
    "summary": _("Items covered"),
    "item": pgettext_lazy("questionnaire item", "Item"),
    "theme": _("Theme"),
    "articles": _("Articles of the Convention"),
    "article": _("Article"),
    "replying": _("Replying Parties"),
    "option": _("Option"),
    "count": pgettext_lazy("number of Parties", "Parties"),
    "percent": _("% of replying Parties"),
    "parties": _("Parties"),
    "chart": _("Replies per option"),
    "mean_rank": _("Mean rank"),
    "median_rank": _("Median rank"),
    "rank": _("Rank"),
    "ranked_first": _("Ranked first by"),
    "total": _("Total"),
    "median": _("Median"),
    "minimum": _("Minimum"),
    "maximum": _("Maximum"),
    "reporting": _("Parties reporting"),
    "party": _("Party"),
    "value": _("Value"),
    "compilation": _("Compilation of replies"),
    "language": _("Language"),
    "legal_references": _("Legal references"),
    "instrument": _("Instrument"),
    "provision": _("Provision"),
    "link": _("Link"),
    "matrix": _("Who answered what"),
    "no_replies": _("No replies."),
    "cutoff": _("Data cut-off"),
    "cutoff_note": _("Figures count submitted replies only."),
    "version": _("Version"),
    "under_revision": _("Reply under revision since"),
    "under_revision_note": _("A reply under revision counts with its last submission until it is submitted again."),
    "statistic": _("Statistic"),
    "number_of_parties": _("Number of Parties"),
    "contents": _("Contents"),
    "symbol": _("Symbol"),
    "date": _("Date"),
    "meeting": _("Meeting"),
    "classification": _("Classification"),
    "edition": _("Edition"),
    "edition_language": pgettext_lazy("the language of this document", "English edition"),
    "public": _("Public"),
    "restricted": _("Restricted"),
    "overview": _("Overview"),
    "questions": _("Replies per question"),
    "annexes": _("Annexes"),
    "annex": _("Annex"),
    "profiles": _("Country profiles"),
    "status_table": _("Replies at a glance"),
    "status_note": _(
        "Each Party's reply to the first closed question of each item; “✓” where it answered without such a"
        " choice, “–” where it did not answer the item."
    ),
    "attachments": _("Attachments"),
    "file": _("File"),
    "size": _("Size"),
    "cited_instruments": _("Most cited instruments"),
    "references_by_instrument": _("Legal references by instrument"),
    "references_by_article": _("Legal references by Convention article"),
    "references": _("References"),
    "citing_parties": _("Parties citing it"),
    "reply_in_en": _("reply written in English"),
    "reply_in_fr": _("reply written in French"),
    "reply_in_other": _("reply written in another language"),
    "page": _("Page"),
    "article_text": _("Text of the article"),
    "no_answer": _("No answer."),
    "profile_note": _("Every answer of the Party's last submission, in questionnaire order."),
    "item_text": _("Question"),
    "positions": _("Replies to the first closed question"),
    "by_article_note": _(
        "A reference given under a question counts once for every Convention article the question concerns."
    ),
    # A question put to some Parties only (a follow-up on a recommendation addressed to a few of them).
    "asked": _("Parties asked"),
    "percent_asked": _("% of Parties asked"),
    "not_asked_legend": _("— not asked"),
}
NOT_ASKED = "—"  # Annex II's cell for a Party that was not asked the question (distinct from "–", no reply)


def is_asked(item: dict[str, Any], party: str) -> bool:
    """Whether the question was put to ``party`` (a name in the edition's language): every Party unless the item
    names those asked."""
    return "asked_parties" not in item or party in item["asked_parties"]


def answered_of_asked(count: int, asked: int, language: str) -> str:
    """``Answered by 1 of 2 Parties asked``: the replying line of a question put to some Parties only."""
    with translation.override(language):
        return ngettext(
            "Answered by %(count)s of %(asked)s Party asked",
            "Answered by %(count)s of %(asked)s Parties asked",
            asked,
        ) % {"count": count, "asked": asked}


def labels(language: str) -> dict[str, str]:
    """Every fixed text of the documents in ``language`` ("en" or "fr")."""
    with translation.override(language):
        return {key: str(text) for key, text in TEXTS.items()}


def date_text(value: datetime.date | datetime.datetime | str | None, language: str, *, time: bool = False) -> str:
    """``3 December 2026`` / ``3 décembre 2026`` (with ``, 16:28`` when ``time``): the edition's own format,
    never Django's abbreviated month ("Dec.", "Déc")."""
    if not value:
        return "–"
    if isinstance(value, str):
        value = datetime.datetime.fromisoformat(value)
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        if not time:
            value = value.date()
    with translation.override(language):
        text = formats.date_format(value, "j F Y")
        if time and isinstance(value, datetime.datetime):
            text += ", " + value.strftime("%H:%M %Z").strip()
    return text


def both(en: str, fr: str) -> str:
    """``"English / Français"`` for a content title shown to everyone (the index rows); a shared lead such as
    ``"Article 20 – "`` is written once. Documents themselves are written per language."""
    if not fr or en == fr:
        return en
    lead, sep, rest_en = en.partition(" – ")
    if sep and fr.startswith(lead + sep):
        return f"{lead}{sep}{rest_en} / {fr[len(lead) + len(sep) :]}"
    return f"{en} / {fr}"
