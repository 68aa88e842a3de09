from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("<slug:slug>/", views.overview, name="overview"),
    path("<slug:slug>/generate/", views.generate, name="generate"),
    path("<slug:slug>/compliance/", views.compliance, name="compliance"),
    path("<slug:slug>/compliance/<int:pk>/<str:iso2>/", views.assess, name="assess"),
    path(
        "<slug:slug>/compliance/recommendations/<int:pk>.<str:fmt>",
        views.recommendation_report,
        name="recommendation_report",
    ),
    path("<slug:slug>/compliance/parties/<str:iso2>.<str:fmt>", views.party_report, name="party_report"),
    path("<slug:slug>/changes/", views.changes, name="changes"),
]
