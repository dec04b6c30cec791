from django.apps import AppConfig


class BaselineConfig(AppConfig):
    name = "baseline_app"
    verbose_name = "Bench baseline"
    default_auto_field = "django.db.models.BigAutoField"
