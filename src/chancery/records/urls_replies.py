"""The pages of replies (``views_replies``): the staff's under ``records/replies/``, the liaison
portal's under ``portal-replies/`` (the correspondence portal's ``portal/<tracking>/`` would take
``portal/replies/``, as for calls' ``portal-calls/``)."""

from django.urls import path

from chancery.records import views_replies as views

urlpatterns = [
    path("records/replies/", views.reply_list, name="reply_list"),
    path("records/replies/new/<str:tracking>/", views.reply_new, name="reply_new"),
    path("records/replies/<str:tracking>/", views.reply_detail, name="reply_detail"),
    path("records/replies/<str:tracking>/<slug:action>/", views.reply_action,
         name="reply_action"),
    path("portal-replies/", views.portal_replies, name="reply_portal"),
    path("portal-replies/<str:tracking>/", views.portal_reply, name="reply_portal_detail"),
    path("portal-replies/<str:tracking>/receipt.json", views.portal_reply_receipt,
         name="reply_portal_receipt"),
]
