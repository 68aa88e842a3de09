"""Forms of the stakeholder and children's-participation pages (rules live in ``accounts.access``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, OrganisationKind
from consultation.models import Item, Party, Theme

from .models import MAX_CHILDREN_PER_GROUP, AgeBand, Setting


class CommentForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("Question"),
        queryset=Item.objects.none(),
        required=False,
        empty_label=_("The reply as a whole"),
    )
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)
    language = forms.ChoiceField(label=_("Language of the comment"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, consultation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = Item.objects.filter(consultation=consultation).order_by("order", "code")
        self.fields["item"].label_from_instance = lambda item: f"{item.code} – {item.text[:90]}"


class CommentEditForm(forms.Form):
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20_000)
    language = forms.ChoiceField(label=_("Language of the comment"), choices=settings.LANGUAGES)


class StakeholderInvitationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.order_by("name"))
    deadline = forms.DateField(label=_("Deadline for comments"), widget=forms.DateInput(attrs={"type": "date"}))
    may_reply = forms.BooleanField(label=_("May also answer the questionnaire"), required=False, initial=True)


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Party.objects.order_by("name_en"),
        required=False,
        empty_label=_("International (no single country)"),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")


class ChildrenContributionForm(forms.Form):
    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none())
    party = forms.ModelChoiceField(
        label=_("Country where the group met"),
        queryset=Party.objects.order_by("name_en"),
        required=False,
        empty_label=_("Several countries or online"),
    )
    age_band = forms.ChoiceField(label=_("Age band"), choices=AgeBand.choices)
    setting = forms.ChoiceField(label=_("Setting"), choices=Setting.choices)
    children_count = forms.IntegerField(label=_("Number of children"), min_value=1, max_value=MAX_CHILDREN_PER_GROUP)
    gathered_on = forms.DateField(label=_("Date of the session"), widget=forms.DateInput(attrs={"type": "date"}))
    views = forms.CharField(
        label=_("The children's views"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
        help_text=_("What the group said, in their words where possible. No names or contact details."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, consultation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = (
            Theme.objects.filter(items__consultation=consultation).distinct().order_by("order")
        )
        self.fields["gathered_on"].initial = timezone.localdate()
