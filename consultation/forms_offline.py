"""Forms of the offline round trip: the workbook upload and the per-conflict choices."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class WorkbookUploadForm(forms.Form):
    """One XLSX or DOCX file, refused early when larger than ``IMPORT_MAX_BYTES``; its content is checked by the
    service (which tells the two apart by content)."""

    workbook = forms.FileField(
        label=_("Filled-in questionnaire (.xlsx or .docx)"),
        help_text=_(
            "The spreadsheet or the Word form downloaded from this page, completed in Excel, Word or LibreOffice."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,.docx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
        ),
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)d KB; the limit is %(limit)d KB.")
                % {"size": upload.size // 1024, "limit": limit // 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload

    def content(self) -> bytes:
        upload = self.cleaned_data["workbook"]
        upload.seek(0)
        return upload.read(settings.IMPORT_MAX_BYTES + 1)


def conflict_choices(data, codes: list[str]) -> set[str]:
    """The conflicting items the person chose to take from the file; anything else keeps the online answer."""
    return {code for code in codes if data.get(f"conflict-{code}") == "take"}
