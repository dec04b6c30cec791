"""The pages of telcons: the list, the form (new from a call; a revision), the record with its
panel of actions, the comparison of two versions, the PDF."""

from django.urls import path

from chancery.records import views_telcons as views

urlpatterns = [
    path("records/telcons/", views.telcon_list, name="telcon_list"),
    path("records/telcons/new/<str:call_tracking>/", views.telcon_new, name="telcon_new"),
    path("records/telcons/<str:tracking>.pdf", views.telcon_pdf, name="telcon_pdf"),
    path("records/telcons/<str:tracking>/", views.telcon_detail, name="telcon_detail"),
    path("records/telcons/<str:tracking>/revise/", views.telcon_revise, name="telcon_revise"),
    path("records/telcons/<str:tracking>/compare/", views.telcon_compare,
         name="telcon_compare"),
    path("records/telcons/<str:tracking>/do/<str:action>/", views.telcon_action,
         name="telcon_action"),
]
