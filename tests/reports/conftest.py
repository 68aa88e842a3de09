"""A hand-built dataset for the reports: six Parties whose replies give known figures.

Items (consultation ``reports-consultation``):
- GENAI-01 (Generative AI; Articles 20, 23): a ranking of three options, a number, legal references.
- GENAI-02 (Generative AI; Article 20): position yes / partially / no, explanation.
- ROBOT-01 (Robotics; Article 20), ROBOT-02 (Robotics; Articles 20, 21): position, explanation.
- XR-01 (Immersive; Article 30): position, explanation.

Submitted replies: Belgium, France, Germany (Yes to GENAI-02), Italy, Spain (Partially), Netherlands (No).
Austria has a draft reply only; it never counts.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from consultation.models import Answer, Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.responses import response_submit
from tests import factories as f

POSITIONS = {"BE": "yes", "FR": "yes", "DE": "yes", "IT": "partially", "ES": "partially", "NL": "no"}
RANKINGS = {
    "BE": ["offline", "solicitation", "ai_generated"],
    "FR": ["offline", "ai_generated", "solicitation"],
    "DE": ["solicitation", "offline", "ai_generated"],
    "IT": ["offline", "solicitation", "ai_generated"],
    "ES": ["solicitation", "offline", "ai_generated"],
    "NL": ["offline", "solicitation", "ai_generated"],
}
CASES = {"BE": "4", "FR": "12.5", "DE": "30", "IT": "0", "ES": "7"}  # the Netherlands gave no figure


def ranking_item(consultation, *, code, theme, articles):
    item = f.ItemFactory(consultation=consultation, code=code, theme=theme, order=0)
    from consultation.models import Article

    item.articles.set(Article.objects.filter(number__in=articles))
    ranking = f.FieldFactory(
        item=item,
        key="impact_ranking",
        type="ranking",
        required=True,
        order=1,
        label_en="Rank by severity",
        label_fr="Classez par gravité",
    )
    for order, (key, en, fr) in enumerate(
        [
            ("offline", "Offline CSEA", "Hors ligne"),
            ("solicitation", "Solicitation", "Sollicitation"),
            ("ai_generated", "AI generated", "Généré par l'IA"),
        ],
        start=1,
    ):
        f.OptionFactory(field=ranking, key=key, label_en=en, label_fr=fr, order=order)
    f.FieldFactory(
        item=item,
        key="recorded_cases",
        type="number",
        order=2,
        label_en="Recorded cases",
        label_fr="Affaires enregistrées",
    )
    f.FieldFactory(
        item=item,
        key="legal_references",
        type="legal_references",
        order=3,
        label_en="Legal references",
        label_fr="Références juridiques",
    )
    return item


def save(response, item, data, *, language="en"):
    current = Answer.objects.filter(response=response, item=item).first()
    return answer_save(
        response=response,
        item=item,
        data=data,
        base_version=current.version if current else 0,
        user=None,
        language=language,
    )


def reply(consultation, iso2, answers, *, submit=True, language="en"):
    response = response_get_or_create(consultation=consultation, party=f.party(iso2))
    for item, data in answers.items():
        save(response, item, data, language=language)
    if submit:
        response_submit(response=response, user=None)
    return Response.objects.get(pk=response.pk)


@pytest.fixture
def dataset(db):
    consultation = f.ConsultationFactory(
        slug="reports-consultation", title_en="Emerging technologies", title_fr="Technologies émergentes"
    )
    genai = f.ThemeFactory(code="generative-ai", name_en="Generative AI", name_fr="IA générative", order=1)
    robotics = f.ThemeFactory(code="robotics", name_en="Robotics", name_fr="Robotique", order=5)
    immersive = f.ThemeFactory(
        code="immersive", name_en="Immersive environments", name_fr="Environnements immersifs", order=3
    )
    genai01 = ranking_item(consultation, code="GENAI-01", theme=genai, articles=[20, 23])
    genai02 = f.position_item(consultation, code="GENAI-02", theme=genai, articles=[20])
    robot01 = f.position_item(consultation, code="ROBOT-01", theme=robotics, articles=[20])
    robot02 = f.position_item(consultation, code="ROBOT-02", theme=robotics, articles=[20, 21])
    xr01 = f.position_item(consultation, code="XR-01", theme=immersive, articles=[30])
    items = [genai01, genai02, robot01, robot02, xr01]
    for order, item in enumerate(items, start=1):
        item.order = order
        item.save(update_fields=["order"])

    def answers_of(iso2):
        genai01_data = {"impact_ranking": RANKINGS[iso2]}
        if iso2 in CASES:
            genai01_data["recorded_cases"] = CASES[iso2]
        if iso2 == "FR":
            genai01_data["legal_references"] = [
                {"instrument": "Code pénal", "provision": "art. 227-23", "url": "https://www.legifrance.gouv.fr/"}
            ]
        return {
            genai01: genai01_data,
            genai02: {"position": POSITIONS[iso2], "explanation": f"Policy statement of {iso2} on synthetic images."},
            robot01: {"position": "no"},
            robot02: {"position": "yes"},
            xr01: {"position": "partially"},
        }

    responses = {}
    for iso2 in POSITIONS:
        responses[iso2] = reply(consultation, iso2, answers_of(iso2), language="fr" if iso2 == "FR" else "en")
    draft = reply(consultation, "AT", {genai02: {"position": "no", "explanation": "Draft only."}}, submit=False)
    return SimpleNamespace(
        consultation=consultation,
        genai01=genai01,
        genai02=genai02,
        robot01=robot01,
        robot02=robot02,
        xr01=xr01,
        items=items,
        responses=responses,
        draft=draft,
        answers_of=answers_of,
    )


def opened(version, fmt, language="en"):
    """The ``fmt`` file of the ``language`` edition of ``version``, open for reading."""
    return version.edition(language, fmt).file.open("rb")


def has_file(version, fmt, language="en"):
    document = version.edition(language, fmt)
    return bool(document and document.file)


def html_of(version, language="en"):
    return version.edition(language, "html").html


@pytest.fixture
def back_to_latest():
    """For a migration test that runs the project backwards: leave the test database on the latest migrations of
    every app, for the tests that follow."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
