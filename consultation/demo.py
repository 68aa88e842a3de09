"""Demo accounts and sample replies for `make run`: clearly marked, policy answers only.

Every text answer starts with "[Demo data]" so that nobody mistakes it for a State's reply. Running
the builder twice changes nothing: accounts and replies that exist are left as they are.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import membership_set, role_grant, user_create

from .answer_values import specification_key
from .models import Answer, Consultation, Field, FieldType, Item, Party
from .services.answers import answer_save, response_get_or_create
from .services.confidentiality import Mark, ReplyMarks
from .services.responses import response_mark_ready, response_submit

DEMO_PASSWORD = "Lanzarote-Demo-2024"  # noqa: S105 (printed by `make run`; demo databases only)
DEMO_DOMAIN = "lanzarote.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    language: str
    party: str | None = None
    delegation_role: str | None = None
    global_roles: tuple[str, ...] = ()
    superuser: bool = False

    @property
    def description(self) -> str:
        parts = []
        if self.delegation_role:
            parts.append(
                f"{'Head of delegation' if self.delegation_role == 'head' else 'Delegation member'} ({self.party})"
            )
        parts.extend({"secretariat": "Secretariat", "committee": "Committee member"}[r] for r in self.global_roles)
        if self.superuser:
            parts.append("Administrator")
        return ", ".join(parts)


DEMO_ACCOUNTS = (
    DemoAccount(f"secretariat@{DEMO_DOMAIN}", "Claire", "Martin", "en", global_roles=("secretariat",)),
    DemoAccount(f"committee@{DEMO_DOMAIN}", "Anna", "Kowalska", "en", global_roles=("committee",)),
    DemoAccount(f"head.fr@{DEMO_DOMAIN}", "Sophie", "Bernard", "fr", party="FR", delegation_role="head"),
    DemoAccount(f"member.fr@{DEMO_DOMAIN}", "Julien", "Moreau", "fr", party="FR", delegation_role="member"),
    DemoAccount(f"head.de@{DEMO_DOMAIN}", "Katrin", "Weber", "en", party="DE", delegation_role="head"),
    DemoAccount(f"member.de@{DEMO_DOMAIN}", "Lukas", "Schmidt", "en", party="DE", delegation_role="member"),
    DemoAccount(
        f"head.ie@{DEMO_DOMAIN}",
        "Siobhan",
        "Murphy",
        "en",
        party="IE",
        delegation_role="head",
        global_roles=("committee",),
    ),
    DemoAccount(f"member.ie@{DEMO_DOMAIN}", "Conor", "Byrne", "en", party="IE", delegation_role="member"),
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Platform", "Administrator", "en", superuser=True),
)

# Parties whose demo reply is submitted, ready for sign-off, or a partial draft.
SUBMITTED_PARTIES = ("FR", "AT", "BE", "IT", "NL", "PT", "SE")
READY_PARTIES = ("IE",)
DRAFT_PARTIES = ("DE",)

POLICY_TEXT_EN = (
    "[Demo data] The Criminal Code was amended in 2023 to cover material generated or altered by digital tools; "
    "the ministry of justice is reviewing sentencing guidelines and will report to parliament next year.",
    "[Demo data] A national action plan (2024-2027) assigns this question to an inter-ministerial working group "
    "with the police cybercrime unit, the data protection authority and child helplines.",
    "[Demo data] Existing provisions apply, but prosecutors report evidential difficulties; draft legislation on "
    "platform obligations is under consultation with industry and civil society.",
    "[Demo data] Awareness campaigns in schools reached 1,200 institutions in 2023; a new curriculum module on "
    "digital consent starts in the next school year.",
)
POLICY_TEXT_FR = (
    "[Données de démonstration] Le code pénal a été modifié en 2023 pour couvrir les contenus générés ou altérés "
    "par des outils numériques ; le ministère de la Justice réexamine les lignes directrices sur les peines.",
    "[Données de démonstration] Un plan d'action national (2024-2027) confie cette question à un groupe de travail "
    "interministériel associant l'office de lutte contre la cybercriminalité et les lignes d'assistance.",
    "[Données de démonstration] Les dispositions existantes s'appliquent, mais les parquets signalent des "
    "difficultés de preuve ; un projet de loi sur les obligations des plateformes est en consultation.",
)
LEGAL_REFERENCES = {
    "FR": [{"instrument": "Code pénal", "provision": "art. 227-23", "url": ""}],
    "AT": [{"instrument": "Strafgesetzbuch", "provision": "§ 207a", "url": ""}],
    "BE": [{"instrument": "Code pénal", "provision": "art. 417/44", "url": ""}],
    "IT": [{"instrument": "Codice penale", "provision": "art. 600-ter", "url": ""}],
    "NL": [{"instrument": "Wetboek van Strafrecht", "provision": "art. 240b", "url": ""}],
    "PT": [{"instrument": "Código Penal", "provision": "art. 176.º", "url": ""}],
    "SE": [{"instrument": "Brottsbalken", "provision": "16 kap. 10 a §", "url": ""}],
    "IE": [{"instrument": "Child Trafficking and Pornography Act 1998", "provision": "s. 5", "url": ""}],
    "DE": [{"instrument": "Strafgesetzbuch", "provision": "§ 184b", "url": ""}],
}
FRENCH_PARTIES = ("FR", "BE")
# Answers a demo head marked "not for publication" at sign-off (item code, reason).
CONFIDENTIAL_DEMO = {"AT": ("GENAI-02", "[Demo data] Draft legislation not yet tabled in parliament.")}


def _value(field: Field, options: list[str], *, seed: int, iso2: str) -> Any:
    if field.type == FieldType.SINGLE_CHOICE:
        return options[seed % min(len(options), 3)]
    if field.type == FieldType.MULTIPLE_CHOICE:
        return options[: 1 + seed % 2]
    if field.type == FieldType.RANKING:
        shift = seed % len(options)
        return options[shift:] + options[:shift]
    if field.type == FieldType.TEXT:
        bank = POLICY_TEXT_FR if iso2 in FRENCH_PARTIES else POLICY_TEXT_EN
        return bank[seed % len(bank)]
    if field.type == FieldType.NUMBER:
        return str(40 + (seed * 37) % 400)
    if field.type == FieldType.LEGAL_REFERENCES:
        return LEGAL_REFERENCES.get(iso2, [])
    return None


OTHER_TEXT = {
    "en": "Industry codes of conduct agreed with the platforms",
    "fr": "Codes de conduite convenus avec les plateformes",
}


def _demo_answer(item: Item, *, seed: int, iso2: str) -> dict[str, Any]:
    data = {}
    for field in item.fields.all():
        options = list(field.options.all())
        value = _value(field, [o.key for o in options], seed=seed + field.order, iso2=iso2)
        if value not in (None, [], ""):
            data[field.key] = value
        other = [o.key for o in options if o.needs_specification]
        if field.type == FieldType.MULTIPLE_CHOICE and other and seed % 2 == 0:
            # Every other demo reply also chose "Other (please specify)", with its text.
            data[field.key] = [*(data.get(field.key) or []), other[0]]
            data[specification_key(field.key)] = OTHER_TEXT["fr" if iso2 in FRENCH_PARTIES else "en"]
    return data


def demo_accounts_create() -> list[tuple[DemoAccount, bool]]:
    """Create the demo accounts that do not exist yet; return each with whether it was created."""
    results = []
    for account in DEMO_ACCOUNTS:
        if User.objects.filter(email__iexact=account.email).exists():
            results.append((account, False))
            continue
        with transaction.atomic():
            user = user_create(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                preferred_language=account.language,
            )
            if account.superuser:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            if account.delegation_role:
                membership_set(user=user, party=Party.objects.get(iso2=account.party), role=account.delegation_role)
            for role in account.global_roles:
                role_grant(user=user, role=role)
        results.append((account, True))
    return results


def demo_consultation_open(*, consultation: Consultation) -> None:
    """Open the consultation for the demo if nobody has set its dates yet."""
    if consultation.status == "draft" and consultation.closes_on is None:
        today = timezone.localdate()
        consultation.opens_on = today - datetime.timedelta(days=21)
        consultation.closes_on = today + datetime.timedelta(days=40)
        consultation.status = "open"
        consultation.save(update_fields=["opens_on", "closes_on", "status"])


def demo_replies_create(*, consultation: Consultation) -> dict[str, str]:
    """Sample replies for a few Parties; a Party that already has answers is left alone."""
    items = list(Item.objects.filter(consultation=consultation).prefetch_related("fields__options").order_by("order"))
    heads = {
        u.membership.party.iso2: u
        for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", membership__role="head").select_related(
            "membership__party"
        )
    }
    members = {
        u.membership.party.iso2: u
        for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}", membership__role="member").select_related(
            "membership__party"
        )
    }
    outcome = {}
    for index, iso2 in enumerate(SUBMITTED_PARTIES + READY_PARTIES + DRAFT_PARTIES):
        party = Party.objects.get(iso2=iso2)
        if Answer.objects.filter(response__consultation=consultation, response__party=party).exists():
            outcome[iso2] = "kept"
            continue
        with transaction.atomic():
            reply = response_get_or_create(consultation=consultation, party=party)
            author = members.get(iso2) or heads.get(iso2)
            chosen = items if iso2 not in DRAFT_PARTIES else items[: len(items) // 2]
            for position, item in enumerate(chosen):
                answer_save(
                    response=reply,
                    item=item,
                    data=_demo_answer(item, seed=index + position, iso2=iso2),
                    base_version=0,
                    user=author,
                    language="fr" if iso2 in FRENCH_PARTIES else "en",
                    source="demo",
                )
            if iso2 in SUBMITTED_PARTIES:
                marks = None
                if iso2 in CONFIDENTIAL_DEMO:
                    # A head keeping one answer within the Committee: it counts in reports, is never published.
                    code, reason = CONFIDENTIAL_DEMO[iso2]
                    marks = ReplyMarks(
                        answers={item.pk: Mark(True, reason) for item in chosen if item.code == code}, attachments={}
                    )
                response_submit(response=reply, user=heads.get(iso2), marks=marks)
                outcome[iso2] = "submitted"
            elif iso2 in READY_PARTIES:
                response_mark_ready(response=reply, user=author)
                outcome[iso2] = "ready for sign-off"
            else:
                outcome[iso2] = "draft"
    return outcome


def demo_teamwork_create(*, consultation: Consultation) -> bool:
    """Germany's draft reply shows the delegation's teamwork: items assigned with due dates and internal statuses,
    and an internal comment thread (one comment resolved). Left alone if the reply already has assignments."""
    from .models import ItemAssignment, Response
    from .services.teamwork import item_assignment_set, item_comment_add, item_comment_resolve

    reply = Response.objects.filter(consultation=consultation, party__iso2="DE").first()
    head = User.objects.filter(email=f"head.de@{DEMO_DOMAIN}").first()
    member = User.objects.filter(email=f"member.de@{DEMO_DOMAIN}").first()
    if reply is None or head is None or member is None or ItemAssignment.objects.filter(response=reply).exists():
        return False
    items = {item.code: item for item in Item.objects.filter(consultation=consultation)}
    today = timezone.localdate()
    plan = [
        ("GENAI-01", member, 5, "drafting"),
        ("GENAI-02", member, 5, "legal_check"),
        ("GENAI-03", head, 12, "todo"),
        ("ROBOT-01", member, -1, "drafting"),
    ]
    with transaction.atomic():
        for code, person, days, status in plan:
            if code in items:
                item_assignment_set(
                    response=reply,
                    item=items[code],
                    assignee=person,
                    due_on=today + datetime.timedelta(days=days),
                    status=status,
                    user=head,
                )
        item = items.get("GENAI-02")
        if item is not None:
            first = item_comment_add(
                response=reply,
                item=item,
                author=head,
                body="[Demo data] @Lukas please cite section 184b of the Criminal Code and the 2023 amendment.",
            )
            item_comment_add(
                response=reply,
                item=item,
                author=member,
                body="[Demo data] Done: both are in the legal references. @Katrin the Ministry of Justice "
                "confirms the wording.",
            )
            item_comment_resolve(comment=first, user=head)
            item_comment_add(
                response=reply,
                item=item,
                author=head,
                body="[Demo data] Before sign-off: add the 2023 conviction figures from the Federal Statistical "
                "Office.",
            )
    return True
