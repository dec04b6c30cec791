"""The correspondence pages: messages, inboxes, translations, the liaison portal, the audit."""

from django.urls import path

from chancery.correspondence import views

urlpatterns = [
    path("messages/", views.message_list, name="message_list"),
    path("messages/<str:tracking>/", views.message_detail, name="message_detail"),
    path(
        "messages/<str:tracking>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path("messages/<str:tracking>/<slug:action>/", views.message_action, name="message_action"),
    path("principals/<slug:slug>/inbox/", views.inbox, name="inbox"),
    path(
        "principals/<slug:slug>/inbox/acknowledge/",
        views.inbox_acknowledge,
        name="inbox_acknowledge",
    ),
    path("translations/", views.translation_queue, name="translations"),
    path("translations/<int:pk>/", views.translation_sign_off, name="translation"),
    path("portal/", views.portal, name="portal"),
    path("portal/new/", views.portal_new, name="portal_new"),
    path("portal/<str:tracking>/", views.portal_message, name="portal_message"),
    path("portal/<str:tracking>/receipt.json", views.portal_receipt, name="portal_receipt"),
    path(
        "portal/<str:tracking>/received.tlog-proof",
        views.portal_received_proof,
        name="portal_received_proof",
    ),
    path("audit/", views.audit, name="audit"),
]
