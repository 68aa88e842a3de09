from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invitations/members/<int:pk>/remove/", views.member_remove_view, name="member_remove"),
    path("invitations/accept/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
