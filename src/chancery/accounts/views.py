"""Sign-in: Django's LoginView with a limit on attempts per username and address."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse

from chancery.accounts.throttling import LoginThrottle, describe_rate


class LoginView(auth_views.LoginView):
    """Over ``CHANCERY_LOGIN_RATE`` (failed sign-ins for one username from one address), the
    page answers 429 with Retry-After and says how long to wait, without checking the password.
    """

    template_name = "web/login.html"
    redirect_authenticated_user = True
    throttle = LoginThrottle()

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.throttle.allow_request(request):
            return self.throttled(request)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        self.throttle.reset(self.request)
        return super().form_valid(form)

    def throttled(self, request: HttpRequest) -> HttpResponse:
        wait = math.ceil(self.throttle.wait() or 60)
        minutes = math.ceil(wait / 60)
        when = f"{minutes} minute{'s' if minutes != 1 else ''}" if wait > 90 else f"{wait} seconds"
        # An unbound form: binding the posted one would check the password after all.
        form = self.get_form_class()(
            request, initial={"username": request.POST.get("username", "")}
        )
        context = self.get_context_data(
            form=form,
            throttled=(
                f"Too many failed sign-ins for this username from your address (the limit is "
                f"{describe_rate(settings.CHANCERY_LOGIN_RATE)}). Try again in {when}."
            ),
        )
        response = self.render_to_response(context, status=429)
        response["Retry-After"] = str(wait)
        return response
