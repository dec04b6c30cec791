from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "chancery.ledger"
    verbose_name = "Ledger"
