"""The officers' and principals' offices' call pages (``views_staff``). A call's address takes
only a tracking number's shape, so the other parts' ``calls/...`` pages (interpreters, feeds,
assignments) are not taken for one."""

from django.urls import path, re_path

from chancery.calls import views_staff

TRACKING = r"(?P<tracking>[Cc][Aa][Ll][Ll]-\d{4}-\d+)"

urlpatterns = [
    path("calls/", views_staff.call_queue, name="call_queue"),
    path("calls/calendar/", views_staff.call_calendar, name="call_calendar"),
    path("calls/calendar/solve/", views_staff.call_resolve, name="call_resolve"),
    path("calls/calendar/block/", views_staff.call_block, name="call_block"),
    path("calls/calendar/unblock/<int:blocked_id>/", views_staff.call_unblock,
         name="call_unblock"),
    path("calls/solves/<int:run_id>/", views_staff.call_solve_progress,
         name="call_solve_progress"),
    re_path(rf"^calls/{TRACKING}/$", views_staff.call_detail, name="call_detail"),
    re_path(rf"^calls/{TRACKING}/act/(?P<action>[a-z_-]+)/$", views_staff.call_action,
            name="call_action"),
    path("principals/<slug:slug>/calls/", views_staff.principal_call_list,
         name="principal_calls"),
]
