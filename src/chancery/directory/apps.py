from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "chancery.directory"
    verbose_name = "Directory"

    def ready(self) -> None:
        # The ledger learns this app's event kinds and subject checks here (DESIGN.md).
        from chancery.directory import checks, events

        events.register()
        checks.register()
