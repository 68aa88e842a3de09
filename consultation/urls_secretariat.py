from django.urls import path

from .views import secretariat as views

app_name = "secretariat"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.consultation_create, name="consultation_create"),
    path("<slug:slug>/", views.state_of_play_view, name="state_of_play"),
    path("<slug:slug>/duplicate/", views.consultation_duplicate, name="consultation_duplicate"),
    path("<slug:slug>/open/", views.consultation_transition, {"action": "open"}, name="consultation_open"),
    path("<slug:slug>/close/", views.consultation_transition, {"action": "close"}, name="consultation_close"),
    path("<slug:slug>/archive/", views.consultation_transition, {"action": "archive"}, name="consultation_archive"),
    path("<slug:slug>/reminders/", views.send_reminders, name="send_reminders"),
    path("<slug:slug>/parties/<str:iso2>/", views.party_view, name="party"),
    path("<slug:slug>/parties/<str:iso2>/extend/", views.extend_deadline, name="extend_deadline"),
    path("<slug:slug>/parties/<str:iso2>/reopen/", views.reopen_reply, name="reopen_reply"),
    path("<slug:slug>/export/", views.export_view, name="export"),
    path("<slug:slug>/exports/<int:pk>/", views.export_job, name="export_job"),
    path("<slug:slug>/exports/<int:pk>/download/", views.export_download, name="export_download"),
]
