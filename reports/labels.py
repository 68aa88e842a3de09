"""Headings of the report documents, in English and French side by side.

Reports are tabled as bilingual documents whatever the reader's interface language, so these are
document content in both official languages (like the ``_en``/``_fr`` columns of the models), not
interface strings to translate.
"""

from __future__ import annotations

PAIRS: dict[str, tuple[str, str]] = {
    "committee": ("Lanzarote Committee", "Comité de Lanzarote"),
    "participation": ("Participation", "Participation"),
    "replied": ("Parties that replied", "Parties ayant répondu"),
    "not_replied": ("Parties that did not reply", "Parties n'ayant pas répondu"),
    "summary": ("Items covered", "Questions couvertes"),
    "item": ("Item", "Question"),
    "theme": ("Theme", "Thème"),
    "articles": ("Articles of the Convention", "Articles de la Convention"),
    "replying": ("Replying Parties", "Parties ayant répondu"),
    "option": ("Option", "Option"),
    "count": ("Parties", "Parties"),
    "percent": ("% of replying Parties", "% des Parties ayant répondu"),
    "parties": ("Parties", "Parties"),
    "chart": ("Replies per option", "Réponses par option"),
    "mean_rank": ("Mean rank", "Rang moyen"),
    "median_rank": ("Median rank", "Rang médian"),
    "rank": ("Rank", "Rang"),
    "ranked_first": ("Ranked first by", "Classé en premier par"),
    "total": ("Total", "Total"),
    "median": ("Median", "Médiane"),
    "minimum": ("Minimum", "Minimum"),
    "maximum": ("Maximum", "Maximum"),
    "reporting": ("Parties reporting", "Parties ayant communiqué un chiffre"),
    "party": ("Party", "Partie"),
    "value": ("Value", "Valeur"),
    "compilation": ("Compilation of replies", "Compilation des réponses"),
    "language": ("Language", "Langue"),
    "legal_references": ("Legal references", "Références juridiques"),
    "instrument": ("Instrument", "Instrument"),
    "provision": ("Provision", "Disposition"),
    "link": ("Link", "Lien"),
    "matrix": ("Who answered what", "Qui a répondu quoi"),
    "no_replies": ("No replies.", "Aucune réponse."),
    "cutoff": ("Data cut-off", "Date d'arrêt des données"),
    "cutoff_note": (
        "Figures count submitted replies only.",
        "Les chiffres ne comptent que les réponses soumises.",
    ),
    "version": ("Version", "Version"),
    "under_revision": ("Reply under revision since", "Réponse en cours de révision depuis"),
    "under_revision_note": (
        "A reply under revision counts with its last submission until it is submitted again.",
        "Une réponse en cours de révision compte avec sa dernière soumission jusqu'à ce qu'elle soit de nouveau"
        " soumise.",
    ),
    "statistic": ("Statistic", "Statistique"),
    "number_of_parties": ("Number of Parties", "Nombre de Parties"),
}


def bilingual(key: str) -> str:
    """``"English / Français"``, or the single word when both languages agree."""
    en, fr = PAIRS[key]
    return en if en == fr else f"{en} / {fr}"


def both(en: str, fr: str) -> str:
    """``"English / Français"``; a shared lead such as ``"Article 20 – "`` is written once."""
    if not fr or en == fr:
        return en
    lead, sep, rest_en = en.partition(" – ")
    if sep and fr.startswith(lead + sep):
        return f"{lead}{sep}{rest_en} / {fr[len(lead) + len(sep) :]}"
    return f"{en} / {fr}"


LABELS = {key: bilingual(key) for key in PAIRS}
