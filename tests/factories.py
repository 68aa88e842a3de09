"""factory_boy factories and small builders shared by the whole suite."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from accounts.models import (
    DelegationMembership,
    GlobalRole,
    Organisation,
    OrganisationMembership,
    RoleAssignment,
    User,
)
from consultation.models import Consultation, Field, Item, Option, Party, Theme

PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@ministry.example")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Mark the address verified, as allauth requires before log-in."""
        if not create:
            return
        self.save()
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(user=self, email=self.email, defaults={"verified": True, "primary": True})


def party(iso2: str) -> Party:
    return Party.objects.get(iso2=iso2)


def delegate(party_obj: Party, *, role: str = "member", **kwargs) -> User:
    user = UserFactory(**kwargs)
    DelegationMembership.objects.create(user=user, party=party_obj, role=role)
    return user


def secretariat_user(**kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=GlobalRole.SECRETARIAT)
    return user


def committee_user(**kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=GlobalRole.COMMITTEE)
    return user


def organisation(name: str = "Child Rights Network", kind: str = "ngo", **kwargs) -> Organisation:
    return Organisation.objects.get_or_create(name=name, defaults={"kind": kind, **kwargs})[0]


def stakeholder_user(org: Organisation | None = None, **kwargs) -> User:
    """A person speaking for a stakeholder organisation (global ``stakeholder`` role + membership)."""
    user = UserFactory(**kwargs)
    OrganisationMembership.objects.create(user=user, organisation=org or organisation())
    RoleAssignment.objects.create(user=user, role=GlobalRole.STAKEHOLDER)
    return user


def facilitator_user(**kwargs) -> User:
    user = UserFactory(**kwargs)
    RoleAssignment.objects.create(user=user, role=GlobalRole.FACILITATOR)
    return user


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"theme-{n}")
    name_en = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    name_fr = factory.LazyAttribute(lambda o: f"{o.name_en} (fr)")
    order = factory.Sequence(int)


class ConsultationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Consultation

    slug = factory.Sequence(lambda n: f"consultation-{n}")
    title_en = factory.Sequence(lambda n: f"Consultation {n}")
    title_fr = factory.Sequence(lambda n: f"Consultation {n} (fr)")
    status = "open"
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    consultation = factory.SubFactory(ConsultationFactory)
    code = factory.Sequence(lambda n: f"ITEM-{n:02d}")
    theme = factory.SubFactory(ThemeFactory)
    order = factory.Sequence(int)
    text_en = factory.Sequence(lambda n: f"Is there sufficient legislative coverage, question {n}?")
    text_fr = factory.Sequence(lambda n: f"La couverture législative est-elle suffisante, question {n} ?")


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field

    item = factory.SubFactory(ItemFactory)
    key = factory.Sequence(lambda n: f"field-{n}")
    type = "text"
    label_en = factory.Sequence(lambda n: f"Label {n}")
    label_fr = factory.Sequence(lambda n: f"Libellé {n}")
    required = False
    order = factory.Sequence(int)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    field = factory.SubFactory(FieldFactory)
    key = factory.Sequence(lambda n: f"option-{n}")
    label_en = factory.Sequence(lambda n: f"Option {n}")
    label_fr = factory.Sequence(lambda n: f"Option {n} (fr)")
    order = factory.Sequence(int)


POSITION_OPTIONS = [("yes", "Yes", "Oui"), ("partially", "Partially", "Partiellement"), ("no", "No", "Non")]


def position_item(consultation: Consultation, *, code: str, theme: Theme | None = None, articles=()) -> Item:
    """An item with a required position (yes / partially / no) and an optional explanation."""
    item = ItemFactory(consultation=consultation, code=code, **({"theme": theme} if theme else {}))
    if articles:
        from consultation.models import Article

        item.articles.set(Article.objects.filter(number__in=articles))
    position = FieldFactory(
        item=item,
        key="position",
        type="single_choice",
        required=True,
        order=1,
        label_en="Position",
        label_fr="Position",
    )
    for order, (key, en, fr) in enumerate(POSITION_OPTIONS, start=1):
        OptionFactory(field=position, key=key, label_en=en, label_fr=fr, order=order)
    FieldFactory(
        item=item,
        key="explanation",
        type="text",
        required=False,
        order=2,
        label_en="Explanation",
        label_fr="Explication",
    )
    return item
