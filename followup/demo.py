"""Demo data for follow-up and rounds (after ``seed_demo`` and ``seed_monitoring_demo``). Running it twice
changes nothing.

- Three recommendations of the demo consultation adopted (urges France, Germany and Italy; requests France and
  Belgium; invites every Party) and their follow-up round generated and opened: France and Italy submitted their
  follow-up replies, Germany has a draft; the Secretariat assessed three of the pairs.
- A second round of the demo consultation, duplicated with each Party's answers carried over: France changed two
  answers, confirmed a third unchanged and submitted, so the Committee's comparison of rounds has something to show.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from consultation.demo import DEMO_DOMAIN
from consultation.models import Answer, Consultation, FieldType, Party, Response
from consultation.services.answers import answer_save, response_get_or_create
from consultation.services.lifecycle import consultation_duplicate, consultation_open
from consultation.services.responses import response_reopen, response_submit
from consultation.services.rounds import answer_confirm_unchanged
from monitoring.models import Recommendation, RecommendationStatus
from monitoring.services.recommendations import recommendation_create, recommendation_transition

from .models import FollowUpRound
from .services.compliance import compliance_assess
from .services.generate import follow_up_generate

MEETING = "[Demo] 45th plenary meeting"
RECOMMENDATIONS = (
    (
        "urges",
        ("FR", "DE", "IT"),
        "[Demo data] Parties to criminalise explicitly material generated or altered by artificial intelligence, "
        "whether or not a real child is depicted.",
        "[Données de démonstration] les Parties à incriminer expressément les contenus générés ou altérés par "
        "l'intelligence artificielle, qu'un enfant réel soit représenté ou non.",
    ),
    (
        "requests",
        ("FR", "BE"),
        "[Demo data] Parties to train police and prosecutors in the handling of digital evidence.",
        "[Données de démonstration] les Parties à former la police et les parquets au traitement des preuves "
        "numériques.",
    ),
    (
        "invites",
        (),
        "[Demo data] Parties to publish yearly statistics on reported offences involving digital tools.",
        "[Données de démonstration] les Parties à publier chaque année des statistiques sur les infractions "
        "signalées impliquant des outils numériques.",
    ),
)
# The reply to a recommendation adopted after this demo's, in the language the Party writes in (its answers are
# stored with that language, so the reports mark a reply written in the other one).
GENERAL_REPLY = {
    False: "[Demo data] The ministries concerned are preparing the measures; a progress report is due next year.",
    True: "[Données de démonstration] Les ministères concernés préparent les mesures ; un rapport d'étape est attendu "
    "l'an prochain.",
}

FOLLOW_UP_REPLIES = {
    # Party: [(status, measures, legal references)] in the order of RECOMMENDATIONS addressed to it
    "FR": (
        (
            "implemented",
            "[Données de démonstration] La loi du 12 mars 2025 a complété l'article 227-23 du code pénal "
            "pour viser les contenus générés par l'intelligence artificielle.",
            [("Code pénal", "art. 227-23")],
        ),
        (
            "partly",
            "[Données de démonstration] Un module de formation de l'École nationale de la magistrature est "
            "ouvert depuis 2025 ; la formation des enquêteurs commence en 2026.",
            [],
        ),
        ("in_progress", "[Données de démonstration] Le premier rapport statistique annuel paraîtra en 2026.", []),
    ),
    "IT": (
        (
            "not_implemented",
            "[Demo data] A bill was tabled in parliament in 2025 and is still under discussion.",
            [("Codice penale", "art. 600-quater.1")],
        ),
        ("in_progress", "[Demo data] The national statistics institute is designing the yearly series.", []),
    ),
}
ASSESSMENTS = (
    (
        0,
        "FR",
        "compliant",
        "[Demo data] The reply cites the Law of 12 March 2025 amending Article 227-23 of the "
        "Criminal Code, which now covers generated material explicitly.",
    ),
    (
        1,
        "FR",
        "partly",
        "[Demo data] Training exists for prosecutors only; the reply announces the police module for 2026.",
    ),
    (0, "IT", "not_compliant", "[Demo data] The reply reports a bill still under discussion: no provision in force."),
)


def _user(email: str) -> User | None:
    return User.objects.filter(email__iexact=f"{email}@{DEMO_DOMAIN}").first()


def _recommendations(consultation: Consultation) -> list[Recommendation]:
    committee, secretariat = _user("committee"), _user("secretariat")
    found = []
    for strength, iso2s, text_en, text_fr in RECOMMENDATIONS:
        rec = Recommendation.objects.filter(consultation=consultation, text_en=text_en).first()
        if rec is None:
            rec = recommendation_create(
                consultation=consultation,
                strength=strength,
                text_en=text_en,
                text_fr=text_fr,
                addressees=Party.objects.filter(iso2__in=iso2s),
                user=committee,
            )
        if rec.status == RecommendationStatus.DRAFT:
            rec = recommendation_transition(recommendation=rec, action="propose", user=committee)
        if rec.status == RecommendationStatus.PROPOSED:
            rec = recommendation_transition(
                recommendation=rec,
                action="adopt",
                user=secretariat,
                meeting=MEETING,
                adopted_on=timezone.localdate() - datetime.timedelta(days=60),
            )
        found.append(rec)
    return found


def _follow_up(consultation: Consultation, recommendations: list[Recommendation]) -> Consultation:
    secretariat = _user("secretariat")
    round_, _added = follow_up_generate(
        source=consultation, user=secretariat, closes_on=timezone.localdate() + datetime.timedelta(days=45)
    )
    follow_up = round_.consultation
    if follow_up.status == "draft":
        consultation_open(consultation=follow_up, user=secretariat)
    mine = {rec.pk: index for index, rec in enumerate(recommendations)}
    asked = list(
        Recommendation.objects.filter(follow_up_item__round__consultation=follow_up)
        .select_related("follow_up_item__item")
        .prefetch_related("addressees")
    )
    for iso2, replies in FOLLOW_UP_REPLIES.items():
        party = Party.objects.get(iso2=iso2)
        reply = response_get_or_create(consultation=follow_up, party=party)
        own = iter(replies)
        for rec in sorted(asked, key=lambda r: mine.get(r.pk, -1)):
            named = {p.pk for p in rec.addressees.all()}
            if named and party.pk not in named:
                continue
            # This demo's recommendations get their prepared replies; others adopted meanwhile a general one.
            prepared = next(own, None) if rec.pk in mine else None
            status, measures, references = prepared or ("in_progress", GENERAL_REPLY[iso2 == "FR"], [])
            answer_save(
                response=reply,
                item=rec.follow_up_item.item,
                data={
                    "status": status,
                    "measures": measures,
                    "legal_references": [{"instrument": i, "provision": p, "url": ""} for i, p in references],
                },
                base_version=0,
                user=_user(f"member.{iso2.lower()}"),
                language="fr" if iso2 == "FR" else "en",
                source="demo",
            )
        response_submit(response=reply, user=_user(f"head.{iso2.lower()}"))
    items = {rec.pk: rec.follow_up_item.item for rec in asked}
    germany = response_get_or_create(consultation=follow_up, party=Party.objects.get(iso2="DE"))
    answer_save(
        response=germany,
        item=items[recommendations[0].pk],
        data={"status": "in_progress", "measures": "[Demo data] A draft amendment to § 184b StGB is being prepared."},
        base_version=0,
        user=_user("member.de"),
        source="demo",
    )
    for index, iso2, assessment, reasons in ASSESSMENTS:
        compliance_assess(
            recommendation=recommendations[index],
            party=Party.objects.get(iso2=iso2),
            assessment=assessment,
            reasons=reasons,
            user=_user("secretariat"),
        )
    return follow_up


def _second_round(consultation: Consultation) -> Consultation:
    secretariat = _user("secretariat")
    new = consultation_duplicate(
        source=consultation,
        user=secretariat,
        slug=f"{consultation.slug}-round-2",
        title_en=f"{consultation.title_en} – second round",
        title_fr=f"{consultation.title_fr or consultation.title_en} – deuxième cycle",
        closes_on=timezone.localdate() + datetime.timedelta(days=60),
        carry_over=True,
    )
    consultation_open(consultation=new, user=secretariat)
    france = Response.objects.filter(consultation=new, party__iso2="FR").first()
    if france is None:
        return new
    member, head = _user("member.fr"), _user("head.fr")
    answers = list(Answer.objects.filter(response=france).select_related("item").order_by("item__order"))
    changed = 0
    for answer in answers:
        fields = {f.key: f for f in answer.item.fields.all()}
        choice = next((f for f in fields.values() if f.type == FieldType.SINGLE_CHOICE), None)
        text = next((f for f in fields.values() if f.type == FieldType.TEXT and answer.data.get(f.key)), None)
        if changed < 2 and choice is not None and text is not None:
            options = [o.key for o in choice.options.all()]
            current = answer.data.get(choice.key)
            other = next((key for key in options if key != current), current)
            answer_save(
                response=france,
                item=answer.item,
                data={
                    **answer.data,
                    choice.key: other,
                    text.key: answer.data[text.key].replace("2023", "2025")
                    + " [Données de démonstration] Une circulaire d'application a été publiée depuis.",
                },
                base_version=answer.version,
                user=member,
                language=answer.language,
            )
            changed += 1
        elif changed == 2:
            answer_confirm_unchanged(response=france, item=answer.item, base_version=answer.version, user=member)
            changed += 1
    response_submit(response=france, user=head)
    # Reopened for a correction: the Committee compares what France submitted, and France's delegation can still
    # try "No change since ..." on the items it has not confirmed yet.
    response_reopen(
        response=france,
        user=secretariat,
        reason="[Demo data] Please confirm the answers you have not reviewed since the first round.",
    )
    return new


@transaction.atomic
def follow_up_demo_create(*, consultation: Consultation) -> dict[str, str]:
    """Returns the slugs of the follow-up round and of the second round ("" when the demo already exists)."""
    if FollowUpRound.objects.filter(source=consultation).exists():
        return {"follow_up": "", "second_round": ""}
    recommendations = _recommendations(consultation)
    follow_up = _follow_up(consultation, recommendations)
    second = Consultation.objects.filter(slug=f"{consultation.slug}-round-2").first() or _second_round(consultation)
    return {"follow_up": follow_up.slug, "second_round": second.slug}
