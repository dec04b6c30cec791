from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "chancery.demo"
    verbose_name = "Demo"
