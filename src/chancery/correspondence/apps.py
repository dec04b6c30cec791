from django.apps import AppConfig


class CorrespondenceConfig(AppConfig):
    name = "chancery.correspondence"
    verbose_name = "Correspondence"
