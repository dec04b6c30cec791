"""Chancery's settings plus the bench's baseline app and its ``/bench/baseline`` route.

bench/intake.py and bench/profile_intake.py run the server and their set-up with
``DJANGO_SETTINGS_MODULE=baseline_app.settings`` and ``bench/`` on ``PYTHONPATH``.
"""

from chancery.settings import *  # noqa: F403
from chancery.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "baseline_app"]
ROOT_URLCONF = "baseline_app.urls"
