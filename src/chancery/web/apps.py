from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "chancery.web"
    verbose_name = "Web"
