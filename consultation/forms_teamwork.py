"""Forms of the delegation's teamwork: an item's assignment and an internal comment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ItemWorkStatus
from .services.teamwork import COMMENT_MAX_LENGTH


class AssignmentForm(forms.Form):
    """Who answers the item (a colleague of the delegation, or nobody), by when, and its internal status."""

    assignee = forms.TypedChoiceField(label=_("Assigned to"), coerce=int, empty_value=None, required=False)
    due_on = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    status = forms.ChoiceField(label=_("Internal status"), choices=ItemWorkStatus.choices)

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colleagues = {person.pk: person for person in colleagues}
        self.fields["assignee"].choices = [("", _("Nobody yet"))] + [
            (person.pk, person.display_name) for person in colleagues
        ]

    def assignee_user(self) -> Any | None:
        return self.colleagues.get(self.cleaned_data.get("assignee"))


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Add a comment"),
        max_length=COMMENT_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write a comment first.")},
    )
