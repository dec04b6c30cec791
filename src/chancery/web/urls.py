from django.urls import path

from chancery.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
