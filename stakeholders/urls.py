from django.urls import path

from . import views

app_name = "stakeholders"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.index, name="index"),
    path("organisations/", views.organisations, name="organisations"),
    path("children/", views.children_home, name="children_home"),
    path("<slug:slug>/", views.consultation, name="consultation"),
    path("<slug:slug>/parties/<str:iso2>/", views.party_reply, name="party_reply"),
    path("<slug:slug>/comments/<int:pk>/", views.comment_edit, name="comment_edit"),
    path("<slug:slug>/comments/<int:pk>/submit/", views.comment_submit, name="comment_submit"),
    path("<slug:slug>/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("<slug:slug>/comments/<int:pk>/publication/", views.comment_publication, name="comment_publication"),
    path("<slug:slug>/reply/", views.reply, name="reply"),
    path("<slug:slug>/reply/submit/", views.reply_submit, name="reply_submit"),
    path("<slug:slug>/replies/<int:pk>/publication/", views.reply_publication, name="reply_publication"),
    path("<slug:slug>/comments-on-our-reply/", views.party_comments, name="party_comments"),
    path("<slug:slug>/contributions/", views.contributions, name="contributions"),
    path("<slug:slug>/children/", views.children, name="children"),
    path("<slug:slug>/children/<int:pk>/", views.children_edit, name="children_edit"),
    path("<slug:slug>/children/<int:pk>/delete/", views.children_delete, name="children_delete"),
]
