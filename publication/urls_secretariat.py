from django.urls import path

from . import views_secretariat

app_name = "publication"

urlpatterns = [
    path("<slug:slug>/", views_secretariat.overview, name="overview"),
    path("<slug:slug>/publish/", views_secretariat.publish, name="publish"),
    path("<slug:slug>/withdraw/", views_secretariat.withdraw, name="withdraw"),
    path("<slug:slug>/default/", views_secretariat.confidential_default, name="confidential_default"),
]
