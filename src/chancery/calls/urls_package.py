"""The call package's pages: the briefing page, its PDF, the talking points and the clearance."""

from django.urls import path

from chancery.calls import views_package

urlpatterns = [
    path("calls/<str:tracking>/package/", views_package.package, name="call_package"),
    path("calls/<str:tracking>/package.pdf", views_package.package_pdf, name="call_package_pdf"),
    path("calls/<str:tracking>/package/points/", views_package.package_points,
         name="call_package_points"),
    path("calls/<str:tracking>/package/clear/", views_package.package_clear,
         name="call_package_clear"),
]
