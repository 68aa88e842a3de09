"""The offline round trip and the exports of one's own reply (namespace ``offline``, included at the root)."""

from django.urls import path

from .views import offline

app_name = "offline"
urlpatterns = [
    path("consultations/<slug:slug>/offline/", offline.index, name="index"),
    path("consultations/<slug:slug>/offline/questionnaire.xlsx", offline.xlsx_export, name="xlsx_export"),
    path("consultations/<slug:slug>/offline/questionnaire.docx", offline.questionnaire_docx, name="questionnaire_docx"),
    path(
        "consultations/<slug:slug>/offline/blank/<str:language>/questionnaire.pdf", offline.blank_pdf, name="blank_pdf"
    ),
    path(
        "consultations/<slug:slug>/offline/blank/<str:language>/questionnaire.docx",
        offline.blank_docx,
        name="blank_docx",
    ),
    path("consultations/<slug:slug>/offline/import/", offline.xlsx_import, name="xlsx_import"),
    path("consultations/<slug:slug>/offline/import/<str:token>/", offline.import_preview, name="import_preview"),
    path(
        "consultations/<slug:slug>/offline/import/<str:token>/confirm/", offline.import_confirm, name="import_confirm"
    ),
    path("consultations/<slug:slug>/export/reply.docx", offline.reply_docx, name="reply_docx"),
    path("consultations/<slug:slug>/export/reply.pdf", offline.reply_pdf, name="reply_pdf"),
]
