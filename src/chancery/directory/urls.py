"""The directory pages: the admin tools for principals."""

from django.urls import path

from chancery.directory import views

urlpatterns = [
    path("admin-tools/principals/", views.admin_principals, name="admin_principals"),
]
