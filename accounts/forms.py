"""Forms of the invitation pages; the rules about who may invite whom come from ``accounts.access``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from accounts import access
from accounts.models import InvitationRole, Organisation, User
from consultation.models import Party


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"))
    party = forms.ModelChoiceField(
        label=_("Party"),
        queryset=Party.objects.none(),
        required=False,
        help_text=_("Required for delegation members and heads of delegation."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Required for people who speak for a stakeholder organisation."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = access.roles_of(user)
        self.fields["role"].choices = [
            (value, label)
            for value, label in InvitationRole.choices
            if access.can_invite(user, role=value, party_id=roles.party_id)
        ]
        if roles.is_secretariat:
            self.fields["party"].queryset = Party.objects.filter(is_active=True).order_by("name_en")
            self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        else:
            del self.fields["organisation"]
            self.fields["party"].queryset = Party.objects.filter(pk=roles.party_id)
            self.fields["party"].initial = roles.party_id
            self.fields["party"].empty_label = None

    def clean(self) -> dict:
        data = super().clean()
        if data.get("role") in ("member", "head") and not data.get("party"):
            self.add_error("party", _("Choose the Party of the delegation."))
        if data.get("role") == "stakeholder" and not data.get("organisation"):
            self.add_error("organisation", _("Choose the organisation the person speaks for."))
        return data


class AcceptNewAccountForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    preferred_language = forms.ChoiceField(label=_("Language of the platform"), choices=settings.LANGUAGES)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password (again)"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict:
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            candidate = User(
                email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", "")
            )
            try:
                password_validation.validate_password(password1, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AcceptExistingAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
