"""Forms of the Secretariat pages: they parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Party, Theme
from .services.exports import STATE_CHOICES

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ConsultationForm(forms.Form):
    """A new consultation (also the base of the "new round" form)."""

    slug = forms.SlugField(
        label=_("Short name for the address"),
        max_length=80,
        help_text=_("Letters, digits and hyphens, for example emerging-technologies-2026."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300, required=False)
    opens_on = forms.DateField(label=_("Opens on"), required=False, widget=DATE_WIDGET)
    closes_on = forms.DateField(
        label=_("Closes on"), required=False, widget=DATE_WIDGET, help_text=_("Required before opening.")
    )

    def clean(self):
        cleaned = super().clean()
        opens_on, closes_on = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens_on and closes_on and closes_on < opens_on:
            self.add_error("closes_on", _("The closing date must be on or after the opening date."))
        return cleaned


class ConsultationCreateForm(ConsultationForm):
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea, required=False)
    description_fr = forms.CharField(label=_("Description (French)"), widget=forms.Textarea, required=False)


class ConsultationDuplicateForm(ConsultationForm):
    carry_over = forms.BooleanField(
        label=_("Start each Party's reply from its answers to this round"),
        required=False,
        help_text=_("Each Party that replied gets a draft holding its earlier answers; attachments are not copied."),
    )


class ExtendDeadlineForm(forms.Form):
    until = forms.DateField(label=_("New deadline for this Party"), widget=DATE_WIDGET)


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Sent to the delegation and kept in the reply's history."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give the reason for reopening the reply."))
        return reason


class ReminderForm(forms.Form):
    parties = forms.ModelMultipleChoiceField(
        queryset=Party.objects.all(),
        to_field_name="iso2",
        error_messages={"required": _("Select at least one Party to remind.")},
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=[("xlsx", "XLSX"), ("csv", "CSV"), ("json", "JSON")])
    state = forms.ChoiceField(
        label=_("Replies"),
        choices=[
            ("submitted", _("Submitted only")),
            ("all", _("All replies, including drafts")),
            ("draft", _("Drafts")),
            ("ready", _("Ready for sign-off")),
            ("reopened", _("Reopened")),
        ],
        initial="submitted",
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=Party.objects.filter(is_active=True),
        to_field_name="iso2",
        required=False,
        help_text=_("None selected: every Party."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.none(),
        to_field_name="code",
        required=False,
        help_text=_("None selected: every theme."),
        widget=forms.CheckboxSelectMultiple,
    )
    articles = forms.CharField(
        label=_("Articles of the Convention"),
        required=False,
        help_text=_("Article numbers separated by commas, for example 20, 21. Empty: every article."),
    )

    def __init__(self, *args, consultation=None, **kwargs):
        super().__init__(*args, **kwargs)
        if consultation is not None:
            self.fields["themes"].queryset = Theme.objects.filter(items__consultation=consultation).distinct()

    def clean_state(self):
        state = self.cleaned_data["state"]
        if state not in STATE_CHOICES:
            raise forms.ValidationError(_("Unknown reply state."))
        return state

    def clean_articles(self):
        raw = self.cleaned_data["articles"]
        numbers = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        bad = [n for n in numbers if not n.isdigit()]
        if bad:
            raise forms.ValidationError(_("“%(value)s” is not an article number.") % {"value": bad[0]})
        return [int(n) for n in numbers]

    def export_filters(self) -> dict:
        data = self.cleaned_data
        return {
            "state": data["state"],
            "parties": [p.iso2 for p in data["parties"]],
            "themes": [t.code for t in data["themes"]],
            "articles": [str(n) for n in data["articles"]],
        }
