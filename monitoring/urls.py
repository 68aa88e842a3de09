from django.urls import path

from . import views

app_name = "monitoring"
urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/items/<int:item_id>/", views.item_analysis, name="item"),
    path("<slug:slug>/items/<int:item_id>/code/", views.code_apply, name="code"),
    path("<slug:slug>/items/<int:item_id>/final/", views.coding_final, name="final"),
    path("<slug:slug>/items/<int:item_id>/observations/", views.observations, name="observations"),
    path("<slug:slug>/items/<int:item_id>/observations/history/", views.observations_history, name="history"),
    path("<slug:slug>/items/<int:item_id>/observations/comment/", views.observation_comment, name="comment"),
    path(
        "<slug:slug>/items/<int:item_id>/observations/adoption/",
        views.observations_adoption,
        name="observations_adoption",
    ),
    path("codings/<int:coding_id>/delete/", views.coding_remove, name="coding_delete"),
    path("codings/<int:coding_id>/reanchor/", views.coding_review, name="coding_reanchor"),
    path("<slug:slug>/matrix/", views.matrix, name="matrix"),
    path("<slug:slug>/quotes/", views.quotes, name="quotes"),
    path("<slug:slug>/codebook/", views.codebook, name="codebook"),
    path("<slug:slug>/codebook/export.qdc", views.codebook_export, name="codebook_export"),
    path("<slug:slug>/codebook/import/", views.codebook_import, name="codebook_import"),
    path("<slug:slug>/codings.xlsx", views.codings_export, name="codings_export"),
    path("<slug:slug>/recommendations/", views.recommendations, name="recommendations"),
    path("<slug:slug>/recommendations/new/", views.recommendation_new, name="recommendation_new"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("recommendations/<int:pk>/status/", views.recommendation_status, name="recommendation_status"),
    path("<slug:slug>/implementation-report/", views.implementation_report, name="implementation_report"),
    path(
        "implementation-reports/<int:pk>/<str:language>.<str:fmt>",
        views.implementation_report_file,
        name="implementation_report_file",
    ),
    path("<slug:slug>/rapporteurs/", views.rapporteurs, name="rapporteurs"),
    path("rapporteurs/<int:pk>/remove/", views.rapporteur_remove, name="rapporteur_remove"),
]
