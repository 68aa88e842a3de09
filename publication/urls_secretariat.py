from django.urls import path

from . import views_secretariat

app_name = "publication"

urlpatterns = [
    path("<slug:slug>/", views_secretariat.overview, name="overview"),
    path("<slug:slug>/publish/", views_secretariat.publish, name="publish"),
    path("<slug:slug>/withdraw/", views_secretariat.withdraw, name="withdraw"),
    path("<slug:slug>/default/", views_secretariat.confidential_default, name="confidential_default"),
    path("<slug:slug>/reports/request/", views_secretariat.edition_request, name="edition_request"),
    path("<slug:slug>/reports/publish/", views_secretariat.edition_publish, name="edition_publish"),
    path("<slug:slug>/reports/withdraw/", views_secretariat.edition_withdraw, name="edition_withdraw"),
]
