"""The liaison portal's call pages (``views_requests``). Under ``portal-calls/``: the
correspondence portal's ``portal/<tracking>/`` would take ``portal/calls/``."""

from django.urls import path

from chancery.calls import views_requests

urlpatterns = [
    path("portal-calls/", views_requests.portal_calls, name="call_portal"),
    path("portal-calls/new/", views_requests.portal_call_new, name="call_portal_new"),
    path("calls/new/", views_requests.staff_call_new, name="call_new"),
    path("portal-calls/<str:tracking>/", views_requests.portal_call, name="call_portal_request"),
    path("portal-calls/<str:tracking>/receipt.json", views_requests.portal_call_receipt,
         name="call_portal_receipt"),
]
