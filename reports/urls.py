from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/build/", views.build, name="build"),
    path("<slug:slug>/build-all/", views.build_all, name="build_all"),
    path("<slug:slug>/series/", views.series, name="series"),
    path("runs/<int:run_id>/status/", views.run_status, name="run_status"),
    path("runs/<int:run_id>/retry/", views.retry, name="retry"),
    path("r/<int:report_id>/", views.report_detail, name="report"),
    path("r/<int:report_id>/row/", views.report_row, name="report_row"),
    path("r/<int:report_id>/versions/", views.versions, name="versions"),
    path("v/<int:version_id>/", views.version_detail, name="version"),
    path("v/<int:version_id>/publish/", views.publish, name="publish"),
    path("v/<int:version_id>/details/", views.version_details, name="version_details"),
    path("v/<int:version_id>/<str:language>/<str:fmt>/", views.download, name="download"),
]
