"""Demo data for the Analysis (after ``seed_demo``): a rapporteur, a small codebook and a few coded passages of
the demo replies; on the first item, observations adopted by the Committee and its coding marked final (so the
comparative reports carry its comparisons); an adopted recommendation (the implementation report can be built)
and a proposed one. Running it twice changes nothing."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import role_grant, user_create
from consultation.demo import DEMO_DOMAIN, DEMO_PASSWORD
from consultation.models import Consultation, FieldType, Item, SubmittedValue

from .errors import CodingRefused
from .models import Code, RapporteurAssignment
from .services.assignments import rapporteur_assign
from .services.codebook import code_create, code_group_create
from .services.codings import coding_apply
from .services.observations import (
    item_analysis_get,
    item_coding_final_set,
    observations_adoption_set,
    observations_save,
)
from .services.recommendations import recommendation_create, recommendation_transition

DEMO_MEETING = "[Demo data] 45th plenary meeting"

RAPPORTEUR_EMAIL = f"rapporteur@{DEMO_DOMAIN}"
ITEMS_PER_RAPPORTEUR = 3

# (English name, French name, definition, phrases that mark it in the demo texts, in English and French)
CODES = (
    (
        "Law covers generated or altered material",
        "La loi couvre les contenus générés ou altérés",
        "The criminal law already reaches material made or altered by digital tools.",
        ("generated or altered", "générés ou altérés"),
    ),
    (
        "National action plan",
        "Plan d'action national",
        "A plan or inter-ministerial group coordinates the response.",
        ("national action plan", "plan d'action national"),
    ),
    (
        "Legislation in preparation",
        "Législation en préparation",
        "A bill or draft legislation is under preparation or consultation.",
        ("draft legislation", "projet de loi"),
    ),
    (
        "Evidential difficulties",
        "Difficultés de preuve",
        "Prosecutors report problems of proof.",
        ("evidential difficulties", "difficultés de preuve"),
    ),
)


def _rapporteur() -> User:
    user = User.objects.filter(email__iexact=RAPPORTEUR_EMAIL).first()
    if user is None:
        user = user_create(
            email=RAPPORTEUR_EMAIL,
            password=DEMO_PASSWORD,
            first_name="Elena",
            last_name="Rossi",
            preferred_language="en",
        )
    role_grant(user=user, role="committee")
    return user


@transaction.atomic
def monitoring_demo_create(*, consultation: Consultation) -> dict[str, int]:
    """Returns how many items were assigned and passages coded (zero when the demo already exists)."""
    user = _rapporteur()
    if RapporteurAssignment.objects.filter(user=user, consultation=consultation).exists():
        return {"items": 0, "codings": 0}
    items = [
        item
        for item in Item.objects.filter(consultation=consultation, fields__type=FieldType.TEXT)
        .distinct()
        .order_by("order")
    ][:ITEMS_PER_RAPPORTEUR]
    for item in items:
        rapporteur_assign(consultation=consultation, user=user, item=item, acting_user=None)
    group = code_group_create(
        consultation=consultation,
        name_en="Legal and policy response",
        name_fr="Réponse juridique et politique",
        user=None,
    )
    codes = []
    for name_en, name_fr, definition, phrases in CODES:
        code = Code.objects.filter(consultation=consultation, name_en=name_en).first() or code_create(
            consultation=consultation,
            name_en=name_en,
            name_fr=name_fr,
            definition_en=definition,
            group=group,
            user=None,
        )
        codes.append((code, phrases))
    coded = 0
    values = SubmittedValue.objects.filter(item__in=items, field__type=FieldType.TEXT).select_related(
        "answer__response", "field", "item"
    )
    for value in values:
        lowered = value.text.lower()
        for code, phrases in codes:
            for phrase in phrases:
                start = lowered.find(phrase.lower())
                if start < 0:
                    continue
                try:
                    coding_apply(
                        response=value.answer.response,
                        item=value.item,
                        field=value.field,
                        start=start,
                        end=start + len(phrase),
                        codes=[code],
                        user=user,
                    )
                    coded += 1
                except CodingRefused:
                    pass
    if items:
        analysis = item_analysis_get(item=items[0])
        observations_save(
            item=items[0],
            text="[Demo data] **Most Parties** report that their criminal law already covers generated material; "
            "several are preparing legislation.\n\n- Plans and inter-ministerial groups coordinate the response.",
            base_version=analysis.version,
            status="ready",
            user=user,
        )
        observations_adoption_set(
            item=items[0],
            adopt=True,
            user=None,
            meeting=DEMO_MEETING,
            adopted_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        if coded:
            item_coding_final_set(item=items[0], final=True, user=user)
        adopted = recommendation_create(
            consultation=consultation,
            strength="invites",
            text_en="Parties to make sure their criminal law covers material generated or altered by artificial "
            "intelligence, whether or not a real child is depicted. [Demo data]",
            text_fr="les Parties à veiller à ce que leur droit pénal couvre les contenus générés ou altérés par "
            "l'intelligence artificielle, qu'un enfant réel soit représenté ou non. [Données de démonstration]",
            items=items[:1],
            user=user,
        )
        recommendation_transition(recommendation=adopted, action="propose", user=user)
        recommendation_transition(
            recommendation=adopted,
            action="adopt",
            user=None,
            meeting=DEMO_MEETING,
            adopted_on=timezone.localdate() - datetime.timedelta(days=1),
        )
        proposed = recommendation_create(
            consultation=consultation,
            strength="urges",
            text_en="the Parties preparing legislation to adopt it within the reporting period. [Demo data]",
            text_fr="les Parties qui préparent une législation à l'adopter au cours de la période de suivi. "
            "[Données de démonstration]",
            items=items[:1],
            user=user,
        )
        recommendation_transition(recommendation=proposed, action="propose", user=user)
    return {"items": len(items), "codings": coded}
