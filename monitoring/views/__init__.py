"""The rapporteurs' pages (Analysis) and the Secretariat's follow-up, one module per thing the reader does. Thin:
parse, ask ``accounts.access`` with the rapporteur facts read by ``selectors.assignments``, call one service or
selector, render."""

from .analysis import code_apply, coding_final, coding_remove, coding_review, home, item_analysis, matrix, quotes
from .codebook import codebook, codebook_export, codebook_import, codings_export
from .observations import observation_comment, observations, observations_adoption, observations_history
from .recommendations import recommendation_detail, recommendation_new, recommendation_status, recommendations
from .secretariat import implementation_report, implementation_report_file, rapporteur_remove, rapporteurs

__all__ = [
    "code_apply",
    "codebook",
    "codebook_export",
    "codebook_import",
    "coding_final",
    "coding_remove",
    "coding_review",
    "codings_export",
    "home",
    "implementation_report",
    "implementation_report_file",
    "item_analysis",
    "matrix",
    "observation_comment",
    "observations",
    "observations_adoption",
    "observations_history",
    "quotes",
    "rapporteur_remove",
    "rapporteurs",
    "recommendation_detail",
    "recommendation_new",
    "recommendation_status",
    "recommendations",
]
