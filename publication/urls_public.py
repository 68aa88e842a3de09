from django.urls import path

from . import views_public

app_name = "public"

urlpatterns = [
    path("", views_public.index, name="index"),
    path("documents/<int:pk>/", views_public.document, name="document"),
    path("<slug:slug>/", views_public.consultation, name="consultation"),
    path("<slug:slug>/search/", views_public.search, name="search"),
    path("<slug:slug>/states/<str:iso2>/", views_public.state_reply, name="state_reply"),
    path("<slug:slug>/states/<str:iso2>/v<int:number>/", views_public.state_reply, name="state_reply_version"),
    path("<slug:slug>/questions/<str:code>/", views_public.item_replies, name="item_replies"),
    path("<slug:slug>/stakeholders/<int:organisation_id>/", views_public.stakeholder, name="stakeholder"),
    path(
        "<slug:slug>/reports/<int:version_id>/<slug:language>.<slug:fmt>",
        views_public.report_document,
        name="report_document",
    ),
]
