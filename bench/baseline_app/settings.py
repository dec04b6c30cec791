"""Chancery's settings plus the bench's baseline app and its ``/bench/baseline`` route.

bench/intake.py and bench/profile_intake.py run the server and their set-up with
``DJANGO_SETTINGS_MODULE=baseline_app.settings`` and ``bench/`` on ``PYTHONPATH``.
"""

from chancery.settings import *  # noqa: F403
from chancery.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "baseline_app"]
ROOT_URLCONF = "baseline_app.urls"

# One token sends everything: a per-user API rate far above what it sends, so the throttle
# still counts every request (its cost is in the figures) but never refuses one.
CHANCERY_API_RATE_USER = "10000000/min"
