"""The interpreter roster, an interpreter's assignments, and the calendar files
(``views_interpreters``). Every pattern is a literal prefix or ends in ``.ics``: none captures
another part's ``calls/<tracking>/`` pages."""

from django.urls import path

from chancery.calls import views_interpreters as views

urlpatterns = [
    path("calls/interpreters/", views.interpreter_list, name="call_interpreters"),
    path("calls/interpreters/new/", views.interpreter_new, name="call_interpreter_new"),
    path("calls/interpreters/<int:pk>/", views.interpreter_edit, name="call_interpreter_edit"),
    path("calls/interpreters/feeds/<slug:slug>/", views.principal_feed,
         name="call_principal_feed"),
    path("calls/my-assignments/", views.my_assignments, name="call_my_assignments"),
    path("calls/my-assignments/feed/", views.my_feed, name="call_my_feed"),
    path("calls/feeds/<str:token>.ics", views.feed, name="call_feed"),
    path("calls/<str:tracking>.ics", views.call_ics, name="call_ics"),
]
