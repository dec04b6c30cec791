from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chancery.accounts"
    verbose_name = "Accounts"
