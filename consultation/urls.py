"""The delegation workspace (namespace ``consultation``), included at the site root.

No URL carries a Party: every page works on the signed-in person's own Party's reply.
"""

from django.urls import path

from .views import attachments, history, receipts, signoff, teamwork, workspace

app_name = "consultation"
urlpatterns = [
    path("consultations/", workspace.home, name="home"),
    path("consultations/<slug:slug>/", workspace.reply, name="reply"),
    # The reply page's section form: every item of the page saved at once (``?theme=&page=`` name the page).
    path("consultations/<slug:slug>/section/", workspace.section_save, name="section_save"),
    path("consultations/<slug:slug>/review/", signoff.review, name="review"),
    path("consultations/<slug:slug>/ready/", signoff.mark_ready, name="mark_ready"),
    path("consultations/<slug:slug>/submit/", signoff.submit, name="submit"),
    path("consultations/<slug:slug>/receipt/", receipts.receipt, name="receipt"),
    path("consultations/<slug:slug>/receipt.pdf", receipts.receipt_pdf, name="receipt_pdf"),
    # One path, two names: GET is the item's form fragment, POST saves the item's answer.
    path("consultations/<slug:slug>/items/<str:code>/", workspace.item, name="item"),
    path("consultations/<slug:slug>/items/<str:code>/", workspace.answer_save, name="answer_save"),
    path("consultations/<slug:slug>/items/<str:code>/history/", history.answer_history, name="answer_history"),
    path(
        "consultations/<slug:slug>/items/<str:code>/history/<int:version>/restore/",
        history.answer_restore_view,
        name="answer_restore",
    ),
    path("consultations/<slug:slug>/items/<str:code>/no-change/", history.answer_no_change, name="answer_no_change"),
    path(
        "consultations/<slug:slug>/items/<str:code>/attachments/",
        attachments.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "consultations/<slug:slug>/attachments/<int:pk>/delete/",
        attachments.attachment_delete,
        name="attachment_delete",
    ),
    # The delegation's teamwork (internal to the delegation): assignment, internal comments, presence.
    path("consultations/<slug:slug>/items/<str:code>/team/", teamwork.item_team, name="item_team"),
    path("consultations/<slug:slug>/items/<str:code>/team/assign/", teamwork.item_assign, name="item_assign"),
    path("consultations/<slug:slug>/items/<str:code>/team/comments/", teamwork.item_comment, name="item_comment"),
    path("consultations/<slug:slug>/comments/<int:pk>/resolve/", teamwork.comment_resolve, name="comment_resolve"),
    path("consultations/<slug:slug>/presence/", teamwork.presence, name="presence"),
    path("attachments/<int:pk>/", attachments.attachment_download, name="attachment_download"),
    path("articles/<int:number>/", workspace.article, name="article"),
]
