from django.contrib.auth import views as auth_views
from django.urls import include, path

from chancery.accounts.views import LoginView
from chancery.web import views

urlpatterns = [
    path(
        "login/",
        LoginView.as_view(),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    path("transparency/", views.transparency_page, name="transparency"),
    path("", include("chancery.correspondence.urls")),
    path("", include("chancery.directory.urls")),
    path("", include("chancery.calls.urls")),
    path("", include("chancery.records.urls")),
]
