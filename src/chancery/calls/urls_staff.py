"""The officers' and principals' offices' call pages (``views_staff``)."""

from django.urls import path

from chancery.calls import views_staff

urlpatterns = [
    path("calls/", views_staff.call_queue, name="call_queue"),
    path("calls/calendar/", views_staff.call_calendar, name="call_calendar"),
    path("calls/calendar/solve/", views_staff.call_resolve, name="call_resolve"),
    path("calls/solves/<int:run_id>/", views_staff.call_solve_progress,
         name="call_solve_progress"),
    path("calls/<str:tracking>/", views_staff.call_detail, name="call_detail"),
    path("calls/<str:tracking>/act/<str:action>/", views_staff.call_action, name="call_action"),
    path("principals/<slug:slug>/calls/", views_staff.principal_call_list,
         name="principal_calls"),
]
