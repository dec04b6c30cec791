from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "chancery.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from chancery.accounts.throttling import create_cache_tables

        post_migrate.connect(create_cache_tables, sender=self, dispatch_uid="chancery-cache")
