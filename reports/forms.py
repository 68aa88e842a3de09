"""The Secretariat's two small forms: the consultation's document series, and a draft's cover details."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Classification, ReportSeries


class SeriesForm(forms.ModelForm):
    class Meta:
        model = ReportSeries
        fields = ["prefix", "next_number", "meeting", "classification"]

    def clean_prefix(self) -> str:
        prefix = self.cleaned_data["prefix"].strip()
        if not prefix:
            raise forms.ValidationError(_("Enter the series prefix, for example T-ES(2025)."))
        return prefix


class VersionDetailsForm(forms.Form):
    symbol = forms.CharField(label=_("Symbol"), max_length=60, help_text=_("For example T-ES(2025)07."))
    document_date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), input_formats=["%Y-%m-%d"]
    )
    meeting = forms.CharField(label=_("Meeting"), max_length=200, required=False)
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
